import type { GetQueueAttributesRequest, GetQueueAttributesResult } from '@aws-sdk/client-sqs';
import { requestedAttributeNames } from '../sqs/queue-attributes.js';
import { isFifoName, queueArn } from '../sqs/queue-names.js';
import { type ActionContext, found, queueOf } from './context.js';

export async function getQueueAttributes(
  input: GetQueueAttributesRequest,
  ctx: ActionContext,
): Promise<GetQueueAttributesResult> {
  const q = await queueOf(ctx, input.QueueUrl ?? '');
  const wanted = requestedAttributeNames(input.AttributeNames ?? [], isFifoName(q.name));
  const state = found(await ctx.store.getQueue(q, ctx.now()));
  if (wanted.size === 0) return {};
  const all: Record<string, string> = {
    QueueArn: queueArn(ctx.config.region, q),
    ApproximateNumberOfMessages: String(state.counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(state.counts.notVisible),
    ApproximateNumberOfMessagesDelayed: String(state.counts.delayed),
    CreatedTimestamp: String(Math.floor(state.createdMs / 1000)),
    LastModifiedTimestamp: String(Math.floor(state.modifiedMs / 1000)),
    ...state.attributes,
  };
  const Attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(all)) if (wanted.has(name)) Attributes[name] = value;
  return { Attributes };
}
