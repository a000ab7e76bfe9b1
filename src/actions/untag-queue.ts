import type { UntagQueueRequest } from '@aws-sdk/client-sqs';
import { type ActionContext, found, queueOf } from './context.js';

export async function untagQueue(input: UntagQueueRequest, ctx: ActionContext): Promise<object> {
  const q = await queueOf(ctx, input.QueueUrl ?? '');
  found(await ctx.store.untagQueue(q, input.TagKeys ?? []));
  return {};
}
