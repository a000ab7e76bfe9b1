import type { ChangeMessageVisibilityRequest } from '@aws-sdk/client-sqs';
import { decodeReceiptHandle, invalidReceiptHandle } from '../sqs/receipt-handle.js';
import { checkVisibility, VISIBILITY_LIMIT_MS, visibilityError } from './change-visibility-common.js';
import { type ActionContext, found, queueOf } from './context.js';

export async function changeMessageVisibility(
  input: ChangeMessageVisibilityRequest,
  ctx: ActionContext,
): Promise<object> {
  const q = await queueOf(ctx, input.QueueUrl ?? '');
  const handle = input.ReceiptHandle ?? '';
  const visibilityMs = checkVisibility(input.VisibilityTimeout);
  const receipt = decodeReceiptHandle(q, handle);
  if (!receipt) throw invalidReceiptHandle(handle);
  const [status] = found(
    await ctx.store.changeVisibility(q, [{ ...receipt, visibilityMs }], ctx.now(), VISIBILITY_LIMIT_MS),
  );
  const err = visibilityError(status ?? 'no-message', handle, input.VisibilityTimeout ?? 0);
  if (err) throw err;
  return {};
}
