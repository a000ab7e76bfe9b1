import type { SetQueueAttributesRequest } from '@aws-sdk/client-sqs';
import { normalizeAttributes, validateAttributes, withEncryptionSwitch } from '../sqs/queue-attributes.js';
import { isFifoName } from '../sqs/queue-names.js';
import { type ActionContext, found, queueOf } from './context.js';
import { checkRedrive, withDeadLetterSource } from './redrive-check.js';

export async function setQueueAttributes(input: SetQueueAttributesRequest, ctx: ActionContext): Promise<object> {
  const q = await queueOf(ctx, input.QueueUrl ?? '');
  const attributes = input.Attributes ?? {};
  const fifo = isFifoName(q.name);
  validateAttributes(attributes, fifo);
  if (fifo && (attributes.DeduplicationScope || attributes.FifoThroughputLimit)) {
    // The pair is validated together, so the stored half of it counts too.
    const state = found(await ctx.store.getQueue(q, ctx.now()));
    validateAttributes({ ...pick(state.attributes), ...attributes }, fifo);
  }
  const redrive = await checkRedrive(ctx, q, normalizeAttributes(attributes));
  const stored = withEncryptionSwitch(redrive.attributes);
  found(await withDeadLetterSource(ctx, redrive, q, () => ctx.store.setQueueAttributes(q, stored, ctx.now())));
  return {};
}

function pick(attributes: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['DeduplicationScope', 'FifoThroughputLimit']) {
    const v = attributes[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}
