/**
 * The rules every batch action shares: 1..10 entries, ids distinct and well formed, and results
 * split into Successful and Failed entries.
 */
import type { BatchResultErrorEntry } from '@aws-sdk/client-sqs';
import { SqsError } from '../errors.js';

const ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
export const MAX_BATCH = 10;

export function checkBatch(entries: readonly { Id?: string }[], entryName: string): void {
  if (entries.length === 0) {
    throw new SqsError('EmptyBatchRequest', `There should be at least one ${entryName} in the request.`);
  }
  if (entries.length > MAX_BATCH) {
    throw new SqsError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${MAX_BATCH}. You have sent ${entries.length}.`,
    );
  }
  const seen = new Set<string>();
  for (const { Id } of entries) {
    const id = Id ?? '';
    if (!ENTRY_ID.test(id)) {
      throw new SqsError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (seen.has(id)) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    seen.add(id);
  }
}

export function failure(id: string, err: unknown): BatchResultErrorEntry {
  if (err instanceof SqsError) {
    return { Id: id, SenderFault: err.spec.fault === 'Sender', Code: err.spec.queryCode, Message: err.message };
  }
  throw err;
}
