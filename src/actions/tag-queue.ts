import type { TagQueueRequest } from '@aws-sdk/client-sqs';
import { invalidParameter } from '../errors.js';
import { MAX_TAGS } from '../sqs/limits.js';
import { validateTags } from '../sqs/tags.js';
import { type ActionContext, found, queueOf } from './context.js';

export async function tagQueue(input: TagQueueRequest, ctx: ActionContext): Promise<object> {
  const q = await queueOf(ctx, input.QueueUrl ?? '');
  const tags = input.Tags ?? {};
  validateTags(tags);
  const result = found(await ctx.store.tagQueue(q, tags, MAX_TAGS));
  if (result === 'too-many')
    throw invalidParameter(`Too many tags added for queue ${q.name}: at most ${MAX_TAGS} are allowed.`);
  return {};
}
