import type { DeleteMessageRequest } from '@aws-sdk/client-sqs';
import { decodeReceiptHandle, expiredReceiptHandle, invalidReceiptHandle } from '../sqs/receipt-handle.js';
import { type ActionContext, found, queueOf } from './context.js';

export async function deleteMessage(input: DeleteMessageRequest, ctx: ActionContext): Promise<object> {
  const q = await queueOf(ctx, input.QueueUrl ?? '');
  const handle = input.ReceiptHandle ?? '';
  const receipt = decodeReceiptHandle(q, handle);
  if (!receipt) throw invalidReceiptHandle(handle);
  // Deleting a message that is already gone succeeds, as in SQS; so does an old handle on a
  // standard queue. On a FIFO queue the handle expires with the visibility timeout.
  const [status] = found(await ctx.store.deleteMessages(q, [receipt], ctx.now()));
  if (status === 'expired') throw expiredReceiptHandle(handle);
  return {};
}
