/** Queue names, URLs and ARNs. */
import type { QueueRef } from '../domain.js';
import { invalidParameter, queueDoesNotExist, SqsError } from '../errors.js';
import { MAX_QUEUE_NAME_LENGTH } from './limits.js';

const NAME = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_QUEUE_NAME_LENGTH}}$`);
/** `.fifo` counts towards the name's length. */
const FIFO_NAME = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_QUEUE_NAME_LENGTH - '.fifo'.length}}\\.fifo$`);
/** What an existing queue's name may look like, for lookups: the name's characters and `.`. */
export const QUEUE_NAME_LIKE = `[A-Za-z0-9_.-]{1,${MAX_QUEUE_NAME_LENGTH}}`;
/** An account id as queue URLs and ARNs carry it. */
const ACCOUNT = /^\d{12}$/;
const ARN = new RegExp(`^arn:aws:sqs:([^:]+):(\\d{12}):(${QUEUE_NAME_LIKE})$`);

export function isFifoName(name: string): boolean {
  return name.endsWith('.fifo');
}

export function validateQueueName(name: string): void {
  if (!NAME.test(name) && !FIFO_NAME.test(name)) {
    throw invalidParameter(
      `Can only include alphanumeric characters, hyphens, or underscores. 1 to ${MAX_QUEUE_NAME_LENGTH} in length`,
    );
  }
}

export function queueUrl(base: string, q: QueueRef): string {
  return `${base}/${q.account}/${q.name}`;
}

export function queueArn(region: string, q: QueueRef): string {
  return `arn:aws:sqs:${region}:${q.account}:${q.name}`;
}

/**
 * A QueueUrl from any host: `scheme://host[:port]/<account>/<name>`, of any account. The host is
 * ignored so URLs built behind proxies or in containers still work. Whether the caller may use a
 * queue of another account is the actions' gate to decide (actions/queue-access.ts), not the parser's.
 */
export function parseAnyQueueUrl(url: string): QueueRef {
  const match = /^(?:https?:\/\/[^/]+)?\/+([^/?#]+)\/([^/?#]+)\/*$/.exec(url.trim());
  if (!match) {
    if (/^https?:\/\//.test(url)) throw queueDoesNotExist();
    throw new SqsError('InvalidAddress', `The address ${url} is not valid for this endpoint.`);
  }
  const [, account, name] = match as unknown as [string, string, string];
  if (!ACCOUNT.test(account) || (!NAME.test(name) && !FIFO_NAME.test(name))) throw queueDoesNotExist();
  return { account, name };
}

/** A QueueUrl of the given account (see parseAnyQueueUrl); another account's is QueueDoesNotExist. */
export function parseQueueUrl(url: string, account: string): QueueRef {
  const q = parseAnyQueueUrl(url);
  if (q.account !== account) throw queueDoesNotExist();
  return q;
}

/** The queue an ARN of this region names, of any account; undefined for anything else. */
export function parseAnyQueueArn(arn: string, region: string): QueueRef | undefined {
  const m = ARN.exec(arn);
  if (!m || m[1] !== region) return undefined;
  return { account: m[2] as string, name: m[3] as string };
}

/** The queue an ARN of this region and account names; undefined for anything else. */
export function parseQueueArn(arn: string, region: string, account: string): QueueRef | undefined {
  const q = parseAnyQueueArn(arn, region);
  return q?.account === account ? q : undefined;
}
