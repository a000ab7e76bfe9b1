import type { SendMessageBatchResult } from '@aws-sdk/client-sqs';
import type { QueueRef } from '../domain.js';
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
  const q = queueOf(ctx, input.QueueUrl ?? '');
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
    checkPrepared: async (messages) => {
      if (fifo) await checkDeduplicationIds(ctx, q, entries, messages.length);
    },
    apply: async (messages) => {
      const result = found(await ctx.store.sendMessages(q, messages, now));
      if (fifo) refuseIfNoneStored(result.outcomes);
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
 * the whole request, and nothing of it is stored. When every entry lacks the id and all of them
 * reach the store, its one script refuses them all or none (see refuseIfNoneStored); otherwise
 * the queue's setting is read first, so that entries with an id are not stored alone.
 */
async function checkDeduplicationIds(
  ctx: ActionContext,
  q: QueueRef,
  entries: readonly BatchEntry[],
  acceptedCount: number,
): Promise<void> {
  const lacking = entries.filter((e) => e.MessageDeduplicationId === undefined).length;
  if (lacking === 0 || (lacking === entries.length && acceptedCount === entries.length)) return;
  const state = found(await ctx.store.getQueue(q, ctx.now()));
  if (state.attributes.ContentBasedDeduplication !== 'true') throw noDeduplicationId();
}

/**
 * The store refused entries for want of a deduplication id and stored none: the queue has no
 * ContentBasedDeduplication, a whole-request error. (Were some stored, ContentBasedDeduplication
 * changed between checkDeduplicationIds and the send: the refused entries fail alone.)
 */
function refuseIfNoneStored(outcomes: readonly SendOutcome[]): void {
  const refused = outcomes.some((o) => o.status === 'no-dedup-id');
  if (refused && !outcomes.some((o) => o.status === 'stored' || o.status === 'duplicate')) {
    throw noDeduplicationId();
  }
}
