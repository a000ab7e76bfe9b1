/**
 * Receipt handles: opaque to clients, new on every receive. They carry the queue name, the
 * message id and the token of the receive that produced them.
 */
import type { QueueRef } from '../domain.js';
import { invalidValue, SqsError } from '../errors.js';

export interface Receipt {
  id: string;
  token: string;
}

export function encodeReceiptHandle(q: QueueRef, id: string, token: string): string {
  return Buffer.from(`1 ${q.name} ${id} ${token}`, 'utf8').toString('base64');
}

export function invalidReceiptHandle(handle: string): SqsError {
  return new SqsError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);
}

/**
 * A FIFO receipt handle whose visibility timeout has ended (SQS: "The receipt handle has
 * expired"), given to DeleteMessage or ChangeMessageVisibility; DeleteMessage also says so of a
 * handle that a newer receive replaced.
 */
export function expiredReceiptHandle(handle: string): SqsError {
  return invalidValue('ReceiptHandle', handle, 'The receipt handle has expired.');
}

/** Undefined when the handle is malformed or belongs to another queue. */
export function decodeReceiptHandle(q: QueueRef, handle: string): Receipt | undefined {
  if (handle.length === 0 || handle.length > 1024 || !/^[A-Za-z0-9+/]+=*$/.test(handle)) return undefined;
  const parts = Buffer.from(handle, 'base64').toString('utf8').split(' ');
  if (parts.length !== 4 || parts[0] !== '1' || parts[1] !== q.name) return undefined;
  const [, , id, token] = parts as [string, string, string, string];
  if (!/^[0-9a-f-]{36}$/.test(id) || token === '') return undefined;
  return { id, token };
}
