import type { GetQueueUrlRequest, GetQueueUrlResult } from '@aws-sdk/client-sqs';
import { queueDoesNotExist } from '../errors.js';
import { type ActionContext, found, urlOf } from './context.js';

export async function getQueueUrl(input: GetQueueUrlRequest, ctx: ActionContext): Promise<GetQueueUrlResult> {
  const owner = input.QueueOwnerAWSAccountId;
  if (owner !== undefined && owner !== ctx.config.accountId) throw queueDoesNotExist();
  const q = { account: ctx.config.accountId, name: input.QueueName ?? '' };
  if (!/^[A-Za-z0-9_.-]{1,80}$/.test(q.name)) throw queueDoesNotExist();
  found(await ctx.store.queueExists(q));
  return { QueueUrl: urlOf(ctx, q) };
}
