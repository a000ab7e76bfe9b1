/** Read-modify-write of a queue's Policy with compare-and-set, retried on concurrent edits. */
import type { QueueRef } from '../domain.js';
import { SqsError } from '../errors.js';
import { queueArn } from '../sqs/queue-names.js';
import { type ActionContext, found } from './context.js';

const ATTEMPTS = 10;

export async function editPolicy(
  ctx: ActionContext,
  q: QueueRef,
  edit: (current: string, queueArn: string) => string,
): Promise<void> {
  const arn = queueArn(ctx.config.region, q);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const state = found(await ctx.store.getQueue(q, ctx.now()));
    const current = state.attributes.Policy ?? '';
    const next = edit(current, arn);
    if (found(await ctx.store.swapQueueAttribute(q, 'Policy', current, next, ctx.now())) === 'ok') return;
  }
  throw new SqsError('RequestThrottled', 'The queue policy is being changed concurrently; try again.');
}
