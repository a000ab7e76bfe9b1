/**
 * What actions need from storage, in domain terms. The Redis implementation is redis-store.ts; the
 * other interfaces the actions see are in moves.ts (moves between queues, move tasks, leases) and
 * long-polls.ts (waiting for messages).
 *
 * One way to say "no such queue": every method that names a queue answers `undefined` when it does
 * not exist (actions turn that into QueueDoesNotExist with `found()`). Only queueExists, a question,
 * answers false.
 */
import type {
  NewMessage,
  PollerMapping,
  QueueAttributes,
  QueueCounts,
  QueueRef,
  ReceivedMessage,
  StoredReceipt,
} from '../domain.js';

export type CreateQueueResult =
  | { status: 'created' }
  | { status: 'exists' }
  | { status: 'differs'; attribute: string }
  | { status: 'deleted-recently' };

export interface QueueState {
  attributes: QueueAttributes;
  counts: QueueCounts;
  /**
   * The lowest enqueue time (ms, the service's clock) of the queue's messages, read with the counts:
   * available, delayed, in flight or on their way to another queue (the `sent` set, so also one past
   * its retention period that no receive or sweep has met yet); absent when the queue holds none.
   * A message redriven to a standard dead-letter queue keeps its original enqueue time; one moved
   * to a FIFO queue, or by a move task, counts from its move.
   */
  oldestSentMs?: number;
  createdMs: number;
  modifiedMs: number;
}

export type ReceiveResult =
  | { status: 'ok'; messages: ReceivedMessage[]; moved: number }
  /** moved: messages this call put in the outbox for a dead-letter queue. */
  | { status: 'empty'; nextVisibleMs?: number; queueWaitSeconds: number; moved: number }
  | { status: 'over-limit' };

export type { StoredReceipt } from '../domain.js';

export type StoreReceiveResult =
  | { status: 'ok'; messages: StoredReceipt[]; moved: number }
  | Exclude<ReceiveResult, { status: 'ok' }>;

export type SendOutcome =
  | { status: 'stored'; seq: string }
  /** FIFO: the deduplication id was seen within 5 minutes; the original message's id and seq. */
  | { status: 'duplicate'; id: string; seq: string }
  | { status: 'too-large' }
  /** FIFO: no MessageDeduplicationId and ContentBasedDeduplication is off. */
  | { status: 'no-dedup-id' };

export interface SendResult {
  /** The queue's MaximumMessageSize. */
  maxSize: number;
  /** One per message, in order. */
  outcomes: SendOutcome[];
}

export interface ReceiveOptions {
  max: number;
  visibilityMs?: number;
  now: number;
  inflightLimit: number;
  /** FIFO: ReceiveRequestAttemptId. */
  attemptId?: string;
}

/** How many messages a peek reads at most, unless told otherwise. */
export const PEEK_LIMIT = 1000;

export interface PeekOptions {
  now: number;
  /** Read at most this many messages (default PEEK_LIMIT): available ones first, then in flight, then delayed. */
  limit?: number;
  /** Include messages in flight (default true). */
  inflight?: boolean;
  /** Include messages still in their delay (default true). */
  delayed?: boolean;
}

/** A message as it stands, read without receiving it. */
export interface PeekedMessage extends Omit<ReceivedMessage, 'receiptHandle'> {
  /** At `now`: in flight or delayed until visibleAtMs, or available (due ones count as available). */
  state: 'available' | 'inflight' | 'delayed';
  visibleAtMs?: number;
  /** FIFO, available: its group is held by a message in flight (or on its way to a dead-letter queue). */
  groupLocked: boolean;
  /** 0 when never received. */
  firstReceiveTimestamp: number;
  /** Send order within the queue. */
  sequenceNumber: string;
}

export interface PeekResult {
  /** In no particular order. */
  messages: PeekedMessage[];
  /** The limit left messages out. */
  more: boolean;
}

/**
 * 'expired': a FIFO receipt handle from an earlier receive, or of a message whose visibility
 * timeout has ended (received again since or not).
 */
export type DeleteStatus = 'deleted' | 'gone' | 'expired';

/**
 * 'not-inflight': the message is on its way to another queue; 'no-message': gone, or (FIFO) the
 * handle is from an earlier receive; 'expired': a FIFO handle whose visibility timeout has ended.
 * Any handle of a standard queue's message changes it, even after its timeout ended.
 */
export type VisibilityStatus = 'changed' | 'not-inflight' | 'no-message' | 'over-limit' | 'expired';

/** What the dashboard's delete of one message did. */
export type DeleteOneStatus = 'deleted' | 'gone';

/**
 * What the pollers of a mapping did since it started (redis-poller-stats.ts records it, for every
 * instance to show). Times are real time, ms since the epoch.
 */
export interface PollerStats extends PollerMapping {
  startedAt: number;
  /** When these figures were last written. */
  updatedAt: number;
  invocations: number;
  ok: number;
  partial: number;
  failed: number;
  /** Records handed to the function, and of those, records to be retried (partial or failed). */
  records: number;
  retried: number;
  /** Messages that matched none of the mapping's filters (deleted without an invocation). */
  filtered: number;
  lastInvocation?: { at: number; durationMs: number; outcome: 'ok' | 'partial' | 'failed'; records: number };
  lastError?: { at: number; message: string };
}

export interface Store {
  createQueue(
    q: QueueRef,
    stored: QueueAttributes,
    requested: QueueAttributes,
    tags: Record<string, string>,
    now: number,
  ): Promise<CreateQueueResult>;
  /** The name stays blocked until `now + tombstoneMs` of the service's clock (0: not at all). */
  deleteQueue(q: QueueRef, now: number, tombstoneMs: number): Promise<'ok' | undefined>;
  queueExists(q: QueueRef): Promise<boolean>;
  getQueue(q: QueueRef, now: number): Promise<QueueState | undefined>;
  /** An empty value removes the attribute. */
  setQueueAttributes(q: QueueRef, attributes: QueueAttributes, now: number): Promise<'ok' | undefined>;
  /** Sets `name` to `next` only if its value is `expected` ('' is an absent value). */
  swapQueueAttribute(
    q: QueueRef,
    name: string,
    expected: string,
    next: string,
    now: number,
  ): Promise<'ok' | 'conflict' | undefined>;
  /** Queue names in lexical order, starting after `after`, at most `limit`. */
  listQueues(account: string, prefix: string, after: string | undefined, limit: number): Promise<string[]>;
  sendMessages(q: QueueRef, messages: NewMessage[], now: number): Promise<SendResult | undefined>;
  receiveMessages(q: QueueRef, options: ReceiveOptions): Promise<StoreReceiveResult | undefined>;
  /**
   * Per receipt. `now` decides which FIFO handles have expired (on a standard queue any handle
   * deletes).
   */
  deleteMessages(
    q: QueueRef,
    receipts: { id: string; token: string }[],
    now: number,
  ): Promise<DeleteStatus[] | undefined>;
  changeVisibility(
    q: QueueRef,
    entries: { id: string; token: string; visibilityMs: number }[],
    now: number,
    limitMs: number,
  ): Promise<VisibilityStatus[] | undefined>;
  purgeQueue(q: QueueRef, now: number, cooldownMs: number): Promise<'ok' | 'too-soon' | undefined>;
  tagQueue(q: QueueRef, tags: Record<string, string>, maxTags: number): Promise<'ok' | 'too-many' | undefined>;
  untagQueue(q: QueueRef, keys: string[]): Promise<'ok' | undefined>;
  listQueueTags(q: QueueRef): Promise<Record<string, string> | undefined>;
  /**
   * Notes that `source`'s RedrivePolicy names `dlq` (an index for ListDeadLetterSourceQueues). Only
   * a hint: deadLetterSources checks each name against its source's policy (and drops stale ones).
   */
  recordDeadLetterSource(dlq: QueueRef, source: string): Promise<void>;
  /** Names of the queues whose RedrivePolicy names `dlq`, in name order. */
  deadLetterSources(dlq: QueueRef): Promise<string[]>;
  /**
   * Every message of the queue with its state, changing nothing (no receive count, visibility,
   * first-receive time or receipt). Messages on their way to another queue and messages past the
   * retention period are left out.
   */
  peekMessages(q: QueueRef, options: PeekOptions): Promise<PeekResult | undefined>;
  /**
   * One message by id, whatever its state (available, delayed, in flight, on its way to another
   * queue); a FIFO group it held is released. The developer endpoints' delete: no receipt needed.
   */
  deleteMessage(q: QueueRef, id: string, now: number): Promise<DeleteOneStatus | undefined>;
  /**
   * Every account that has a queue (the accounts of other instances on the same Redis too), in
   * order. An account whose queues were all deleted is not listed.
   */
  listAccounts(): Promise<string[]>;
  /** The pollers' statistics of every mapping any instance recorded, by queue then function. */
  pollerStats(): Promise<PollerStats[]>;
  /** Channel on which sends to `q` announce visible messages (see long-polls.ts). */
  wakeChannel(q: QueueRef): string;
}

/** What the dispatcher knows of the store's connection (redis-health.ts). */
export interface StoreHealth {
  /** Known to be unreachable: requests fail at once with ServiceUnavailable. */
  readonly isDown: boolean;
  /** A command failed in a way that suggests the store is unreachable (e.g. it timed out). */
  suspect(reason: string): void;
  /** Asks the store now: true when it answered. */
  check(): Promise<boolean>;
}
