/**
 * The pollers' statistics in Redis, so that every instance (and its dashboard) can show what the
 * pollers of the process started with a configuration file do: one field per event source mapping
 * in the hash `<prefix>:pollers` (KEYS.md), its value the mapping's PollerStats as JSON.
 *
 * PollerStatsRecorder observes a PollerActivity (lambda/activity.ts; its reports are given here by
 * shape, so the store knows nothing of the pollers): it keeps each mapping's figures in memory and
 * writes the mappings that changed, at most one HSET under way at a time, so a burst of invocations
 * costs a write or two, not one each. A mapping's start begins its figures anew.
 */
import type { Cluster, Redis } from 'ioredis';
import type { FilteredReport, InvocationReport, PollerMapping } from '../domain.js';
import { pollerStatsKey } from './keys.js';
import type { PollerStats } from './store.js';

/** The field of a mapping: queue and function (function names cannot hold a `|`). */
const fieldOf = (queue: string, fn: string): string => `${queue}|${fn}`;

export class PollerStatsRecorder {
  private readonly stats = new Map<string, PollerStats>();
  private readonly dirty = new Set<string>();
  private writing: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
    private readonly onError: (err: unknown) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  mappingStarted(info: PollerMapping): void {
    const at = this.now();
    const field = fieldOf(info.queue, info.function);
    this.stats.set(field, {
      function: info.function,
      queue: info.queue,
      queueArn: info.queueArn,
      batchSize: info.batchSize,
      windowSeconds: info.windowSeconds,
      concurrency: info.concurrency,
      reportBatchItemFailures: info.reportBatchItemFailures,
      startedAt: at,
      updatedAt: at,
      invocations: 0,
      ok: 0,
      partial: 0,
      failed: 0,
      records: 0,
      retried: 0,
      filtered: 0,
    });
    this.changed(field);
  }

  invoked(report: InvocationReport): void {
    const field = fieldOf(report.queue, report.function);
    const s = this.stats.get(field);
    if (!s) return;
    s.invocations++;
    s[report.outcome]++;
    s.records += report.records;
    s.retried += report.retried;
    s.lastInvocation = {
      at: report.at,
      durationMs: report.durationMs,
      outcome: report.outcome,
      records: report.records,
    };
    if (report.outcome === 'failed') {
      s.lastError = { at: report.at, message: report.error ?? 'failed' };
    } else if (report.outcome === 'partial') {
      s.lastError = { at: report.at, message: `${report.retried} of ${report.records} records reported as failed` };
    }
    this.changed(field);
  }

  filtered(report: FilteredReport): void {
    const field = fieldOf(report.queue, report.function);
    const s = this.stats.get(field);
    if (!s) return;
    s.filtered += report.records;
    this.changed(field);
  }

  /** Resolves once everything reported so far is written (or its write failed). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private changed(field: string): void {
    const s = this.stats.get(field);
    if (s) s.updatedAt = this.now();
    this.dirty.add(field);
    if (!this.writing) {
      this.writing = this.write().finally(() => {
        this.writing = undefined;
      });
    }
  }

  private async write(): Promise<void> {
    while (this.dirty.size > 0) {
      const fields = [...this.dirty];
      const values: string[] = [];
      for (const field of fields) values.push(field, JSON.stringify(this.stats.get(field)));
      this.dirty.clear();
      try {
        await this.redis.hset(pollerStatsKey(this.prefix), ...values);
      } catch (err) {
        // Marked to write again: the next report writes them, with whatever changed meanwhile.
        for (const field of fields) this.dirty.add(field);
        this.onError(err);
        return;
      }
    }
  }
}

const isStats = (v: unknown): v is PollerStats =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as PollerStats).function === 'string' &&
  typeof (v as PollerStats).queue === 'string' &&
  typeof (v as PollerStats).invocations === 'number';

/** Every mapping's statistics, by queue then function; a field that is not such JSON is skipped. */
export async function readPollerStats(redis: Redis | Cluster, prefix: string): Promise<PollerStats[]> {
  const all = await redis.hgetall(pollerStatsKey(prefix));
  const out: PollerStats[] = [];
  for (const value of Object.values(all)) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (isStats(parsed)) out.push(parsed);
    } catch {
      // not ours: left out
    }
  }
  return out.sort((a, b) => fieldOf(a.queue, a.function).localeCompare(fieldOf(b.queue, b.function)));
}
