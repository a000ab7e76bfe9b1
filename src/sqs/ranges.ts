/**
 * "An integer in this range, or this error": the one check behind every numeric parameter and
 * attribute. What differs between them is only the error SQS gives (its code and its wording, which
 * SQS words differently from parameter to parameter); the wordings are kept here, by name.
 */
import { invalidValue, type SqsError } from '../errors.js';
import type { Range } from './limits.js';

export function inRange(value: number, { min, max }: Range): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** Throws `error(value, range)` when a value is given and is no integer of the range; an absent value passes. */
export function checkRange(
  value: number | undefined,
  range: Range,
  error: (value: number, range: Range) => SqsError,
): void {
  if (value !== undefined && !inRange(value, range)) throw error(value, range);
}

/**
 * The error for a request parameter: InvalidParameterValue, "Value <v> for parameter <name> is
 * invalid. Reason: <reason>", the reason one of the wordings below.
 */
export const parameterError =
  (name: string, reason: (r: Range) => string) =>
  (value: number, range: Range): SqsError =>
    invalidValue(name, value, reason(range));

/** The wordings SQS gives for a parameter out of its range (recorded against SQS). */
export const RANGE_REASONS = {
  /** ReceiveMessage's MaxNumberOfMessages, ChangeMessageVisibility's VisibilityTimeout. */
  betweenIfProvided: (r: Range): string => `Must be between ${r.min} and ${r.max}, if provided.`,
  /** ReceiveMessage's VisibilityTimeout and WaitTimeSeconds. */
  boundsIfProvided: (r: Range): string => `Must be >= ${r.min} and <= ${r.max}, if provided.`,
  /** StartMessageMoveTask's MaxNumberOfMessagesPerSecond, ListMessageMoveTasks' MaxResults. */
  between: (r: Range): string => `Must be between ${r.min} and ${r.max}.`,
  /** A message's DelaySeconds. */
  delaySeconds: (r: Range): string => `DelaySeconds must be >= ${r.min} and <= ${r.max}.`,
  /** ListQueues' and ListDeadLetterSourceQueues' MaxResults. */
  maxResults: (r: Range): string => `MaxResults must be an integer between ${r.min} and ${r.max}.`,
} as const;
