import type { GetQueueUrlRequest, GetQueueUrlResult } from '@aws-sdk/client-sqs';
import { queueDoesNotExist } from '../errors.js';
import { QUEUE_NAME_LIKE } from '../sqs/queue-names.js';
import { type ActionContext, requireQueue, urlOf } from './context.js';
import { foreignAccess, noSuchQueueOrNoAccess } from './queue-access.js';

const NAME_LIKE = new RegExp(`^${QUEUE_NAME_LIKE}$`);
const ACCOUNT_ID = /^\d{12}$/;

/**
 * The URL of a queue of the caller's account, or of QueueOwnerAWSAccountId's if its policy allows
 * the caller sqs:GetQueueUrl. SQS does not tell a queue of another account that does not exist from
 * one the caller may not see: both are QueueDoesNotExist (queue-access.ts).
 */
export async function getQueueUrl(input: GetQueueUrlRequest, ctx: ActionContext): Promise<GetQueueUrlResult> {
  const q = { account: input.QueueOwnerAWSAccountId ?? ctx.account, name: input.QueueName ?? '' };
  if (q.account === ctx.account) {
    if (!NAME_LIKE.test(q.name)) throw queueDoesNotExist();
    await requireQueue(ctx, q);
  } else if (
    !ACCOUNT_ID.test(q.account) ||
    !NAME_LIKE.test(q.name) ||
    (await foreignAccess(ctx, q, 'GetQueueUrl')).status !== 'allowed'
  ) {
    throw noSuchQueueOrNoAccess();
  }
  return { QueueUrl: urlOf(ctx, q) };
}
