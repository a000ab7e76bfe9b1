import type { BatchResultErrorEntry, DeleteMessageBatchRequest, DeleteMessageBatchResult } from '@aws-sdk/client-sqs';
import { decodeReceiptHandle, invalidReceiptHandle } from '../sqs/receipt-handle.js';
import { checkBatch, failure } from './batch.js';
import { type ActionContext, found, queueOf } from './context.js';

export async function deleteMessageBatch(
  input: DeleteMessageBatchRequest,
  ctx: ActionContext,
): Promise<DeleteMessageBatchResult> {
  const q = queueOf(ctx, input.QueueUrl ?? '');
  const entries = input.Entries ?? [];
  checkBatch(entries, 'DeleteMessageBatchRequestEntry');
  const Failed: BatchResultErrorEntry[] = [];
  const ok: { Id: string; messageId: string }[] = [];
  for (const e of entries) {
    const receipt = decodeReceiptHandle(q, e.ReceiptHandle ?? '');
    if (receipt) ok.push({ Id: e.Id as string, messageId: receipt.id });
    else Failed.push(failure(e.Id as string, invalidReceiptHandle(e.ReceiptHandle ?? '')));
  }
  if (ok.length > 0)
    found(
      await ctx.store.deleteMessages(
        q,
        ok.map((e) => e.messageId),
      ),
    );
  return { Successful: ok.map((e) => ({ Id: e.Id })), Failed };
}
