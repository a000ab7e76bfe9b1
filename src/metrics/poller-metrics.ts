/**
 * The Lambda-style pollers' metrics, counted as they report to a PollerActivity: per function and
 * queue, invocations by outcome (Lambda's Invocations and Errors), the records handed over, retried
 * and filtered out, and the invocations' duration (Lambda's Duration). Counted in the process that
 * runs the pollers: the service's, or the primary of `--workers N` (cluster.ts adds them there).
 */
import type { Registry } from 'prom-client';
import type { FilteredReport, InvocationReport, MappingInfo, PollerObserver } from '../lambda/activity.js';
import { Buckets, histogramValues, type Labels, registerFamily } from './series.js';

/** Seconds: a handler's run, up to Lambda's 15-minute limit. */
export const INVOCATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

const OUTCOMES = ['ok', 'partial', 'failed'] as const;
type Outcome = (typeof OUTCOMES)[number];

interface MappingStats {
  readonly labels: Labels;
  readonly invocations: Record<Outcome, number>;
  records: number;
  retried: number;
  filtered: number;
  readonly duration: Buckets;
}

export class PollerCounters implements PollerObserver {
  private readonly mappings = new Map<string, MappingStats>();

  /** A started mapping's series exist from the start, at 0. */
  mappingStarted(info: MappingInfo): void {
    this.mapping(info.function, info.queue);
  }

  invoked(report: InvocationReport): void {
    const m = this.mapping(report.function, report.queue);
    m.invocations[report.outcome]++;
    m.records += report.records;
    m.retried += report.retried;
    m.duration.observe(report.durationMs / 1000);
  }

  filtered(report: FilteredReport): void {
    this.mapping(report.function, report.queue).filtered += report.records;
  }

  register(r: Registry): void {
    const all = () => [...this.mappings.values()];
    registerFamily(
      r,
      'redsqs_poller_invocations_total',
      'Invocations of a function by a poller, by outcome: ok, partial (batch item failures reported), failed ' +
        '(threw or timed out) (Lambda Invocations; partial and failed together are Lambda Errors).',
      'counter',
      () =>
        all().flatMap((m) =>
          OUTCOMES.map((outcome) => ({ labels: { ...m.labels, outcome }, value: m.invocations[outcome] })),
        ),
    );
    const perMapping = (name: string, help: string, field: 'records' | 'retried' | 'filtered') =>
      registerFamily(r, name, help, 'counter', () => all().map((m) => ({ labels: m.labels, value: m[field] })));
    perMapping(
      'redsqs_poller_records_total',
      'Records (messages) handed to the function in its invocations.',
      'records',
    );
    perMapping(
      'redsqs_poller_records_retried_total',
      'Records left in the queue for another try: every record of a failed invocation, the reported ones of a partial one.',
      'retried',
    );
    perMapping(
      'redsqs_poller_records_filtered_total',
      "Records that matched none of the mapping's filter criteria: deleted without an invocation.",
      'filtered',
    );
    registerFamily(
      r,
      'redsqs_poller_invocation_duration_seconds',
      'Time a function took with a batch, until it returned, threw or timed out (Lambda Duration).',
      'histogram',
      () => all().flatMap((m) => histogramValues('redsqs_poller_invocation_duration_seconds', m.labels, m.duration)),
    );
  }

  private mapping(fn: string, queue: string): MappingStats {
    const key = `${fn}\n${queue}`;
    let m = this.mappings.get(key);
    if (m === undefined) {
      m = {
        labels: { function: fn, queue },
        invocations: { ok: 0, partial: 0, failed: 0 },
        records: 0,
        retried: 0,
        filtered: 0,
        duration: new Buckets(INVOCATION_BUCKETS),
      };
      this.mappings.set(key, m);
    }
    return m;
  }
}
