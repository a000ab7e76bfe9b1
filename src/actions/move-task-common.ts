/** What the three message move task actions share: handles, ARNs and their errors. */
import type { QueueRef } from '../domain.js';
import { invalidParameter, SqsError } from '../errors.js';
import { parseAnyQueueArn } from '../sqs/queue-names.js';
import type { ActionContext } from './context.js';
import { accessDenied, foreignAccess } from './queue-access.js';

export const notFound = (what: string): SqsError =>
  new SqsError('ResourceNotFoundException', `The resource that you specified for the ${what} parameter doesn't exist.`);

/**
 * The queue an ARN names, if it exists; ResourceNotFoundException otherwise. A queue of another
 * account goes through the queue-access gate, which refuses it: cross-account permissions do not
 * apply to the move task actions.
 */
export async function existingQueue(ctx: ActionContext, arn: string, parameter: string): Promise<QueueRef> {
  const q = parseAnyQueueArn(arn, ctx.config.region);
  if (!q) throw notFound(parameter);
  if (q.account === ctx.account) {
    if (!(await ctx.store.queueExists(q))) throw notFound(parameter);
    return q;
  }
  const access = await foreignAccess(ctx, q);
  if (access.status === 'missing') throw notFound(parameter);
  if (access.status === 'denied') throw accessDenied(ctx, q, access.permission, access.decision);
  return q;
}

interface Handle {
  taskId: string;
  sourceArn: string;
}

export function encodeTaskHandle(h: Handle): string {
  return Buffer.from(JSON.stringify(h), 'utf8').toString('base64');
}

/**
 * The task a handle names. A string that is no handle at all is InvalidParameterValue; a handle of
 * a task that does not exist is ResourceNotFoundException (recorded against SQS).
 */
export function decodeTaskHandle(handle: string): Handle {
  try {
    const h = JSON.parse(Buffer.from(handle, 'base64').toString('utf8')) as Partial<Handle>;
    if (typeof h.taskId === 'string' && typeof h.sourceArn === 'string')
      return { taskId: h.taskId, sourceArn: h.sourceArn };
  } catch {
    // fall through
  }
  throw invalidParameter('Value for parameter TaskHandle is invalid.');
}
