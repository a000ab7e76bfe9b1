import type { GetQueueUrlRequest, GetQueueUrlResult } from '@aws-sdk/client-sqs';
import { queueDoesNotExist } from '../errors.js';
import { QUEUE_NAME_LIKE } from '../sqs/queue-names.js';
import { type ActionContext, requireQueue, urlOf } from './context.js';

const NAME_LIKE = new RegExp(`^${QUEUE_NAME_LIKE}$`);

export async function getQueueUrl(input: GetQueueUrlRequest, ctx: ActionContext): Promise<GetQueueUrlResult> {
  const owner = input.QueueOwnerAWSAccountId;
  if (owner !== undefined && owner !== ctx.config.accountId) throw queueDoesNotExist();
  const q = { account: ctx.config.accountId, name: input.QueueName ?? '' };
  if (!NAME_LIKE.test(q.name)) throw queueDoesNotExist();
  await requireQueue(ctx, q);
  return { QueueUrl: urlOf(ctx, q) };
}
