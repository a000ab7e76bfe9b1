/**
 * An in-memory Store for unit tests of the actions: no Redis, time from an injected clock. It
 * behaves as the Redis store (its Lua scripts are the reference), which test/store/contract.test.ts
 * checks: queues, attributes, tags, ready/delayed/in-flight messages, receipt tokens, retention,
 * FIFO groups (received group by group, locked while in flight), deduplication and receive attempts.
 * Not modelled: dead-letter redrive and the outbox (messages never move to another queue), pub/sub
 * wake-ups other than a deleted queue's, and the bounds the scripts put on the work of one call.
 * Odd store outcomes are scripted in the tests with vi.spyOn. `calls` records which store methods an
 * action used, so a test can show that validation happened before any round trip.
 */
import type { MessagePayload, NewMessage, QueueAttributes, QueueRef } from '../../src/domain.js';
import { DEDUPLICATION_WINDOW_MS, RECEIVE_ATTEMPT_WINDOW_MS } from '../../src/sqs/limits.js';
import { isFifoName } from '../../src/sqs/queue-names.js';
import { decodeRedriveTarget, REDRIVE_TARGET } from '../../src/store/redrive-fields.js';
import type {
  CreateQueueResult,
  DeleteOneStatus,
  DeleteStatus,
  PeekedMessage,
  PeekOptions,
  PeekResult,
  PollerStats,
  QueueState,
  ReceiveOptions,
  SendOutcome,
  SendResult,
  Store,
  StoredReceipt,
  StoreReceiveResult,
  VisibilityStatus,
} from '../../src/store/store.js';
import { PEEK_LIMIT } from '../../src/store/store.js';

export interface FakeMessage {
  id: string;
  seq: number;
  payload: MessagePayload;
  /** When it was sent (the store's clock); retention counts from here. */
  sentMs: number;
  /** When the message is next available: the end of its delay or of its visibility timeout. */
  availableAt: number;
  /** Received, and not made available again since. */
  inflight: boolean;
  receiveCount: number;
  firstReceiveMs: number;
  receivedMs: number;
  token: string;
}

export interface FakeQueue {
  attributes: QueueAttributes;
  tags: Record<string, string>;
  createdMs: number;
  modifiedMs: number;
  seq: number;
  messages: FakeMessage[];
  lastPurgeMs?: number;
  /** Deduplication key -> the message first sent with it. */
  dedup: Map<string, { id: string; seq: number; at: number }>;
  /** FIFO: ReceiveRequestAttemptId -> the receipts that receive gave, until when it is remembered. */
  attempts: Map<string, { receipts: { id: string; token: string }[]; until: number }>;
}

export const keyOf = (q: QueueRef): string => `${q.account}/${q.name}`;

const receiptOf = (m: FakeMessage): StoredReceipt => ({
  id: m.id,
  payload: m.payload,
  token: m.token,
  receiveCount: m.receiveCount,
  firstReceiveTimestamp: m.firstReceiveMs,
  sequenceNumber: String(m.seq),
});

/** Messages sent before this are past the queue's retention period (none if it has none set). */
function retentionCutoff(queue: FakeQueue, now: number): number {
  const seconds = Number(queue.attributes.MessageRetentionPeriod);
  return Number.isFinite(seconds) ? now - seconds * 1000 : Number.NEGATIVE_INFINITY;
}

/**
 * As receive-fifo-messages.lua: a retried ReceiveRequestAttemptId, within its 5 minutes, gives the
 * same messages and receipts again (restarting their visibility timeout) while every one of them is
 * still in flight under that receive; otherwise undefined, and the receive is a new one.
 */
function retryAttempt(
  queue: FakeQueue,
  attemptId: string,
  now: number,
  visibilityMs: number,
): StoredReceipt[] | undefined {
  for (const [id, attempt] of queue.attempts) if (attempt.until <= now) queue.attempts.delete(id);
  const receipts = queue.attempts.get(attemptId)?.receipts ?? [];
  const same = receipts.map(({ id, token }) =>
    queue.messages.find((m) => m.id === id && m.token === token && m.inflight && m.availableAt > now),
  );
  if (same.length === 0 || same.some((m) => m === undefined)) return undefined;
  const messages = same as FakeMessage[];
  for (const m of messages) m.availableAt = now + visibilityMs;
  return messages.map(receiptOf);
}

export class FakeStore implements Store {
  readonly queues = new Map<string, FakeQueue>();
  /** Deleted queue -> when its name may be used again. */
  readonly tombstones = new Map<string, number>();
  /**
   * Dead-letter queue -> names of the queues recorded as its sources. As the Redis store's set, it
   * is kept whether the queue exists or not, and goes when the queue is deleted.
   */
  private readonly sources = new Map<string, Set<string>>();
  readonly calls: (keyof Store)[] = [];
  private tokens = 0;

  /** Where the store announces on a queue's wake channel (the Redis store's scripts PUBLISH). */
  announce: (channel: string) => void = () => undefined;

  queue(q: QueueRef): FakeQueue | undefined {
    return this.queues.get(keyOf(q));
  }

  private use(method: keyof Store, q?: QueueRef): FakeQueue | undefined {
    this.calls.push(method);
    return q ? this.queue(q) : undefined;
  }

  async createQueue(
    q: QueueRef,
    stored: QueueAttributes,
    requested: QueueAttributes,
    tags: Record<string, string>,
    now: number,
  ): Promise<CreateQueueResult> {
    const existing = this.use('createQueue', q);
    if (existing) {
      for (const [name, value] of Object.entries(requested)) {
        if ((existing.attributes[name] ?? '') !== value) return { status: 'differs', attribute: name };
      }
      return { status: 'exists' };
    }
    if ((this.tombstones.get(keyOf(q)) ?? 0) > now) return { status: 'deleted-recently' };
    this.queues.set(keyOf(q), {
      attributes: { ...stored },
      tags: { ...tags },
      createdMs: now,
      modifiedMs: now,
      seq: 0,
      messages: [],
      dedup: new Map(),
      attempts: new Map(),
    });
    return { status: 'created' };
  }

  async deleteQueue(q: QueueRef, now: number, tombstoneMs: number): Promise<'ok' | undefined> {
    if (!this.use('deleteQueue', q)) return undefined;
    this.queues.delete(keyOf(q));
    this.sources.delete(keyOf(q));
    this.tombstones.set(keyOf(q), now + tombstoneMs);
    this.announce(this.wakeChannel(q)); // as delete-queue.lua: long polls on the queue look again
    return 'ok';
  }

  async queueExists(q: QueueRef): Promise<boolean> {
    return this.use('queueExists', q) !== undefined;
  }

  async getQueue(q: QueueRef, now: number): Promise<QueueState | undefined> {
    const queue = this.use('getQueue', q);
    if (!queue) return undefined;
    const attributes: QueueAttributes = {};
    for (const [k, v] of Object.entries(queue.attributes)) if (!k.startsWith('_')) attributes[k] = v;
    const counts = { visible: 0, notVisible: 0, delayed: 0 };
    let oldestSentMs: number | undefined;
    for (const m of queue.messages) {
      if (m.availableAt <= now) counts.visible++;
      else if (m.inflight) counts.notVisible++;
      else counts.delayed++;
      if (oldestSentMs === undefined || m.sentMs < oldestSentMs) oldestSentMs = m.sentMs;
    }
    return {
      attributes,
      counts,
      createdMs: queue.createdMs,
      modifiedMs: queue.modifiedMs,
      ...(oldestSentMs === undefined ? {} : { oldestSentMs }),
    };
  }

  async setQueueAttributes(q: QueueRef, attributes: QueueAttributes, now: number): Promise<'ok' | undefined> {
    const queue = this.use('setQueueAttributes', q);
    if (!queue) return undefined;
    for (const [k, v] of Object.entries(attributes)) {
      if (v === '') delete queue.attributes[k];
      else queue.attributes[k] = v;
    }
    queue.modifiedMs = now;
    return 'ok';
  }

  async swapQueueAttribute(
    q: QueueRef,
    name: string,
    expected: string,
    next: string,
    now: number,
  ): Promise<'ok' | 'conflict' | undefined> {
    const queue = this.use('swapQueueAttribute', q);
    if (!queue) return undefined;
    if ((queue.attributes[name] ?? '') !== expected) return 'conflict';
    if (next === '') delete queue.attributes[name];
    else queue.attributes[name] = next;
    queue.modifiedMs = now;
    return 'ok';
  }

  async listQueues(account: string, prefix: string, after: string | undefined, limit: number): Promise<string[]> {
    this.use('listQueues');
    return [...this.queues.keys()]
      .filter((k) => k.startsWith(`${account}/`))
      .map((k) => k.slice(account.length + 1))
      .filter((name) => name.startsWith(prefix) && (after === undefined || name > after))
      .sort()
      .slice(0, limit);
  }

  async sendMessages(q: QueueRef, messages: NewMessage[], now: number): Promise<SendResult | undefined> {
    const queue = this.use('sendMessages', q);
    if (!queue) return undefined;
    const maxSize = Number(queue.attributes.MaximumMessageSize);
    const fifo = isFifoName(q.name);
    // As send-fifo-messages.lua: one message without a deduplication id (an empty one is none)
    // refuses them all, and nothing is stored.
    const contentBased = queue.attributes.ContentBasedDeduplication === 'true';
    if (fifo && messages.some((m) => !(m.dedupId || (contentBased && m.contentHash)))) {
      return { maxSize, outcomes: messages.map((): SendOutcome => ({ status: 'no-dedup-id' })) };
    }
    const outcomes = messages.map((m): SendOutcome => {
      if (m.size > maxSize) return { status: 'too-large' };
      let dedupKey: string | undefined;
      if (fifo) {
        const id = (m.dedupId || m.contentHash) as string;
        dedupKey = queue.attributes.DeduplicationScope === 'messageGroup' ? `${m.payload.groupId}\0${id}` : id;
        const seen = queue.dedup.get(dedupKey);
        if (seen && now - seen.at < DEDUPLICATION_WINDOW_MS)
          return { status: 'duplicate', id: seen.id, seq: String(seen.seq) };
      }
      const seq = ++queue.seq;
      const delayMs = fifo ? undefined : m.delayMs;
      const availableAt = now + (delayMs ?? Number(queue.attributes.DelaySeconds ?? '0') * 1000);
      const fresh = { inflight: false, token: '', receiveCount: 0, firstReceiveMs: 0, receivedMs: 0 };
      queue.messages.push({ id: m.id, seq, payload: m.payload, sentMs: now, availableAt, ...fresh });
      if (dedupKey !== undefined) queue.dedup.set(dedupKey, { id: m.id, seq, at: now });
      return { status: 'stored', seq: String(seq) };
    });
    return { maxSize, outcomes };
  }

  async receiveMessages(q: QueueRef, options: ReceiveOptions): Promise<StoreReceiveResult | undefined> {
    const queue = this.use('receiveMessages', q);
    if (!queue) return undefined;
    const { now, max } = options;
    const fifo = isFifoName(q.name);
    const visibilityMs = options.visibilityMs ?? Number(queue.attributes.VisibilityTimeout) * 1000;
    if (fifo && options.attemptId) {
      const retried = retryAttempt(queue, options.attemptId, now, visibilityMs);
      if (retried) return { status: 'ok', messages: retried, moved: 0 };
    }
    const inflight = queue.messages.filter((m) => m.inflight && m.availableAt > now);
    if (!fifo && inflight.length >= options.inflightLimit) return { status: 'over-limit' };
    // As the receive scripts: available messages in send order (FIFO: group by group, the group of
    // the oldest message first); those past the retention period are dropped on the way, and do
    // not count against `max`.
    const cutoff = retentionCutoff(queue, now);
    let available = queue.messages.filter((m) => m.availableAt <= now).sort((a, b) => a.seq - b.seq);
    const taken: FakeMessage[] = [];
    /** Takes the messages of one read of the available set; returns how many it claimed. */
    const claim = (read: FakeMessage[]): number => {
      const expired = new Set(read.filter((m) => m.sentMs < cutoff));
      queue.messages = queue.messages.filter((m) => !expired.has(m));
      available = available.filter((m) => !read.includes(m));
      const claimed = read.filter((m) => !expired.has(m));
      taken.push(...claimed);
      return claimed.length;
    };
    if (!fifo) {
      while (taken.length < max && available.length > 0) claim(available.slice(0, max - taken.length));
    } else if (inflight.length < options.inflightLimit) {
      // A group with a message in flight is locked; a group the receive takes from becomes so.
      const locked = new Set(inflight.map((m) => m.payload.groupId));
      while (taken.length < max) {
        const head = available.find((m) => !locked.has(m.payload.groupId));
        if (!head) break;
        const group = available.filter((m) => m.payload.groupId === head.payload.groupId);
        if (claim(group.slice(0, max - taken.length)) > 0) locked.add(head.payload.groupId);
      }
    }
    if (taken.length === 0) {
      const later = queue.messages.map((m) => m.availableAt).filter((t) => t > now);
      const wait = Number(queue.attributes.ReceiveMessageWaitTimeSeconds ?? '0');
      const next = later.length > 0 ? { nextVisibleMs: Math.min(...later) } : {};
      return { status: 'empty', ...next, queueWaitSeconds: wait, moved: 0 };
    }
    for (const m of taken) {
      Object.assign(m, {
        inflight: true,
        availableAt: now + visibilityMs,
        receivedMs: now,
        token: `t${++this.tokens}`,
      });
      m.receiveCount++;
      if (m.firstReceiveMs === 0) m.firstReceiveMs = now;
    }
    if (fifo && options.attemptId) {
      const receipts = taken.map((m) => ({ id: m.id, token: m.token }));
      queue.attempts.set(options.attemptId, { receipts, until: now + RECEIVE_ATTEMPT_WINDOW_MS });
    }
    return { status: 'ok', messages: taken.map(receiptOf), moved: 0 };
  }

  async deleteMessages(
    q: QueueRef,
    receipts: { id: string; token: string }[],
    now: number,
  ): Promise<DeleteStatus[] | undefined> {
    const queue = this.use('deleteMessages', q);
    if (!queue) return undefined;
    return receipts.map(({ id, token }): DeleteStatus => {
      const m = queue.messages.find((x) => x.id === id);
      if (!m) return 'gone';
      const current = m.token === token && m.inflight && m.availableAt > now;
      if (isFifoName(q.name) && !current) return 'expired';
      queue.messages = queue.messages.filter((x) => x !== m);
      return 'deleted';
    });
  }

  async changeVisibility(
    q: QueueRef,
    entries: { id: string; token: string; visibilityMs: number }[],
    now: number,
    limitMs: number,
  ): Promise<VisibilityStatus[] | undefined> {
    const queue = this.use('changeVisibility', q);
    if (!queue) return undefined;
    return entries.map(({ id, token, visibilityMs }): VisibilityStatus => {
      const m = queue.messages.find((x) => x.id === id);
      // As the Lua script: any handle of a standard queue's message (an earlier receive's too)
      // changes it, also after its timeout ended; a FIFO handle is the latest one's, and expires
      // with the timeout.
      if (!m || (isFifoName(q.name) && m.token !== token)) return 'no-message';
      if (isFifoName(q.name) && (!m.inflight || m.availableAt <= now)) return 'expired';
      // Never received (delayed, or available since its send): nothing to count the limit from.
      if (!m.inflight) return 'not-inflight';
      // As SQS (and the Lua script): whole seconds since the receive count against the limit.
      if (Math.floor((now - m.receivedMs) / 1000) * 1000 + visibilityMs > limitMs) return 'over-limit';
      m.availableAt = now + visibilityMs;
      return 'changed';
    });
  }

  async purgeQueue(q: QueueRef, now: number, cooldownMs: number): Promise<'ok' | 'too-soon' | undefined> {
    const queue = this.use('purgeQueue', q);
    if (!queue) return undefined;
    if (queue.lastPurgeMs !== undefined && now - queue.lastPurgeMs < cooldownMs) return 'too-soon';
    queue.lastPurgeMs = now;
    queue.messages = [];
    queue.dedup.clear(); // as purge-queue.lua: SQS forgets the deduplication ids too
    queue.attempts.clear();
    return 'ok';
  }

  async tagQueue(q: QueueRef, tags: Record<string, string>, maxTags: number): Promise<'ok' | 'too-many' | undefined> {
    const queue = this.use('tagQueue', q);
    if (!queue) return undefined;
    const merged = { ...queue.tags, ...tags };
    if (Object.keys(merged).length > maxTags) return 'too-many';
    queue.tags = merged;
    return 'ok';
  }

  async untagQueue(q: QueueRef, keys: string[]): Promise<'ok' | undefined> {
    const queue = this.use('untagQueue', q);
    if (!queue) return undefined;
    for (const k of keys) delete queue.tags[k];
    return 'ok';
  }

  async listQueueTags(q: QueueRef): Promise<Record<string, string> | undefined> {
    const queue = this.use('listQueueTags', q);
    return queue ? { ...queue.tags } : undefined;
  }

  async recordDeadLetterSource(dlq: QueueRef, source: string): Promise<void> {
    this.use('recordDeadLetterSource', dlq);
    const names = this.sources.get(keyOf(dlq)) ?? new Set<string>();
    this.sources.set(keyOf(dlq), names.add(source));
  }

  async deadLetterSources(dlq: QueueRef): Promise<string[]> {
    this.use('deadLetterSources', dlq);
    // As in the Redis store, each source's current policy is the truth.
    const current = (name: string) =>
      decodeRedriveTarget(this.queue({ account: dlq.account, name })?.attributes[REDRIVE_TARGET]) === dlq.name;
    return [...(this.sources.get(keyOf(dlq)) ?? [])].filter(current).sort();
  }

  async peekMessages(q: QueueRef, options: PeekOptions): Promise<PeekResult | undefined> {
    const queue = this.use('peekMessages', q);
    if (!queue) return undefined;
    const { now } = options;
    const stateOf = (m: FakeMessage): PeekedMessage['state'] =>
      m.availableAt <= now ? 'available' : m.inflight ? 'inflight' : 'delayed';
    const held = new Set(queue.messages.filter((m) => stateOf(m) === 'inflight').map((m) => m.payload.groupId));
    const fifo = isFifoName(q.name);
    // As the Redis store reads them: available messages first, then in flight, then delayed.
    const wanted = (['available', 'inflight', 'delayed'] as const).filter(
      (s) => (s !== 'inflight' || options.inflight !== false) && (s !== 'delayed' || options.delayed !== false),
    );
    const all = wanted.flatMap((s) => queue.messages.filter((m) => stateOf(m) === s));
    const limit = Math.max(1, options.limit ?? PEEK_LIMIT);
    // As peek-messages.lua: the limit counts what was read; messages past the retention period
    // (which no receive returns) are then left out.
    const cutoff = retentionCutoff(queue, now);
    const read = all.slice(0, limit).filter((m) => m.sentMs >= cutoff);
    const messages = read.map((m): PeekedMessage => {
      const state = stateOf(m);
      return {
        id: m.id,
        payload: m.payload,
        state,
        ...(state === 'available' ? {} : { visibleAtMs: m.availableAt }),
        groupLocked: fifo && state === 'available' && held.has(m.payload.groupId),
        receiveCount: m.receiveCount,
        firstReceiveTimestamp: m.firstReceiveMs,
        sequenceNumber: String(m.seq),
      };
    });
    return { messages, more: all.length > limit };
  }

  async deleteMessage(q: QueueRef, id: string, _now: number): Promise<DeleteOneStatus | undefined> {
    const queue = this.use('deleteMessage', q);
    if (!queue) return undefined;
    const before = queue.messages.length;
    // A FIFO group is held by its messages in flight: with the message gone, it holds no more.
    queue.messages = queue.messages.filter((m) => m.id !== id);
    return queue.messages.length < before ? 'deleted' : 'gone';
  }

  async listAccounts(): Promise<string[]> {
    this.use('listAccounts');
    return [...new Set([...this.queues.keys()].map((k) => k.slice(0, k.indexOf('/'))))].sort();
  }

  /** What pollerStats answers (a test sets it; the Redis store reads `<prefix>:pollers`). */
  pollers: PollerStats[] = [];

  async pollerStats(): Promise<PollerStats[]> {
    this.use('pollerStats');
    return this.pollers;
  }

  wakeChannel(q: QueueRef): string {
    return `wake:${keyOf(q)}`;
  }
}
