import type { ListMessageMoveTasksRequest, ListMessageMoveTasksResult } from '@aws-sdk/client-sqs';
import { invalidValue } from '../errors.js';
import type { ActionContext } from './context.js';
import { existingQueue } from './move-task-common.js';

/** The most recent move tasks of a queue (default 1, at most 10), newest first. */
export async function listMessageMoveTasks(
  input: ListMessageMoveTasksRequest,
  ctx: ActionContext,
): Promise<ListMessageMoveTasksResult> {
  const max = input.MaxResults ?? 1;
  if (max < 1 || max > 10) throw invalidValue('MaxResults', max, 'Must be between 1 and 10.');
  const source = await existingQueue(ctx, input.SourceArn ?? '', 'SourceArn');
  const tasks = (await ctx.moves.listTasks(source)).slice(0, max);
  return {
    Results: tasks.map((t) => {
      // The handle is only given while the task can still be cancelled.
      const { TaskHandle, FailureReason, ...rest } = t;
      return {
        ...rest,
        ...(t.Status === 'RUNNING' ? { TaskHandle } : {}),
        ...(t.Status === 'FAILED' && FailureReason ? { FailureReason } : {}),
      };
    }),
  };
}
