/** What ChangeMessageVisibility and its batch form share: checks and the mapping of outcomes. */
import { invalidValue, SqsError } from '../errors.js';
import { expiredReceiptHandle } from '../sqs/receipt-handle.js';
import type { VisibilityStatus } from '../store/store.js';

export const MAX_VISIBILITY_SECONDS = 43_200;

export function checkVisibility(seconds: number | undefined): number {
  if (seconds === undefined) throw invalidValue('VisibilityTimeout', 'null', 'Must be provided.');
  if (seconds < 0 || seconds > MAX_VISIBILITY_SECONDS) {
    throw invalidValue('VisibilityTimeout', seconds, `Must be between 0 and ${MAX_VISIBILITY_SECONDS}, if provided.`);
  }
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
        `Total VisibilityTimeout for the message is beyond the limit [${MAX_VISIBILITY_SECONDS} seconds]`,
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
