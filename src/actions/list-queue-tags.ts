import type { ListQueueTagsRequest, ListQueueTagsResult } from '@aws-sdk/client-sqs';
import { type ActionContext, found, queueOf } from './context.js';

export async function listQueueTags(input: ListQueueTagsRequest, ctx: ActionContext): Promise<ListQueueTagsResult> {
  const q = await queueOf(ctx, input.QueueUrl ?? '');
  const tags = found(await ctx.store.listQueueTags(q));
  return Object.keys(tags).length > 0 ? { Tags: tags } : {};
}
