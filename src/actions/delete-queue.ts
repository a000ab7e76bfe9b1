import type { DeleteQueueRequest } from '@aws-sdk/client-sqs';
import { type ActionContext, found, queueOf } from './context.js';

export async function deleteQueue(input: DeleteQueueRequest, ctx: ActionContext): Promise<object> {
  const q = queueOf(ctx, input.QueueUrl ?? '');
  found(await ctx.store.deleteQueue(q, ctx.now(), ctx.config.deleteCooldownSeconds * 1000));
  // Long polls on the queue end now instead of at their deadline.
  ctx.notifier.notify(ctx.store.wakeChannel(q));
  return {};
}
