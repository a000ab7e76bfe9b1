import type { CancelMessageMoveTaskRequest, CancelMessageMoveTaskResult } from '@aws-sdk/client-sqs';
import { invalidParameter } from '../errors.js';
import { parseAnyQueueArn } from '../sqs/queue-names.js';
import type { ActionContext } from './context.js';
import { decodeTaskHandle, existingQueue, notFound } from './move-task-common.js';

/** Asks a RUNNING task to stop; messages already moved stay moved. */
export async function cancelMessageMoveTask(
  input: CancelMessageMoveTaskRequest,
  ctx: ActionContext,
): Promise<CancelMessageMoveTaskResult> {
  const { taskId, sourceArn } = decodeTaskHandle(input.TaskHandle ?? '');
  const source = parseAnyQueueArn(sourceArn, ctx.config.region);
  if (!source) throw notFound('TaskHandle');
  // Another account's task: the gate refuses it (no move task action applies across accounts).
  if (source.account !== ctx.account) await existingQueue(ctx, sourceArn, 'TaskHandle');
  const task = await ctx.moves.updateTask(source, taskId, { status: 'CANCELLING', requireStatus: 'RUNNING' });
  if (task === undefined) throw notFound('TaskHandle');
  if (task === 'wrong-status') throw invalidParameter('Only a task in status RUNNING can be cancelled.');
  return { ApproximateNumberOfMessagesMoved: task.ApproximateNumberOfMessagesMoved };
}
