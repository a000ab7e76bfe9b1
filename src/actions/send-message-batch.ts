import type { SendMessageBatchResult } from '@aws-sdk/client-sqs';
import { invalidParameter, SqsError } from '../errors.js';
import { MAX_MESSAGE_SIZE } from '../sqs/limits.js';
import { messageSize, type SendEntryInput } from '../sqs/messages.js';
import { isFifoName } from '../sqs/queue-names.js';
import type { SendOutcome } from '../store/store.js';
import { runBatch } from './batch.js';
import { type ActionContext, found, queueOf } from './context.js';
import { noDeduplicationId, outcomeResult, prepareMessage } from './send-common.js';

type BatchEntry = SendEntryInput & { Id?: string };

export interface SendMessageBatchInput {
  QueueUrl?: string;
  Entries?: BatchEntry[];
}

export async function sendMessageBatch(
  input: SendMessageBatchInput,
  ctx: ActionContext,
): Promise<SendMessageBatchResult> {
  const q = await queueOf(ctx, input.QueueUrl ?? '');
  const entries = input.Entries ?? [];
  const fifo = isFifoName(q.name);
  const now = ctx.now();
  return runBatch(entries, {
    entryName: 'SendMessageBatchRequestEntry',
    checkRequest: () => {
      if (fifo) checkGroupIds(entries);
      checkTotalSize(entries);
    },
    prepare: (e) => prepareMessage(e, q, ctx, now),
    apply: async (messages) => {
      const result = found(await ctx.store.sendMessages(q, messages, now));
      if (fifo) refuseWithoutDeduplicationIds(result.outcomes);
      return result;
    },
    settle: (message, i, result) => outcomeResult(message, result.outcomes[i], result.maxSize, q),
  });
}

/** The whole request counts against the largest message size. */
function checkTotalSize(entries: readonly BatchEntry[]): void {
  let total = 0;
  for (const e of entries) total += messageSize(e.MessageBody ?? '', e.MessageAttributes);
  if (total > MAX_MESSAGE_SIZE) {
    throw new SqsError(
      'BatchRequestTooLong',
      `Batch requests cannot be longer than ${MAX_MESSAGE_SIZE} bytes. You have sent ${total} bytes.`,
    );
  }
}

/**
 * FIFO: an entry without MessageGroupId fails the whole request, not only its entry (and as
 * InvalidParameterValue, where SendMessage says MissingParameter with the same text).
 */
function checkGroupIds(entries: readonly BatchEntry[]): void {
  if (entries.some((e) => e.MessageGroupId === undefined)) {
    throw invalidParameter('The request must contain the parameter MessageGroupId.');
  }
}

/**
 * FIFO: an entry without MessageDeduplicationId on a queue without ContentBasedDeduplication fails
 * the whole request; the store's one script then refuses every entry and stores none.
 */
function refuseWithoutDeduplicationIds(outcomes: readonly SendOutcome[]): void {
  if (outcomes.some((o) => o.status === 'no-dedup-id')) throw noDeduplicationId();
}
