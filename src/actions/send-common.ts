/** What SendMessage and SendMessageBatch share: validating an entry and describing the result. */
import { randomUUID } from 'node:crypto';
import type { SendMessageResult } from '@aws-sdk/client-sqs';
import type { NewMessage, QueueRef } from '../domain.js';
import { invalidParameter, type SqsError } from '../errors.js';
import { buildPayload, type SendEntryInput } from '../sqs/messages.js';
import { MAX_MESSAGE_SIZE } from '../sqs/queue-attributes.js';
import { isFifoName } from '../sqs/queue-names.js';
import type { ActionContext } from './context.js';

export function prepareMessage(entry: SendEntryInput, q: QueueRef, ctx: ActionContext, now: number): NewMessage {
  if (!isFifoName(q.name) && entry.MessageDeduplicationId !== undefined) {
    throw invalidParameter(
      `Value ${entry.MessageDeduplicationId} for parameter MessageDeduplicationId is invalid. Reason: The request includes a parameter that is not valid for this queue type.`,
    );
  }
  // The queue's own MaximumMessageSize is enforced by the store, in the same round trip.
  const v = buildPayload(entry, MAX_MESSAGE_SIZE, ctx.config.accountId, now);
  const message: NewMessage = { id: randomUUID(), payload: v.payload, size: v.size };
  if (v.delaySeconds !== undefined) message.delayMs = v.delaySeconds * 1000;
  return message;
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
  if (isFifoName(q.name)) out.SequenceNumber = sequenceNumber;
  return out;
}
