/** Domain types shared by actions and the store; nothing here knows HTTP or Redis. */

export interface QueueRef {
  readonly account: string;
  readonly name: string;
}

export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Buffer;
}

export type MessageAttributeMap = Record<string, MessageAttributeValue>;

/** What is stored once per message and never changes. */
export interface MessagePayload {
  body: string;
  md5Body: string;
  attributes?: MessageAttributeMap;
  md5Attributes?: string;
  traceHeader?: string;
  md5System?: string;
  senderId: string;
  sentTimestamp: number;
  groupId?: string;
  dedupId?: string;
  /** ARN of the queue a dead-letter redrive moved the message from. */
  deadLetterSourceArn?: string;
}

export interface NewMessage {
  id: string;
  payload: MessagePayload;
  /** Per-message delay in ms, or undefined for the queue's DelaySeconds. */
  delayMs?: number;
  /** Size counted against the queue's MaximumMessageSize. */
  size: number;
  /** FIFO: the deduplication id the sender gave, if any. */
  dedupId?: string;
  /** FIFO: SHA-256 of the body, the deduplication id when ContentBasedDeduplication is on. */
  contentHash?: string;
}

export interface ReceivedMessage {
  id: string;
  payload: MessagePayload;
  receiptHandle: string;
  receiveCount: number;
  firstReceiveTimestamp: number;
  sequenceNumber?: string;
}

/** A message as the store hands it out on receive: the receipt handle is made from `token`. */
export interface StoredReceipt extends Omit<ReceivedMessage, 'receiptHandle'> {
  token: string;
}

/** Queue attributes as SQS names them, values as the strings the API carries. */
export type QueueAttributes = Record<string, string>;

export interface QueueCounts {
  visible: number;
  notVisible: number;
  delayed: number;
}

// What the pollers report (lambda/activity.ts), and the store records for every instance to show.

/** One event source mapping, as started. */
export interface PollerMapping {
  function: string;
  queue: string;
  queueArn: string;
  batchSize: number;
  windowSeconds: number;
  concurrency: number;
  reportBatchItemFailures: boolean;
}

/**
 * One invocation of a function with a batch. `ok`: every record succeeded (deleted); `partial`:
 * the function reported some records as failed (they are retried); `failed`: it threw, returned
 * a rejected promise, or timed out (the whole batch is retried).
 */
export interface InvocationReport {
  function: string;
  queue: string;
  /** The context's awsRequestId: what the handler's log lines are attributed to. */
  invocationId: string;
  records: number;
  outcome: 'ok' | 'partial' | 'failed';
  /** Records to retry: 0 for ok, all of them for failed. */
  retried: number;
  durationMs: number;
  /** For failed: why (the error's message, or the timeout). */
  error?: string;
  /** When the invocation started (real time, ms since the epoch). */
  at: number;
}

/** Messages that matched none of the mapping's filters: deleted without an invocation. */
export interface FilteredReport {
  function: string;
  queue: string;
  records: number;
}
