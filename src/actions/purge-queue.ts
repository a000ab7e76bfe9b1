import type { PurgeQueueRequest } from '@aws-sdk/client-sqs';
import { SqsError } from '../errors.js';
import { type ActionContext, found, queueOf } from './context.js';

export async function purgeQueue(input: PurgeQueueRequest, ctx: ActionContext): Promise<object> {
  const q = await queueOf(ctx, input.QueueUrl ?? '');
  const cooldown = ctx.config.purgeCooldownSeconds;
  const result = found(await ctx.store.purgeQueue(q, ctx.now(), cooldown * 1000));
  if (result === 'too-soon') {
    throw new SqsError(
      'PurgeQueueInProgress',
      `Only one PurgeQueue operation on ${q.name} is allowed every ${cooldown} seconds.`,
    );
  }
  return {};
}
