import type {
  BatchResultErrorEntry,
  ChangeMessageVisibilityBatchRequest,
  ChangeMessageVisibilityBatchResult,
  ChangeMessageVisibilityBatchResultEntry,
} from '@aws-sdk/client-sqs';
import { decodeReceiptHandle, invalidReceiptHandle } from '../sqs/receipt-handle.js';
import { checkBatch, failure } from './batch.js';
import { checkVisibility, MAX_VISIBILITY_SECONDS, visibilityError } from './change-visibility-common.js';
import { type ActionContext, found, queueOf } from './context.js';

export async function changeMessageVisibilityBatch(
  input: ChangeMessageVisibilityBatchRequest,
  ctx: ActionContext,
): Promise<ChangeMessageVisibilityBatchResult> {
  const q = queueOf(ctx, input.QueueUrl ?? '');
  const entries = input.Entries ?? [];
  checkBatch(entries, 'ChangeMessageVisibilityBatchRequestEntry');
  const Failed: BatchResultErrorEntry[] = [];
  const valid: { Id: string; handle: string; seconds: number; id: string; token: string; visibilityMs: number }[] = [];
  for (const e of entries) {
    const Id = e.Id as string;
    const handle = e.ReceiptHandle ?? '';
    try {
      const visibilityMs = checkVisibility(e.VisibilityTimeout ?? 0);
      const receipt = decodeReceiptHandle(q, handle);
      if (!receipt) throw invalidReceiptHandle(handle);
      valid.push({ Id, handle, seconds: e.VisibilityTimeout ?? 0, ...receipt, visibilityMs });
    } catch (err) {
      Failed.push(failure(Id, err));
    }
  }
  const Successful: ChangeMessageVisibilityBatchResultEntry[] = [];
  if (valid.length > 0) {
    const statuses = found(await ctx.store.changeVisibility(q, valid, ctx.now(), MAX_VISIBILITY_SECONDS * 1000));
    valid.forEach((v, i) => {
      const err = visibilityError(statuses[i] ?? 'no-message', v.handle, v.seconds);
      if (err) Failed.push(failure(v.Id, err));
      else Successful.push({ Id: v.Id });
    });
  }
  return { Successful, Failed };
}
