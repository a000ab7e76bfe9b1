/**
 * The one door from the protocol layer into the actions: each SQS action name to its handler, and
 * the dispatcher that builds an action's context from the service's parts and the request's scope.
 * Inputs arrive decoded and checked against the action's input shape (protocol/model.ts), which is
 * what makes the cast safe. The protocol layer sees no storage: a Redis known to be down, or a
 * command that failed for want of Redis, comes out as ServiceUnavailable.
 */
import { redisUnavailable, SqsError } from '../errors.js';
import type { StoreHealth } from '../store/store.js';
import { isRedisUnavailable } from '../store/unavailable.js';
import { addPermission } from './add-permission.js';
import { cancelMessageMoveTask } from './cancel-message-move-task.js';
import { changeMessageVisibility } from './change-message-visibility.js';
import { changeMessageVisibilityBatch } from './change-message-visibility-batch.js';
import type { ActionContext, ActionServices } from './context.js';
import { createQueue } from './create-queue.js';
import { deleteMessage } from './delete-message.js';
import { deleteMessageBatch } from './delete-message-batch.js';
import { deleteQueue } from './delete-queue.js';
import { getQueueAttributes } from './get-queue-attributes.js';
import { getQueueUrl } from './get-queue-url.js';
import { listDeadLetterSourceQueues } from './list-dead-letter-source-queues.js';
import { listMessageMoveTasks } from './list-message-move-tasks.js';
import { listQueueTags } from './list-queue-tags.js';
import { listQueues } from './list-queues.js';
import { purgeQueue } from './purge-queue.js';
import { receiveMessage } from './receive-message.js';
import { removePermission } from './remove-permission.js';
import { sendMessage } from './send-message.js';
import { sendMessageBatch } from './send-message-batch.js';
import { setQueueAttributes } from './set-queue-attributes.js';
import { startMessageMoveTask } from './start-message-move-task.js';
import { tagQueue } from './tag-queue.js';
import { untagQueue } from './untag-queue.js';

/** Any action's handler; `never` admits every input type, so each handler keeps its own. */
type Handler = (input: never, ctx: ActionContext) => Promise<object>;

const TABLE = {
  CreateQueue: createQueue,
  DeleteQueue: deleteQueue,
  GetQueueUrl: getQueueUrl,
  ListQueues: listQueues,
  GetQueueAttributes: getQueueAttributes,
  SetQueueAttributes: setQueueAttributes,
  PurgeQueue: purgeQueue,
  SendMessage: sendMessage,
  SendMessageBatch: sendMessageBatch,
  ReceiveMessage: receiveMessage,
  DeleteMessage: deleteMessage,
  DeleteMessageBatch: deleteMessageBatch,
  ChangeMessageVisibility: changeMessageVisibility,
  ChangeMessageVisibilityBatch: changeMessageVisibilityBatch,
  TagQueue: tagQueue,
  UntagQueue: untagQueue,
  ListQueueTags: listQueueTags,
  AddPermission: addPermission,
  RemovePermission: removePermission,
  ListDeadLetterSourceQueues: listDeadLetterSourceQueues,
  StartMessageMoveTask: startMessageMoveTask,
  CancelMessageMoveTask: cancelMessageMoveTask,
  ListMessageMoveTasks: listMessageMoveTasks,
} as const satisfies Record<string, Handler>;

/** The 23 actions of the SQS API. */
export type ActionName = keyof typeof TABLE;

export const IMPLEMENTED_ACTIONS = Object.keys(TABLE) as ActionName[];

/** Runs an action on input already checked against its shape. */
export function runAction(action: ActionName, input: object, ctx: ActionContext): Promise<object> {
  return (TABLE[action] as Handler)(input as never, ctx);
}

/** The wire protocol of a request: AWS JSON 1.0 (X-Amz-Target) or the query protocol (form, XML answers). */
export type WireProtocol = 'json' | 'query';

/** What a request brings to its action besides its input. */
export interface RequestScope {
  /** The wire protocol it came in (for the observer; actions answer the same either way). */
  readonly protocol: WireProtocol;
  /** Base of queue URLs for this request (configured, or from the Host header). */
  readonly baseUrl: string;
  /** Aborted when the caller is gone (a long poll whose client disconnected). */
  readonly signal: AbortSignal;
  /** The request's X-Amzn-Trace-Id header (undefined: none). */
  readonly traceHeader?: string | undefined;
  /** The caller's account: its access key's (auth/caller.ts). */
  readonly account: string;
}

export type Dispatch = (action: ActionName, input: object, scope: RequestScope) => Promise<object>;

/**
 * Watches the requests that reach an action (the metrics of metrics/): `begin` as the action
 * starts, its answer handed back to exactly one of `succeeded` and `failed` as the action settles.
 * Called on the request path: each call must be cheap and must not throw.
 */
export interface ActionObserver {
  begin(action: ActionName): number;
  succeeded(action: ActionName, protocol: WireProtocol, input: object, output: object, begun: number): void;
  /** `err` as the caller gets it: a want of Redis already turned into ServiceUnavailable. */
  failed(action: ActionName, protocol: WireProtocol, err: unknown, begun: number): void;
}

/**
 * The dispatcher of a service: runs actions with its parts. `health`, when given, answers
 * ServiceUnavailable at once while Redis is known to be down, and hears of commands that timed out.
 * `observer`, when given, hears of every request (without one, a request costs what it did before).
 * Each request's context is one object literal of a fixed shape (the service's parts, then the
 * scope), not a spread of the two: the same fields, at less cost on every request.
 */
export function createDispatcher(services: ActionServices, health?: StoreHealth, observer?: ActionObserver): Dispatch {
  const { store, config, longPolls, moves, log, now } = services;
  /** A failed action: SqsErrors as they are; a want of Redis as ServiceUnavailable. */
  const failed = (err: unknown): never => {
    if (err instanceof SqsError || !isRedisUnavailable(err)) throw err;
    if (err instanceof Error && err.message.includes('Command timed out')) health?.suspect(err.message);
    throw redisUnavailable();
  };
  const run = (action: ActionName, input: object, ctx: ActionContext): Promise<object> => {
    try {
      return runAction(action, input, ctx).catch(failed);
    } catch (err) {
      // A handler that threw before its first await (the handlers are async: none does today).
      return Promise.reject(err).catch(failed);
    }
  };
  return (action, input, scope) => {
    if (health?.isDown) {
      const down = redisUnavailable();
      observer?.failed(action, scope.protocol, down, observer.begin(action));
      return Promise.reject(down);
    }
    const ctx: ActionContext = {
      store,
      config,
      longPolls,
      moves,
      log,
      now,
      baseUrl: scope.baseUrl,
      signal: scope.signal,
      traceHeader: scope.traceHeader,
      account: scope.account,
      action,
    };
    if (observer === undefined) return run(action, input, ctx);
    const begun = observer.begin(action);
    return run(action, input, ctx).then(
      (output) => {
        observer.succeeded(action, scope.protocol, input, output, begun);
        return output;
      },
      (err: unknown) => {
        observer.failed(action, scope.protocol, err, begun);
        throw err;
      },
    );
  };
}
