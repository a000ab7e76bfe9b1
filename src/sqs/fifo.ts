/** FIFO identifiers and sequence numbers. */
import { invalidValue } from '../errors.js';
import { MAX_FIFO_ID_LENGTH } from './limits.js';

/** Group, deduplication and receive-attempt ids: alphanumeric or punctuation characters. */
const FIFO_ID = new RegExp(`^[!-~]{1,${MAX_FIFO_ID_LENGTH}}$`);

export function checkFifoId(name: string, value: string): void {
  if (!FIFO_ID.test(value)) {
    throw invalidValue(
      name,
      value,
      `${name} can only include alphanumeric and punctuation characters. 1 to ${MAX_FIFO_ID_LENGTH} in length.`,
    );
  }
}

/**
 * SQS sequence numbers are large (20 digits), non-consecutive across groups and increasing; ours
 * are the queue's send counter offset into that range, so they compare the same as strings and numbers.
 */
export function formatSequenceNumber(seq: string | number): string {
  return (10n ** 19n + BigInt(seq)).toString();
}
