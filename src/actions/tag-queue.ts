import type { TagQueueRequest } from '@aws-sdk/client-sqs';
import { validateTags } from '../sqs/tags.js';
import { type ActionContext, found, queueOf } from './context.js';

export async function tagQueue(input: TagQueueRequest, ctx: ActionContext): Promise<object> {
  const q = queueOf(ctx, input.QueueUrl ?? '');
  const tags = input.Tags ?? {};
  validateTags(tags);
  found(await ctx.store.tagQueue(q, tags));
  return {};
}
