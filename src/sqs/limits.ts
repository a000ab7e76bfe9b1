/**
 * SQS's limits and ranges, in one place: every check and message of the service takes its numbers
 * from here. Each says where SQS states it: the SQS API Reference (the parameter's own page, as
 * botocore's service model repeats it), the Developer Guide's quotas pages ("Amazon SQS message
 * quotas", "queue quotas", "FIFO queue quotas", "policy quotas"), or behaviour recorded against SQS.
 * Internal tuning (timeouts, sweep steps, leases) is not an SQS limit and lives with its code.
 */

/** An inclusive range of integers; see checkRange in ranges.ts. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

// ---------------------------------------------------------------- messages

/** Largest message, default MaximumMessageSize and cap of a whole SendMessageBatch: 1 MiB (message quotas, 2025). */
export const MAX_MESSAGE_SIZE = 1_048_576;
/** MaximumMessageSize, bytes: 1 KiB to 1 MiB (API Reference, SetQueueAttributes). */
export const MESSAGE_SIZE: Range = { min: 1024, max: MAX_MESSAGE_SIZE };
/** DelaySeconds of a queue or of a message: 0 to 15 minutes (API Reference, SendMessage and SetQueueAttributes). */
export const DELAY_SECONDS: Range = { min: 0, max: 900 };
/** MessageRetentionPeriod: 60 seconds to 14 days (API Reference, SetQueueAttributes). */
export const RETENTION_SECONDS: Range = { min: 60, max: 1_209_600 };
/**
 * VisibilityTimeout of a queue, a receive or a change: 0 to 12 hours, also the most a message's
 * visibility may be extended to from its receive (API Reference, ChangeMessageVisibility).
 */
export const VISIBILITY_SECONDS: Range = { min: 0, max: 43_200 };
/** ReceiveMessage's WaitTimeSeconds and ReceiveMessageWaitTimeSeconds: 0 to 20 (API Reference). */
export const WAIT_SECONDS: Range = { min: 0, max: 20 };
/** ReceiveMessage's MaxNumberOfMessages: 1 to 10 (API Reference, ReceiveMessage). */
export const RECEIVE_MESSAGES: Range = { min: 1, max: 10 };
/** In-flight messages of a queue: 120,000, standard and FIFO (message quotas, FIFO queue quotas). */
export const MAX_INFLIGHT_MESSAGES = 120_000;
/** Message attributes of a message: at most 10 (message quotas). */
export const MAX_MESSAGE_ATTRIBUTES = 10;
/** A message attribute's name, and its data type: at most 256 characters (message quotas; API Reference, MessageAttributeValue). */
export const MAX_ATTRIBUTE_NAME_LENGTH = 256;
export const MAX_ATTRIBUTE_TYPE_LENGTH = 256;
/** A Number attribute's value: -10^128 to 10^126 (Developer Guide, message attributes). */
export const NUMBER_ATTRIBUTE_MIN = -1e128;
export const NUMBER_ATTRIBUTE_MAX = 1e126;
/** MessageGroupId, MessageDeduplicationId, ReceiveRequestAttemptId: 1 to 128 characters (API Reference). */
export const MAX_FIFO_ID_LENGTH = 128;
/** A FIFO queue's deduplication interval: 5 minutes (API Reference, SendMessage). */
export const DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;
/** How long a ReceiveRequestAttemptId is honoured: 5 minutes (API Reference, ReceiveMessage). */
export const RECEIVE_ATTEMPT_WINDOW_MS = 5 * 60 * 1000;

// ---------------------------------------------------------------- batches

/** Entries of SendMessageBatch, DeleteMessageBatch, ChangeMessageVisibilityBatch: at most 10 (message quotas). */
export const MAX_BATCH_ENTRIES = 10;
/** A batch entry's Id: 1 to 80 characters (API Reference, SendMessageBatchRequestEntry). */
export const MAX_BATCH_ENTRY_ID_LENGTH = 80;

// ---------------------------------------------------------------- queues

/** A queue name, `.fifo` included: 1 to 80 characters (queue quotas). */
export const MAX_QUEUE_NAME_LENGTH = 80;
/** KmsDataKeyReusePeriodSeconds: 1 minute to 24 hours (API Reference, SetQueueAttributes). */
export const KMS_REUSE_SECONDS: Range = { min: 60, max: 86_400 };
/** KmsMasterKeyId: at most 2,048 characters (AWS KMS API Reference, KeyId). */
export const MAX_KMS_KEY_ID_LENGTH = 2048;
/** ListQueues' and ListDeadLetterSourceQueues' MaxResults: 1 to 1,000 (API Reference). */
export const LIST_RESULTS: Range = { min: 1, max: 1000 };
/** PurgeQueue: once per queue every 60 seconds (API Reference, PurgeQueue). */
export const PURGE_COOLDOWN_SECONDS = 60;
/** A deleted queue's name can be used again after 60 seconds (API Reference, DeleteQueue). */
export const DELETE_COOLDOWN_SECONDS = 60;

// ---------------------------------------------------------------- tags and permissions

/** Tags of a queue: at most 50 (queue quotas). */
export const MAX_TAGS = 50;
/** A tag key: 1 to 128 characters (queue quotas). */
export const MAX_TAG_KEY_LENGTH = 128;
/** A tag value: 0 to 256 characters (queue quotas). */
export const MAX_TAG_VALUE_LENGTH = 256;
/** AddPermission's Label: 1 to 80 characters (API Reference, AddPermission). */
export const MAX_PERMISSION_LABEL_LENGTH = 80;
/** Actions of one AddPermission statement: at most 7 (policy quotas). */
export const MAX_PERMISSION_ACTIONS = 7;

// ---------------------------------------------------------------- dead-letter queues and move tasks

/** RedrivePolicy's maxReceiveCount: 1 to 1,000 (Developer Guide, dead-letter queues; recorded against SQS). */
export const MAX_RECEIVE_COUNT: Range = { min: 1, max: 1000 };
/** RedriveAllowPolicy's sourceQueueArns: at most 10 (API Reference, SetQueueAttributes). */
export const MAX_REDRIVE_SOURCES = 10;
/** StartMessageMoveTask's MaxNumberOfMessagesPerSecond: 1 to 500 (API Reference). */
export const MOVE_RATE: Range = { min: 1, max: 500 };
/** ListMessageMoveTasks' MaxResults: 1 to 10, default 1 (API Reference). */
export const MOVE_TASK_RESULTS: Range = { min: 1, max: 10 };
