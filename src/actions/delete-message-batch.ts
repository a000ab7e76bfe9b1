import type { DeleteMessageBatchRequest, DeleteMessageBatchResult } from '@aws-sdk/client-sqs';
import { decodeReceiptHandle, expiredReceiptHandle, invalidReceiptHandle } from '../sqs/receipt-handle.js';
import { runBatch } from './batch.js';
import { type ActionContext, found, queueOf } from './context.js';

export async function deleteMessageBatch(
  input: DeleteMessageBatchRequest,
  ctx: ActionContext,
): Promise<DeleteMessageBatchResult> {
  const q = await queueOf(ctx, input.QueueUrl ?? '');
  return runBatch(input.Entries ?? [], {
    entryName: 'DeleteMessageBatchRequestEntry',
    prepare: (e) => {
      const handle = e.ReceiptHandle ?? '';
      const receipt = decodeReceiptHandle(q, handle);
      if (!receipt) throw invalidReceiptHandle(handle);
      return { handle, ...receipt };
    },
    apply: async (receipts) => found(await ctx.store.deleteMessages(q, receipts, ctx.now())),
    settle: (r, i, statuses) => {
      if (statuses[i] === 'expired') throw expiredReceiptHandle(r.handle);
      return {};
    },
  });
}
