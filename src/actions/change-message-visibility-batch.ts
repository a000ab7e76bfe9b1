import type { ChangeMessageVisibilityBatchRequest, ChangeMessageVisibilityBatchResult } from '@aws-sdk/client-sqs';
import { decodeReceiptHandle, invalidReceiptHandle } from '../sqs/receipt-handle.js';
import { runBatch } from './batch.js';
import { checkVisibility, VISIBILITY_LIMIT_MS, visibilityError } from './change-visibility-common.js';
import { type ActionContext, found, queueOf } from './context.js';

export async function changeMessageVisibilityBatch(
  input: ChangeMessageVisibilityBatchRequest,
  ctx: ActionContext,
): Promise<ChangeMessageVisibilityBatchResult> {
  const q = await queueOf(ctx, input.QueueUrl ?? '');
  return runBatch(input.Entries ?? [], {
    entryName: 'ChangeMessageVisibilityBatchRequestEntry',
    prepare: (e) => {
      const handle = e.ReceiptHandle ?? '';
      const seconds = e.VisibilityTimeout ?? 0;
      const visibilityMs = checkVisibility(seconds);
      const receipt = decodeReceiptHandle(q, handle);
      if (!receipt) throw invalidReceiptHandle(handle);
      return { handle, seconds, ...receipt, visibilityMs };
    },
    apply: async (changes) => found(await ctx.store.changeVisibility(q, changes, ctx.now(), VISIBILITY_LIMIT_MS)),
    settle: (c, i, statuses) => {
      const err = visibilityError(statuses[i] ?? 'no-message', c.handle, c.seconds);
      if (err) throw err;
      return {};
    },
  });
}
