/** What every action gets: storage, configuration, the clock. Never the request or the protocol. */
import type { Config } from '../config.js';
import type { QueueRef } from '../domain.js';
import { queueDoesNotExist } from '../errors.js';
import type { Logger } from '../log.js';
import { parseAnyQueueUrl, queueUrl } from '../sqs/queue-names.js';
import type { LongPolls } from '../store/long-polls.js';
import type { Moves } from '../store/moves.js';
import type { Store } from '../store/store.js';
import type { ActionName } from './dispatch.js';
import { admitForeign } from './queue-access.js';

/** What actions use of Moves: redrive on receive, and the move task actions. */
export type ActionMoves = Pick<Moves, 'drainOutbox' | 'startTask' | 'updateTask' | 'listTasks'>;

/** The service's parts that every action may use. */
export interface ActionServices {
  readonly store: Store;
  readonly config: Config;
  /** Waiting for messages (long polls). */
  readonly longPolls: LongPolls;
  /** Moves between queues and move tasks. */
  readonly moves: ActionMoves;
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
  readonly traceHeader?: string | undefined;
  /**
   * The caller's account (its access key's, however it was found): the account its CreateQueue,
   * ListQueues and GetQueueUrl act in and the SenderId of what it sends. Queues of other accounts
   * it may use only as their policies allow (queue-access.ts).
   */
  readonly account: string;
  /** The action being run (the dispatcher's): what the queue-access gate checks a policy for. */
  readonly action?: ActionName | undefined;
}

export type Action<I, O> = (input: I, ctx: ActionContext) => Promise<O>;

/**
 * The queue a QueueUrl names: the caller's own, or another account's that the queue-access gate
 * lets the caller use (a round trip to read its policy); otherwise the SQS error.
 */
export async function queueOf(ctx: ActionContext, url: string): Promise<QueueRef> {
  const q = parseAnyQueueUrl(url);
  return q.account === ctx.account ? q : admitForeign(ctx, q);
}

export function urlOf(ctx: ActionContext, q: QueueRef): string {
  return queueUrl(ctx.baseUrl, q);
}

/** A store call's answer; QueueDoesNotExist when it was undefined (the store's "no such queue"). */
export function found<T>(value: T | undefined): T {
  if (value === undefined) throw queueDoesNotExist();
  return value;
}

/** Throws QueueDoesNotExist unless the queue exists. */
export async function requireQueue(ctx: ActionContext, q: QueueRef): Promise<void> {
  if (!(await ctx.store.queueExists(q))) throw queueDoesNotExist();
}
