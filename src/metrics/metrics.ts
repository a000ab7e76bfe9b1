/**
 * The service's Prometheus metrics (GET /metrics), in registries of their own (several services may
 * share a process). Two kinds:
 *
 * - Counted by this instance: requests by action, wire protocol and status, their latency by
 *   action, and per queue the CloudWatch SQS counters (messages sent, received, deleted, empty
 *   receives) and sent message sizes, as the dispatcher hears of each request (ActionObserver);
 *   messages moved to dead-letter queues and by move tasks (move-metrics.ts); the pollers'
 *   invocations when they run in this process (poller-metrics.ts); Redis round trips. Each
 *   instance counts what it served: sum them over instances. With `--workers N` a scrape sums
 *   every worker's (cluster.ts).
 * - Read from Redis on scrape, the same from every instance (redis-gauges.ts).
 *
 * The request path only adds to plain numbers (series.ts); the per-queue CloudWatch counters are
 * queue-counters.ts.
 */
import type { Registry } from 'prom-client';
import type { ActionName, ActionObserver, WireProtocol } from '../actions/dispatch.js';
import { SqsError } from '../errors.js';
import type { PollerActivity } from '../lambda/activity.js';
import type { Moves } from '../store/moves.js';
import type { MetricsCluster } from './cluster.js';
import { MoveCounters, readMoveTasks } from './move-metrics.js';
import { PollerCounters } from './poller-metrics.js';
import { QueueCounters } from './queue-counters.js';
import type { QueueCountsRow } from './queue-counts.js';
import { RedisGauges } from './redis-gauges.js';
import { Buckets, histogramValues, registerFamily } from './series.js';

export const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

/** Seconds: up to a 20 s long poll. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20];
/** Seconds: a PING's round trip, up to the 1 s after which it counts as unanswered. */
export const ROUND_TRIP_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/** An action's requests over one wire protocol. */
interface ProtocolStats {
  /** Answered 200 (the common case, kept out of the map). */
  ok: number;
  /** By the HTTP status of their error. */
  readonly errors: Map<number, number>;
}

interface ActionStats {
  readonly action: ActionName;
  readonly json: ProtocolStats;
  readonly query: ProtocolStats;
  /** Both protocols together. */
  readonly duration: Buckets;
}

const PROTOCOLS: readonly WireProtocol[] = ['json', 'query'];

export interface MetricsDeps {
  /** Every queue's counts, now (queue-counts.ts); rejects when Redis cannot be read. */
  readCounts(): Promise<QueueCountsRow[]>;
  /** Counts the messages moved (observed) and reads the active move tasks on scrape. */
  moves?: Pick<Moves, 'observe' | 'activeTasks' | 'getTask'>;
  /** The pollers of this process, whose invocations are counted. */
  activity?: PollerActivity;
  /** A PING on scrape, whose round trip the caller passes to redisRoundTrip(). */
  pingRedis?(): Promise<unknown>;
  /** With `--workers N`: the counters are summed over the workers (cluster.ts). */
  cluster?: MetricsCluster;
  /** Also the Node.js process metrics of prom-client (CPU, memory, event loop); default true. */
  processMetrics?: boolean;
}

type Input = Record<string, unknown>;
type Output = Record<string, unknown>;

export class ServiceMetrics implements ActionObserver {
  /**
   * Made on the first scrape (or at start with `--workers`): loading prom-client takes ~30 ms, which
   * a start should not pay (the counting needs none of it). The process metrics start then too.
   * `counted`: what this instance counts (summed over workers); `read`: the gauges read from Redis.
   */
  private registries: Promise<{ counted: Registry; read: Registry }> | undefined;
  private readonly queues: QueueCounters;
  private readonly actions = new Map<ActionName, ActionStats>();
  private receivesOpen = 0;
  private readonly roundTrips = new Buckets(ROUND_TRIP_BUCKETS);
  private readonly moves = new MoveCounters();
  private readonly pollers = new PollerCounters();
  private readonly gauges: RedisGauges;
  private readonly unobserve: (() => void)[] = [];

  constructor(private readonly deps: MetricsDeps) {
    this.queues = new QueueCounters();
    const { moves } = deps;
    this.gauges = new RedisGauges({
      readCounts: deps.readCounts,
      ...(moves ? { readMoveTasks: () => readMoveTasks(moves) } : {}),
    });
    if (moves) this.unobserve.push(moves.observe(this.moves));
    if (deps.activity) this.unobserve.push(deps.activity.observe(this.pollers));
  }

  /**
   * With `--workers N`: the registry is made now and offered to the primary, before the worker
   * listens, so that no request of the primary goes unanswered.
   */
  async start(): Promise<void> {
    const { cluster } = this.deps;
    if (cluster) await cluster.share((await this.registriesNow()).counted);
  }

  /** Stops observing the moves and the pollers. */
  close(): void {
    for (const off of this.unobserve.splice(0)) off();
    this.deps.cluster?.close();
  }

  /** A PING's round trip to Redis (redis-health.ts). */
  redisRoundTrip(seconds: number): void {
    this.roundTrips.observe(seconds);
  }

  private registriesNow(): Promise<{ counted: Registry; read: Registry }> {
    this.registries ??= import('prom-client').then(({ Registry, collectDefaultMetrics }) => {
      const counted = new Registry();
      this.register(counted);
      if (this.deps.processMetrics !== false) collectDefaultMetrics({ register: counted });
      const read = new Registry();
      this.gauges.register(read, this.deps.cluster !== undefined);
      return { counted, read };
    });
    return this.registries;
  }

  private register(r: Registry): void {
    const perQueue = (name: string, help: string, field: 'sent' | 'received' | 'deleted' | 'emptyReceives') =>
      registerFamily(r, name, help, 'counter', () =>
        [...this.queues.all()].map((q) => ({ labels: q.labels, value: q[field] })),
      );
    perQueue('sqs_number_of_messages_sent_total', 'Messages sent to the queue (NumberOfMessagesSent).', 'sent');
    perQueue(
      'sqs_number_of_messages_received_total',
      'Messages returned by ReceiveMessage (NumberOfMessagesReceived).',
      'received',
    );
    perQueue(
      'sqs_number_of_messages_deleted_total',
      'Messages deleted by DeleteMessage(Batch) (NumberOfMessagesDeleted).',
      'deleted',
    );
    perQueue(
      'sqs_number_of_empty_receives_total',
      'ReceiveMessage calls that returned no message (NumberOfEmptyReceives).',
      'emptyReceives',
    );
    registerFamily(
      r,
      'sqs_sent_message_size_bytes',
      'Size of the messages sent to the queue: body and message attributes (SentMessageSize).',
      'histogram',
      () => [...this.queues.all()].flatMap((q) => histogramValues('sqs_sent_message_size_bytes', q.labels, q.sizes)),
    );
    registerFamily(
      r,
      'sqs_requests_total',
      'SQS API requests that reached an action, by wire protocol (json, query) and HTTP status.',
      'counter',
      () =>
        [...this.actions.values()].flatMap((a) =>
          PROTOCOLS.flatMap((protocol) => {
            const p = a[protocol];
            return [
              ...(p.ok > 0 ? [{ labels: { action: a.action, protocol, status: '200' }, value: p.ok }] : []),
              ...[...p.errors].map(([status, value]) => ({
                labels: { action: a.action, protocol, status: String(status) },
                value,
              })),
            ];
          }),
        ),
    );
    registerFamily(
      r,
      'sqs_request_duration_seconds',
      'Time to run an SQS action (its request, decoded).',
      'histogram',
      () =>
        [...this.actions.values()].flatMap((a) =>
          histogramValues('sqs_request_duration_seconds', { action: a.action }, a.duration),
        ),
    );
    registerFamily(
      r,
      'sqs_long_polls_open',
      'ReceiveMessage requests in progress on this instance: long polls waiting for messages (and receives being answered).',
      'gauge',
      () => [{ labels: {}, value: this.receivesOpen }],
    );
    registerFamily(
      r,
      'redsqs_redis_round_trip_seconds',
      'Round trips of PINGs to Redis that were answered: one each scrape, /health check and probe of a Redis found down.',
      'histogram',
      () => histogramValues('redsqs_redis_round_trip_seconds', {}, this.roundTrips),
    );
    this.moves.register(r);
    if (this.deps.activity) this.pollers.register(r);
  }

  /** The Prometheus text format's content type (prom-client's Registry.PROMETHEUS_CONTENT_TYPE). */
  get contentType(): string {
    return PROMETHEUS_TEXT;
  }

  /** The metrics in the Prometheus text format, the gauges read from Redis now. */
  async scrape(): Promise<string> {
    const { counted, read } = await this.registriesNow();
    const [countedText] = await Promise.all([
      this.countedText(counted),
      this.gauges.read(),
      this.deps.pingRedis?.().catch(() => undefined),
    ]);
    // registry.metrics() reads every family at once, before its first await: the counters are
    // printed after the PING above has been observed.
    return (countedText ?? (await counted.metrics())) + (await read.metrics());
  }

  /** Every worker's counters with `--workers` (undefined: this instance's, printed last). */
  private async countedText(counted: Registry): Promise<string | undefined> {
    const { cluster } = this.deps;
    if (!cluster) return undefined;
    try {
      const text = await cluster.collect();
      this.gauges.clusterUp = 1;
      return text;
    } catch {
      this.gauges.clusterUp = 0;
      return counted.metrics();
    }
  }

  begin(action: ActionName): number {
    if (action === 'ReceiveMessage') this.receivesOpen++;
    return performance.now();
  }

  succeeded(action: ActionName, protocol: WireProtocol, input: object, output: object, begun: number): void {
    this.request(action, protocol, 200, begun);
    try {
      const gone = this.queues.count(action, input as Input, output as Output);
      if (gone) this.moves.forget(gone);
    } catch {
      // An answer of a shape not foreseen here is not worth failing a request over.
    }
  }

  failed(action: ActionName, protocol: WireProtocol, err: unknown, begun: number): void {
    this.request(action, protocol, err instanceof SqsError ? err.spec.status : 500, begun);
  }

  private request(action: ActionName, protocol: WireProtocol, status: number, begun: number): void {
    if (action === 'ReceiveMessage') this.receivesOpen--;
    let a = this.actions.get(action);
    if (a === undefined) {
      a = {
        action,
        json: { ok: 0, errors: new Map() },
        query: { ok: 0, errors: new Map() },
        duration: new Buckets(LATENCY_BUCKETS),
      };
      this.actions.set(action, a);
    }
    a.duration.observe((performance.now() - begun) / 1000);
    // Anything but 'query' is JSON: the protocol comes from our own handler, never from the wire.
    const p = protocol === 'query' ? a.query : a.json;
    if (status === 200) p.ok++;
    else p.errors.set(status, (p.errors.get(status) ?? 0) + 1);
  }
}
