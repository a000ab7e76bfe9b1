/**
 * The one gate for queues of another account. A caller's own queues are its to use (as in SQS
 * without IAM: same-account access needs no queue policy). A queue of another account is used only
 * if that account's queue Policy allows the caller's account the permission the action needs
 * (auth/policy-eval.ts); the actions to which cross-account permissions never apply are refused
 * whatever the policy says. Every action that names a queue resolves it through here
 * (context.ts queueOf, move-task-common.ts), so a batch action is refused as a whole.
 */
import { type Decision, evaluate, type Policy, PolicyError, parsePolicy } from '../auth/policy-eval.js';
import type { QueueRef } from '../domain.js';
import { SqsError } from '../errors.js';
import { queueArn } from '../sqs/queue-names.js';
import type { ActionContext } from './context.js';
import type { ActionName } from './dispatch.js';

/**
 * The permission each action needs on another account's queue: its own name, the batch actions
 * their single form's (SQS Developer Guide, "Amazon SQS API permissions: Actions and resource
 * reference" and "Amazon SQS batch actions"). The actions left out are those "cross-account
 * permissions don't apply to" (SQS Developer Guide, "Limitations of Amazon SQS custom policies":
 * AddPermission, CancelMessageMoveTask, CreateQueue, DeleteQueue, ListMessageMoveTasks, ListQueues,
 * ListQueueTags, RemovePermission, SetQueueAttributes, StartMessageMoveTask, TagQueue, UntagQueue).
 */
export const CROSS_ACCOUNT_PERMISSIONS: Readonly<Partial<Record<ActionName, string>>> = {
  GetQueueUrl: 'GetQueueUrl',
  GetQueueAttributes: 'GetQueueAttributes',
  SendMessage: 'SendMessage',
  SendMessageBatch: 'SendMessage',
  ReceiveMessage: 'ReceiveMessage',
  DeleteMessage: 'DeleteMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibility: 'ChangeMessageVisibility',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
  PurgeQueue: 'PurgeQueue',
  ListDeadLetterSourceQueues: 'ListDeadLetterSourceQueues',
};

/** What the gate says of another account's queue. */
export type ForeignAccess =
  | { readonly status: 'allowed' }
  | { readonly status: 'missing' }
  | { readonly status: 'denied'; readonly permission: string; readonly decision: Exclude<Decision, 'allow'> };

/**
 * Whether the context's action may use `q`, a queue of another account than the caller's. Reads
 * the queue (one round trip); a direct call carries no aws:SourceArn or aws:SourceAccount.
 */
export async function foreignAccess(
  ctx: ActionContext,
  q: QueueRef,
  action: ActionName | undefined = ctx.action,
): Promise<ForeignAccess> {
  const state = await ctx.store.getQueue(q, ctx.now());
  if (state === undefined) return { status: 'missing' };
  const permission = action === undefined ? undefined : CROSS_ACCOUNT_PERMISSIONS[action];
  if (permission === undefined) {
    return { status: 'denied', permission: action ?? 'unknown', decision: 'implicit-deny' };
  }
  const policy = cachedPolicy(state.attributes.Policy);
  if (policy === undefined) return { status: 'denied', permission, decision: 'implicit-deny' };
  const decision = evaluate(policy, {
    account: ctx.account,
    action: permission,
    resource: queueArn(ctx.config.region, q),
  });
  return decision === 'allow' ? { status: 'allowed' } : { status: 'denied', permission, decision };
}

/** Resolves to `q` when the caller may use it; otherwise throws what SQS answers. */
export async function admitForeign(ctx: ActionContext, q: QueueRef): Promise<QueueRef> {
  const access = await foreignAccess(ctx, q);
  if (access.status === 'allowed') return q;
  if (access.status === 'missing') throw noSuchQueueOrNoAccess();
  throw accessDenied(ctx, q, access.permission, access.decision);
}

/**
 * Another account's queue that does not exist, or (GetQueueUrl) that the caller may not see:
 * SQS answers AWS.SimpleQueueService.NonExistentQueue with this message (spring-cloud-aws#417,
 * php-enqueue/enqueue-dev#685, fluent/fluent-plugin-s3#342: GetQueueUrl with QueueOwnerAWSAccountId).
 */
export const noSuchQueueOrNoAccess = (): SqsError =>
  new SqsError('QueueDoesNotExist', 'The specified queue does not exist or you do not have access to it.');

/**
 * AccessDenied (403, Sender), in the words IAM uses for resource-based policies ("Troubleshoot
 * access denied error messages", IAM User Guide) with SQS's lower-case action, as SQS answered a
 * cross-account SendMessage (microsoft/aspire#3333): "User: <arn> is not authorized to perform:
 * sqs:sendmessage on resource: <queue arn> because no resource-based policy allows the
 * sqs:sendmessage action". The caller is its account's root here: it is known by account only.
 */
export function accessDenied(
  ctx: ActionContext,
  q: QueueRef,
  permission: string,
  decision: Exclude<Decision, 'allow'>,
): SqsError {
  const action = `sqs:${permission.toLowerCase()}`;
  const why =
    decision === 'explicit-deny'
      ? 'with an explicit deny in a resource-based policy'
      : `because no resource-based policy allows the ${action} action`;
  return new SqsError(
    'AccessDeniedException',
    `User: arn:aws:iam::${ctx.account}:root is not authorized to perform: ${action} on resource: ${queueArn(ctx.config.region, q)} ${why}`,
  );
}

/** Parsed policies by their text, so a shared queue's policy is parsed once, not per request. */
const parsed = new Map<string, Policy | undefined>();
const MAX_CACHED = 256;

/**
 * A stored policy, parsed; undefined when there is none or when it cannot be parsed (one stored
 * before policies were checked on write): such a policy allows nothing.
 */
function cachedPolicy(text: string | undefined): Policy | undefined {
  if (!text) return undefined;
  if (parsed.has(text)) return parsed.get(text);
  let policy: Policy | undefined;
  try {
    policy = parsePolicy(text);
  } catch (err) {
    if (!(err instanceof PolicyError)) throw err;
  }
  if (parsed.size >= MAX_CACHED) parsed.clear();
  parsed.set(text, policy);
  return policy;
}
