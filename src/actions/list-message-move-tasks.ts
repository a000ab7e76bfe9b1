import type { ListMessageMoveTasksRequest, ListMessageMoveTasksResult } from '@aws-sdk/client-sqs';
import { MOVE_TASK_RESULTS } from '../sqs/limits.js';
import { checkRange, parameterError, RANGE_REASONS } from '../sqs/ranges.js';
import type { ActionContext } from './context.js';
import { existingQueue } from './move-task-common.js';

/** The most recent move tasks of a queue (default 1, at most 10), newest first. */
export async function listMessageMoveTasks(
  input: ListMessageMoveTasksRequest,
  ctx: ActionContext,
): Promise<ListMessageMoveTasksResult> {
  const max = input.MaxResults ?? 1;
  checkRange(max, MOVE_TASK_RESULTS, parameterError('MaxResults', RANGE_REASONS.between));
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
