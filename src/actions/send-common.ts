/** What SendMessage and SendMessageBatch share: validating an entry and describing the result. */
import { createHash } from 'node:crypto';
import type { SendMessageResult } from '@aws-sdk/client-sqs';
import { v4 as uuidv4 } from 'uuid';
import type { MessagePayload, NewMessage, QueueRef } from '../domain.js';
import { invalidParameter, invalidValue, missingParameter, type SqsError } from '../errors.js';
import { checkFifoId, formatSequenceNumber } from '../sqs/fifo.js';
import { MAX_MESSAGE_SIZE } from '../sqs/limits.js';
import { buildPayload, type SendEntryInput } from '../sqs/messages.js';
import { isFifoName } from '../sqs/queue-names.js';
import type { SendOutcome } from '../store/store.js';
import type { ActionContext } from './context.js';

export function prepareMessage(entry: SendEntryInput, q: QueueRef, ctx: ActionContext, now: number): NewMessage {
  const fifo = isFifoName(q.name);
  if (entry.MessageGroupId !== undefined) checkFifoId('MessageGroupId', entry.MessageGroupId);
  if (fifo) {
    if (entry.MessageGroupId === undefined) throw missingParameter('MessageGroupId');
    if (entry.DelaySeconds) {
      throw invalidValue(
        'DelaySeconds',
        entry.DelaySeconds,
        'The request include parameter that is not valid for this queue type.',
      );
    }
    if (entry.MessageDeduplicationId !== undefined) checkFifoId('MessageDeduplicationId', entry.MessageDeduplicationId);
  } else if (entry.MessageDeduplicationId !== undefined) {
    throw invalidValue(
      'MessageDeduplicationId',
      entry.MessageDeduplicationId,
      'The request include parameter that is not valid for this queue type.',
    );
  }
  // The queue's own MaximumMessageSize is enforced by the store, in the same round trip. SenderId is
  // the sender's, not the queue owner's: for a user SQS gives its user id (botocore ReceiveMessage
  // AttributeNames docs); a caller here is its account's root, known by its account id.
  const v = buildPayload(entry, MAX_MESSAGE_SIZE, ctx.account, now);
  traceFromHeader(v.payload, ctx);
  const message: NewMessage = { id: uuidv4(), payload: v.payload, size: v.size };
  if (fifo) {
    // Without an explicit id, the body's hash is the deduplication id if the queue has
    // ContentBasedDeduplication, which the store reads in the same round trip. An explicit id (1 to
    // 128 characters, checked above) always wins: then the hash would go unused and is not computed.
    if (entry.MessageDeduplicationId !== undefined) {
      message.dedupId = entry.MessageDeduplicationId;
      message.payload.dedupId = entry.MessageDeduplicationId;
    } else {
      const contentHash = createHash('sha256').update(v.payload.body, 'utf8').digest('hex');
      message.contentHash = contentHash;
      message.payload.dedupId = contentHash;
    }
  } else if (v.delaySeconds !== undefined) {
    message.delayMs = v.delaySeconds * 1000;
  }
  return message;
}

/**
 * SQS stores the request's X-Amzn-Trace-Id header (which the SDKs add inside Lambda, from
 * _X_AMZN_TRACE_ID) as the AWSTraceHeader of a message that does not set that attribute itself.
 * No MD5OfMessageSystemAttributes for it: that checksum lets a sender verify the system attributes
 * it sent, and it sent none.
 */
function traceFromHeader(payload: MessagePayload, ctx: ActionContext): void {
  if (payload.traceHeader === undefined && ctx.traceHeader !== undefined) payload.traceHeader = ctx.traceHeader;
}

/** FIFO: no MessageDeduplicationId, and the queue has no ContentBasedDeduplication. */
export function noDeduplicationId(): SqsError {
  return invalidParameter(
    'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
  );
}

/** The result of one message, or the error for it. */
export function outcomeResult(
  m: NewMessage,
  outcome: SendOutcome | undefined,
  maxSize: number,
  q: QueueRef,
): SendMessageResult & { MessageId: string; MD5OfMessageBody: string } {
  switch (outcome?.status) {
    case 'stored':
      return sendResult(m, outcome.seq, q);
    case 'duplicate':
      // Accepted but not enqueued again: SQS answers with the message first sent.
      return { ...sendResult(m, outcome.seq, q), MessageId: outcome.id };
    case 'no-dedup-id':
      throw noDeduplicationId();
    default:
      throw tooLarge(maxSize);
  }
}

export function tooLarge(maxSize: number): SqsError {
  return invalidParameter(`One or more parameters are invalid. Reason: Message must be shorter than ${maxSize} bytes.`);
}

export function sendResult(
  m: NewMessage,
  sequenceNumber: string,
  q: QueueRef,
): SendMessageResult & { MessageId: string; MD5OfMessageBody: string } {
  const out: SendMessageResult & { MessageId: string; MD5OfMessageBody: string } = {
    MessageId: m.id,
    MD5OfMessageBody: m.payload.md5Body,
  };
  if (m.payload.md5Attributes) out.MD5OfMessageAttributes = m.payload.md5Attributes;
  if (m.payload.md5System) out.MD5OfMessageSystemAttributes = m.payload.md5System;
  if (isFifoName(q.name)) out.SequenceNumber = formatSequenceNumber(sequenceNumber);
  return out;
}
