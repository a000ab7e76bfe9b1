/** What every action gets: storage, configuration, the clock. Never the request or the protocol. */
import type { Config } from '../config.js';
import type { QueueRef } from '../domain.js';
import { queueDoesNotExist } from '../errors.js';
import type { Logger } from '../log.js';
import { parseQueueUrl, queueUrl } from '../sqs/queue-names.js';
import type { Notifier } from '../store/notifier.js';
import type { RedisMoves } from '../store/redis-moves.js';
import type { Store } from '../store/store.js';

/** The service's parts that every action may use. */
export interface ActionServices {
  readonly store: Store;
  readonly config: Config;
  readonly notifier: Notifier;
  /** Moves between queues and move tasks. */
  readonly moves: RedisMoves;
  readonly log: Logger;
  /** Milliseconds since the epoch, from the injected clock. */
  now(): number;
}

/** An action's context: the service's parts and the request's scope. */
export interface ActionContext extends ActionServices {
  /** Base of queue URLs for this request (configured, or from the Host header). */
  readonly baseUrl: string;
  /** Aborted when the caller is gone (e.g. a long poll whose client disconnected). */
  readonly signal: AbortSignal;
  /**
   * The request's X-Amzn-Trace-Id header, if it had one: SQS stores it as a sent message's
   * AWSTraceHeader system attribute when the message does not set that attribute itself.
   */
  readonly traceHeader?: string;
}

export type Action<I, O> = (input: I, ctx: ActionContext) => Promise<O>;

export function queueOf(ctx: ActionContext, url: string): QueueRef {
  return parseQueueUrl(url, ctx.config.accountId);
}

export function urlOf(ctx: ActionContext, q: QueueRef): string {
  return queueUrl(ctx.baseUrl, q);
}

/** Throws QueueDoesNotExist when a store call reported a missing queue. */
export function found<T>(value: T | undefined | false): T {
  if (value === undefined || value === false) throw queueDoesNotExist();
  return value;
}
