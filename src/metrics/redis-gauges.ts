/**
 * The gauges a scrape reads from Redis: each queue's message counts and the age of its oldest
 * message (queue-counts.ts), the progress of the active move tasks (move-metrics.ts), and whether
 * the read succeeded. They are the same from every instance, so they are read by the instance
 * that is scraped and never summed over instances or workers.
 */
import type { Registry } from 'prom-client';
import { type MoveTaskRow, registerMoveTaskGauges } from './move-metrics.js';
import type { QueueCountsRow } from './queue-counts.js';
import { registerFamily } from './series.js';

export interface RedisReads {
  /** Every queue's counts, now; rejects when Redis cannot be read. */
  readCounts(): Promise<QueueCountsRow[]>;
  /** The active move tasks, now. */
  readMoveTasks?(): Promise<MoveTaskRow[]>;
}

export class RedisGauges {
  /** The last scrape's read: what registry.metrics() sees (it reads every family before its first await). */
  private counts: QueueCountsRow[] = [];
  private tasks: MoveTaskRow[] = [];
  private up = 0;
  private seconds = 0;
  /** With `--workers N`: whether the counters of this scrape are every worker's (1) or this one's (0). */
  clusterUp: number | undefined;

  constructor(private readonly reads: RedisReads) {}

  /** Reads Redis for the next `metrics()` of the registry the gauges are in. */
  async read(): Promise<void> {
    const started = performance.now();
    let counts: QueueCountsRow[] = [];
    let tasks: MoveTaskRow[] = [];
    let up = 1;
    try {
      [counts, tasks] = await Promise.all([this.reads.readCounts(), this.reads.readMoveTasks?.() ?? []]);
    } catch {
      up = 0; // the counters still answer; the gauges are left out
    }
    this.counts = counts;
    this.tasks = tasks;
    this.up = up;
    this.seconds = (performance.now() - started) / 1000;
  }

  register(r: Registry, cluster: boolean): void {
    const perQueue = (c: QueueCountsRow) => ({ queue: c.name, account: c.account });
    const gauge = (name: string, help: string, field: 'visible' | 'notVisible' | 'delayed') =>
      registerFamily(r, name, help, 'gauge', () => this.counts.map((c) => ({ labels: perQueue(c), value: c[field] })));
    gauge(
      'sqs_approximate_number_of_messages_visible',
      'Messages available for retrieval, read from Redis (ApproximateNumberOfMessagesVisible).',
      'visible',
    );
    gauge(
      'sqs_approximate_number_of_messages_not_visible',
      'Messages in flight: received, not yet deleted, read from Redis (ApproximateNumberOfMessagesNotVisible).',
      'notVisible',
    );
    gauge(
      'sqs_approximate_number_of_messages_delayed',
      'Messages in their delay, read from Redis (ApproximateNumberOfMessagesDelayed).',
      'delayed',
    );
    registerFamily(
      r,
      'sqs_approximate_age_of_oldest_message_seconds',
      "Age of the queue's oldest message, whatever its state, by the service's clock; no series while the queue " +
        'holds none (ApproximateAgeOfOldestMessage).',
      'gauge',
      () =>
        this.counts.flatMap((c) =>
          c.ageOfOldestSeconds === undefined ? [] : [{ labels: perQueue(c), value: c.ageOfOldestSeconds }],
        ),
    );
    if (this.reads.readMoveTasks) registerMoveTaskGauges(r, () => this.tasks);
    registerFamily(
      r,
      'redsqs_metrics_queue_counts_up',
      'Whether this scrape could read the queues from Redis.',
      'gauge',
      () => [{ labels: {}, value: this.up }],
    );
    registerFamily(
      r,
      'redsqs_metrics_queue_counts_seconds',
      "Time this scrape took to read every queue's counts (and the move tasks) from Redis.",
      'gauge',
      () => [{ labels: {}, value: this.seconds }],
    );
    if (cluster) {
      registerFamily(
        r,
        'redsqs_metrics_workers_summed',
        "With --workers: 1 when this scrape's counters are every worker's summed, 0 when they are only " +
          "the scraped worker's (the primary did not answer).",
        'gauge',
        () => [{ labels: {}, value: this.clusterUp ?? 0 }],
      );
    }
  }
}
