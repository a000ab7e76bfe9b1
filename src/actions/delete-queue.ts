import type { DeleteQueueRequest } from '@aws-sdk/client-sqs';
import { type ActionContext, found, queueOf } from './context.js';

export async function deleteQueue(input: DeleteQueueRequest, ctx: ActionContext): Promise<object> {
  const q = await queueOf(ctx, input.QueueUrl ?? '');
  // The script announces the deletion on the queue's wake channel: long polls on it, on every
  // instance, end now instead of at their deadline.
  found(await ctx.store.deleteQueue(q, ctx.now(), ctx.config.deleteCooldownSeconds * 1000));
  return {};
}
