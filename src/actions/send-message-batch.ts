import type { BatchResultErrorEntry, SendMessageBatchResult, SendMessageBatchResultEntry } from '@aws-sdk/client-sqs';
import type { NewMessage } from '../domain.js';
import { SqsError } from '../errors.js';
import { messageSize, type SendEntryInput } from '../sqs/messages.js';
import { MAX_MESSAGE_SIZE } from '../sqs/queue-attributes.js';
import { checkBatch, failure } from './batch.js';
import { type ActionContext, found, queueOf } from './context.js';
import { outcomeResult, prepareMessage } from './send-common.js';

export interface SendMessageBatchInput {
  QueueUrl?: string;
  Entries?: (SendEntryInput & { Id?: string })[];
}

export async function sendMessageBatch(
  input: SendMessageBatchInput,
  ctx: ActionContext,
): Promise<SendMessageBatchResult> {
  const q = queueOf(ctx, input.QueueUrl ?? '');
  const entries = input.Entries ?? [];
  checkBatch(entries, 'SendMessageBatchRequestEntry');
  let total = 0;
  for (const e of entries) total += messageSize(e.MessageBody ?? '', e.MessageAttributes);
  if (total > MAX_MESSAGE_SIZE) {
    throw new SqsError(
      'BatchRequestTooLong',
      `Batch requests cannot be longer than ${MAX_MESSAGE_SIZE} bytes. You have sent ${total} bytes.`,
    );
  }

  const now = ctx.now();
  const Failed: BatchResultErrorEntry[] = [];
  const accepted: { id: string; message: NewMessage }[] = [];
  for (const e of entries) {
    try {
      accepted.push({ id: e.Id as string, message: prepareMessage(e, q, ctx, now) });
    } catch (err) {
      Failed.push(failure(e.Id as string, err));
    }
  }
  const Successful: SendMessageBatchResultEntry[] = [];
  if (accepted.length > 0) {
    const result = found(
      await ctx.store.sendMessages(
        q,
        accepted.map((a) => a.message),
        now,
      ),
    );
    accepted.forEach(({ id, message }, i) => {
      try {
        Successful.push({ Id: id, ...outcomeResult(message, result.outcomes[i], result.maxSize, q) });
      } catch (err) {
        Failed.push(failure(id, err));
      }
    });
  }
  return { Successful, Failed };
}
