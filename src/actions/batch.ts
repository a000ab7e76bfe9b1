/**
 * The one batch loop of SendMessageBatch, DeleteMessageBatch and ChangeMessageVisibilityBatch:
 * 1..10 entries with distinct, well-formed ids; each entry checked on its own; one store call for
 * the entries that passed; each entry's outcome a Successful or a Failed entry. An SqsError of one
 * entry fails that entry alone; any error of the request's own checks or of the store call fails
 * the whole request.
 */
import type { BatchResultErrorEntry } from '@aws-sdk/client-sqs';
import { SqsError } from '../errors.js';
import { MAX_BATCH_ENTRIES, MAX_BATCH_ENTRY_ID_LENGTH } from '../sqs/limits.js';

const ENTRY_ID = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_BATCH_ENTRY_ID_LENGTH}}$`);

export interface BatchSteps<Entry extends { Id?: string }, Prepared, Applied, Success extends object> {
  /** The entry's shape as SQS names it in EmptyBatchRequest, e.g. SendMessageBatchRequestEntry. */
  entryName: string;
  /** Checks of the whole request, once its entries' count and ids are known good. */
  checkRequest?: (entries: readonly Entry[]) => void;
  /** One entry's own checks, and what the store needs of it. */
  prepare: (entry: Entry) => Prepared;
  /** The one store call for the entries that passed (not made when none did). */
  apply: (prepared: Prepared[]) => Promise<Applied>;
  /** The outcome of the i-th entry that passed: its Successful entry without Id, or a thrown SqsError. */
  settle: (prepared: Prepared, i: number, applied: Applied) => Success;
}

export interface BatchResult<Success extends object> {
  Successful: ({ Id: string } & Success)[];
  Failed: BatchResultErrorEntry[];
}

/**
 * Runs a batch request. Failed lists the entries that failed their own checks, in request order,
 * then those whose outcome failed; Successful the others, in request order.
 */
export async function runBatch<Entry extends { Id?: string }, Prepared, Applied, Success extends object>(
  entries: readonly Entry[],
  steps: BatchSteps<Entry, Prepared, Applied, Success>,
): Promise<BatchResult<Success>> {
  checkBatch(entries, steps.entryName);
  steps.checkRequest?.(entries);
  const Failed: BatchResultErrorEntry[] = [];
  // The ids and prepared entries of those that passed, side by side (no object per entry).
  const ids: string[] = [];
  const prepared: Prepared[] = [];
  for (const e of entries) {
    const id = e.Id as string;
    try {
      prepared.push(steps.prepare(e));
      ids.push(id);
    } catch (err) {
      Failed.push(failure(id, err));
    }
  }
  const Successful: ({ Id: string } & Success)[] = [];
  if (prepared.length > 0) {
    const applied = await steps.apply(prepared);
    for (let i = 0; i < prepared.length; i++) {
      const id = ids[i] as string;
      try {
        Successful.push({ Id: id, ...steps.settle(prepared[i] as Prepared, i, applied) });
      } catch (err) {
        Failed.push(failure(id, err));
      }
    }
  }
  return { Successful, Failed };
}

function checkBatch(entries: readonly { Id?: string }[], entryName: string): void {
  if (entries.length === 0) {
    throw new SqsError('EmptyBatchRequest', `There should be at least one ${entryName} in the request.`);
  }
  if (entries.length > MAX_BATCH_ENTRIES) {
    throw new SqsError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`,
    );
  }
  const seen = new Set<string>();
  for (const { Id } of entries) {
    const id = Id ?? '';
    if (!ENTRY_ID.test(id)) {
      throw new SqsError(
        'InvalidBatchEntryId',
        `A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most ${MAX_BATCH_ENTRY_ID_LENGTH} letters long.`,
      );
    }
    if (seen.has(id)) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    seen.add(id);
  }
}

/** An entry's error as a Failed entry; an error that is no SqsError fails the whole request. */
function failure(id: string, err: unknown): BatchResultErrorEntry {
  if (err instanceof SqsError) {
    return { Id: id, SenderFault: err.spec.fault === 'Sender', Code: err.spec.queryCode, Message: err.message };
  }
  throw err;
}
