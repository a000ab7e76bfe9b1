/** What ChangeMessageVisibility and its batch form share: checks and the mapping of outcomes. */
import { invalidValue, SqsError } from '../errors.js';
import { VISIBILITY_SECONDS } from '../sqs/limits.js';
import { checkRange, parameterError, RANGE_REASONS } from '../sqs/ranges.js';
import { expiredReceiptHandle } from '../sqs/receipt-handle.js';
import type { VisibilityStatus } from '../store/store.js';

/** VisibilityTimeout out of range (made once, not per call). */
const VISIBILITY_TIMEOUT_ERROR = parameterError('VisibilityTimeout', RANGE_REASONS.betweenIfProvided);

/** The most a message's visibility may be extended to from its receive, for the store. */
export const VISIBILITY_LIMIT_MS = VISIBILITY_SECONDS.max * 1000;

export function checkVisibility(seconds: number | undefined): number {
  if (seconds === undefined) throw invalidValue('VisibilityTimeout', 'null', 'Must be provided.');
  checkRange(seconds, VISIBILITY_SECONDS, VISIBILITY_TIMEOUT_ERROR);
  return seconds * 1000;
}

/** The error for an outcome other than 'changed', or undefined. */
export function visibilityError(status: VisibilityStatus, handle: string, seconds: number): SqsError | undefined {
  switch (status) {
    case 'changed':
      return undefined;
    case 'not-inflight':
      return new SqsError('MessageNotInflight', 'The message referred to is not in flight.');
    case 'over-limit':
      return invalidValue(
        'VisibilityTimeout',
        seconds,
        `Total VisibilityTimeout for the message is beyond the limit [${VISIBILITY_SECONDS.max} seconds]`,
      );
    case 'expired':
      // FIFO: the handle expired with the visibility timeout, as for DeleteMessage.
      return expiredReceiptHandle(handle);
    case 'no-message':
      return invalidValue(
        'ReceiptHandle',
        handle,
        'Message does not exist or is not available for visibility timeout change.',
      );
  }
}
