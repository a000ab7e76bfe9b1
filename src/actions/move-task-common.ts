/** What the three message move task actions share: handles, ARNs and their errors. */
import type { QueueRef } from '../domain.js';
import { invalidParameter, SqsError } from '../errors.js';
import { parseQueueArn } from '../sqs/queue-names.js';
import type { ActionContext } from './context.js';

export const notFound = (what: string): SqsError =>
  new SqsError('ResourceNotFoundException', `The resource that you specified for the ${what} parameter doesn't exist.`);

/** The queue an ARN names, if it exists; ResourceNotFoundException otherwise. */
export async function existingQueue(ctx: ActionContext, arn: string, parameter: string): Promise<QueueRef> {
  const q = parseQueueArn(arn, ctx.config.region, ctx.config.accountId);
  if (!q || !(await ctx.store.queueExists(q))) throw notFound(parameter);
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
