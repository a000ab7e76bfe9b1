import type { CancelMessageMoveTaskRequest, CancelMessageMoveTaskResult } from '@aws-sdk/client-sqs';
import { invalidParameter } from '../errors.js';
import { parseQueueArn } from '../sqs/queue-names.js';
import type { ActionContext } from './context.js';
import { decodeTaskHandle, notFound } from './move-task-common.js';

/** Asks a RUNNING task to stop; messages already moved stay moved. */
export async function cancelMessageMoveTask(
  input: CancelMessageMoveTaskRequest,
  ctx: ActionContext,
): Promise<CancelMessageMoveTaskResult> {
  const { taskId, sourceArn } = decodeTaskHandle(input.TaskHandle ?? '');
  const source = parseQueueArn(sourceArn, ctx.config.region, ctx.config.accountId);
  if (!source) throw notFound('TaskHandle');
  const task = await ctx.moves.updateTask(source, taskId, { status: 'CANCELLING', requireStatus: 'RUNNING' });
  if (task === undefined) throw notFound('TaskHandle');
  if (task === 'wrong-status') throw invalidParameter('Only a task in status RUNNING can be cancelled.');
  return { ApproximateNumberOfMessagesMoved: task.ApproximateNumberOfMessagesMoved };
}
