/**
 * The CloudWatch SQS counters per queue (messages sent, received, deleted, empty receives, sent
 * message sizes), counted from each successful action's input and output as the dispatcher hears
 * of it. A queue's numbers are found by its QueueUrl in a map, its labels made once, the first time
 * it is seen.
 */
import type { ActionName } from '../actions/dispatch.js';
import type { MessageAttributeMap, QueueRef } from '../domain.js';
import { messageSize } from '../sqs/messages.js';
import { parseAnyQueueUrl } from '../sqs/queue-names.js';
import { Buckets, type Labels } from './series.js';

/** Bytes: up to the 1 MiB SQS allows. */
export const SIZE_BUCKETS = [64, 256, 1024, 4096, 16384, 65536, 262144, 1048576];
/** Queue URLs remembered (the same queue under several hosts counts once each); cleared beyond. */
const MAX_URLS = 10_000;

export interface QueueStats {
  readonly labels: Labels;
  sent: number;
  received: number;
  deleted: number;
  emptyReceives: number;
  readonly sizes: Buckets;
}

type Input = Record<string, unknown>;
type Output = Record<string, unknown>;

export class QueueCounters {
  private readonly queues = new Map<string, QueueStats>();
  private readonly byUrl = new Map<string, QueueStats>();

  all(): IterableIterator<QueueStats> {
    return this.queues.values();
  }

  /**
   * The CloudWatch counters of a successful action. Returns the queue a DeleteQueue deleted (its
   * counters are gone), for the caller's other per-queue counters.
   */
  count(action: ActionName, input: Input, output: Output): QueueRef | undefined {
    switch (action) {
      case 'SendMessage': {
        const q = this.queue(input.QueueUrl as string);
        q.sent++;
        q.sizes.observe(messageSize(input.MessageBody as string, input.MessageAttributes as MessageAttributeMap));
        return;
      }
      case 'SendMessageBatch': {
        const done = (output.Successful as { Id: string }[] | undefined) ?? [];
        if (done.length === 0) return;
        const q = this.queue(input.QueueUrl as string);
        const entries = input.Entries as { Id: string; MessageBody: string; MessageAttributes?: MessageAttributeMap }[];
        const all = done.length === entries.length;
        const ids = all ? undefined : new Set(done.map((d) => d.Id));
        for (const e of entries) {
          if (ids && !ids.has(e.Id)) continue;
          q.sent++;
          q.sizes.observe(messageSize(e.MessageBody, e.MessageAttributes));
        }
        return;
      }
      case 'ReceiveMessage': {
        const q = this.queue(input.QueueUrl as string);
        const n = (output.Messages as unknown[] | undefined)?.length ?? 0;
        if (n > 0) q.received += n;
        else q.emptyReceives++;
        return;
      }
      case 'DeleteMessage':
        this.queue(input.QueueUrl as string).deleted++;
        return;
      case 'DeleteMessageBatch': {
        const n = (output.Successful as unknown[] | undefined)?.length ?? 0;
        if (n > 0) this.queue(input.QueueUrl as string).deleted += n;
        return;
      }
      case 'DeleteQueue':
        return this.forget(input.QueueUrl as string);
      default:
        return;
    }
  }

  /** A queue's numbers by its URL (which the action just accepted). */
  private queue(url: string): QueueStats {
    const known = this.byUrl.get(url);
    if (known !== undefined) return known;
    const ref = parseAnyQueueUrl(url);
    const key = `${ref.account}/${ref.name}`;
    let q = this.queues.get(key);
    if (q === undefined) {
      q = {
        labels: { queue: ref.name, account: ref.account },
        sent: 0,
        received: 0,
        deleted: 0,
        emptyReceives: 0,
        sizes: new Buckets(SIZE_BUCKETS),
      };
      this.queues.set(key, q);
    }
    if (this.byUrl.size >= MAX_URLS) this.byUrl.clear();
    this.byUrl.set(url, q);
    return q;
  }

  /** A deleted queue's counters go (a queue made again under its name starts from zero). */
  private forget(url: string): QueueRef {
    const ref = parseAnyQueueUrl(url);
    const q = this.queues.get(`${ref.account}/${ref.name}`);
    if (q === undefined) return ref;
    this.queues.delete(`${ref.account}/${ref.name}`);
    for (const [u, stats] of this.byUrl) if (stats === q) this.byUrl.delete(u);
    return ref;
  }
}
