import type { StartMessageMoveTaskRequest, StartMessageMoveTaskResult } from '@aws-sdk/client-sqs';
import { v4 as uuidv4 } from 'uuid';
import { invalidParameter } from '../errors.js';
import { MOVE_RATE } from '../sqs/limits.js';
import { isFifoName } from '../sqs/queue-names.js';
import { checkRange, parameterError, RANGE_REASONS } from '../sqs/ranges.js';
import type { MoveTask } from '../store/moves.js';
import type { ActionContext } from './context.js';
import { encodeTaskHandle, existingQueue } from './move-task-common.js';

/** Starts moving the messages of a dead-letter queue, to a destination or back to their sources. */
export async function startMessageMoveTask(
  input: StartMessageMoveTaskRequest,
  ctx: ActionContext,
): Promise<StartMessageMoveTaskResult> {
  const rate = input.MaxNumberOfMessagesPerSecond;
  checkRange(rate, MOVE_RATE, parameterError('MaxNumberOfMessagesPerSecond', RANGE_REASONS.between));
  const sourceArn = input.SourceArn ?? '';
  const source = await existingQueue(ctx, sourceArn, 'SourceArn');
  if ((await ctx.store.deadLetterSources(source)).length === 0) {
    throw invalidParameter('Source queue must be configured as a Dead Letter Queue.');
  }
  if (input.DestinationArn !== undefined) {
    const destination = await existingQueue(ctx, input.DestinationArn, 'DestinationArn');
    if (destination.name === source.name)
      throw invalidParameter('The destination queue must differ from the source queue.');
    if (isFifoName(destination.name) !== isFifoName(source.name)) {
      throw invalidParameter('The source queue and the destination queue must be of the same type.');
    }
  }
  const taskId = uuidv4();
  const TaskHandle = encodeTaskHandle({ taskId, sourceArn });
  const task: MoveTask = {
    TaskHandle,
    Status: 'RUNNING',
    SourceArn: sourceArn,
    ...(input.DestinationArn !== undefined ? { DestinationArn: input.DestinationArn } : {}),
    ...(rate !== undefined ? { MaxNumberOfMessagesPerSecond: rate } : {}),
    ApproximateNumberOfMessagesMoved: 0,
    ApproximateNumberOfMessagesToMove: 0,
    StartedTimestamp: ctx.now(),
  };
  const result = await ctx.moves.startTask(source, ctx.now(), taskId, task);
  if (result === undefined) throw invalidParameter('The source queue does not exist.');
  if (result === 'busy') {
    throw invalidParameter(
      'There is already a task running. Only one active task is allowed for a source queue arn at a given time.',
    );
  }
  return { TaskHandle };
}
