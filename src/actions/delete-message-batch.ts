import type { BatchResultErrorEntry, DeleteMessageBatchRequest, DeleteMessageBatchResult } from '@aws-sdk/client-sqs';
import { decodeReceiptHandle, expiredReceiptHandle, invalidReceiptHandle } from '../sqs/receipt-handle.js';
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
  const valid: { Id: string; handle: string; id: string; token: string }[] = [];
  for (const e of entries) {
    const handle = e.ReceiptHandle ?? '';
    const receipt = decodeReceiptHandle(q, handle);
    if (receipt) valid.push({ Id: e.Id as string, handle, ...receipt });
    else Failed.push(failure(e.Id as string, invalidReceiptHandle(handle)));
  }
  const Successful: { Id: string }[] = [];
  if (valid.length > 0) {
    const statuses = found(await ctx.store.deleteMessages(q, valid, ctx.now()));
    valid.forEach((v, i) => {
      if (statuses[i] === 'expired') Failed.push(failure(v.Id, expiredReceiptHandle(v.handle)));
      else Successful.push({ Id: v.Id });
    });
  }
  return { Successful, Failed };
}
