/**
 * Dead-letter configuration (RedrivePolicy, RedriveAllowPolicy, ListDeadLetterSourceQueues) and
 * message move tasks against the in-memory store: validation and how outcomes become SQS errors.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { cancelMessageMoveTask } from '../../src/actions/cancel-message-move-task.js';
import { createQueue } from '../../src/actions/create-queue.js';
import { getQueueAttributes } from '../../src/actions/get-queue-attributes.js';
import { listDeadLetterSourceQueues } from '../../src/actions/list-dead-letter-source-queues.js';
import { listMessageMoveTasks } from '../../src/actions/list-message-move-tasks.js';
import { setQueueAttributes } from '../../src/actions/set-queue-attributes.js';
import { startMessageMoveTask } from '../../src/actions/start-message-move-task.js';
import { invalid, QDNE } from '../helpers/action-calls.js';
import { actionError, type TestContext, testContext } from '../helpers/action-context.js';

const arn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;
const redrive = (target: string, maxReceiveCount: number | string = 3) =>
  JSON.stringify({ deadLetterTargetArn: arn(target), maxReceiveCount });

let t: TestContext;
beforeEach(async () => {
  t = testContext();
  await createQueue({ QueueName: 'q' }, t.ctx);
});
describe('RedrivePolicy and ListDeadLetterSourceQueues', () => {
  const withPolicy = (name: string, RedrivePolicy: string) =>
    createQueue({ QueueName: name, Attributes: { RedrivePolicy } }, t.ctx);
  const reason = (policy: string, why: string) =>
    invalid(`Value ${policy} for parameter RedrivePolicy is invalid. Reason: ${why}`);

  it('stores a normalized policy and lists the sources of a dead-letter queue', async () => {
    await createQueue({ QueueName: 'dlq' }, t.ctx);
    await withPolicy('s2', redrive('dlq', '5'));
    await withPolicy('s1', redrive('dlq'));
    const attrs = await getQueueAttributes({ QueueUrl: t.url('s2'), AttributeNames: ['RedrivePolicy'] }, t.ctx);
    expect(attrs.Attributes).toEqual({ RedrivePolicy: redrive('dlq', 5) });
    expect(await listDeadLetterSourceQueues({ QueueUrl: t.url('dlq') }, t.ctx)).toEqual({
      queueUrls: [t.url('s1'), t.url('s2')],
    });
  });

  it('pages the sources with MaxResults and forgets a source whose policy was removed', async () => {
    await createQueue({ QueueName: 'dlq' }, t.ctx);
    for (const s of ['s1', 's2', 's3']) await withPolicy(s, redrive('dlq'));
    const first = await listDeadLetterSourceQueues({ QueueUrl: t.url('dlq'), MaxResults: 2 }, t.ctx);
    expect(first.queueUrls).toEqual([t.url('s1'), t.url('s2')]);
    const rest = await listDeadLetterSourceQueues(
      { QueueUrl: t.url('dlq'), MaxResults: 2, NextToken: first.NextToken },
      t.ctx,
    );
    expect(rest).toEqual({ queueUrls: [t.url('s3')] });
    await setQueueAttributes({ QueueUrl: t.url('s1'), Attributes: { RedrivePolicy: '' } }, t.ctx);
    expect((await listDeadLetterSourceQueues({ QueueUrl: t.url('dlq') }, t.ctx)).queueUrls).toEqual([
      t.url('s2'),
      t.url('s3'),
    ]);
  });

  it("records a source in its dead-letter queue's index before and after storing its policy", async () => {
    await createQueue({ QueueName: 'dlq' }, t.ctx);
    t.store.calls.length = 0;
    await withPolicy('s1', redrive('dlq'));
    await setQueueAttributes({ QueueUrl: t.url('q'), Attributes: { RedrivePolicy: redrive('dlq') } }, t.ctx);
    // Removing the policy records nothing: reads drop a name whose policy no longer names the queue.
    await setQueueAttributes({ QueueUrl: t.url('q'), Attributes: { RedrivePolicy: '' } }, t.ctx);
    expect(t.store.calls).toEqual([
      ...['getQueue', 'recordDeadLetterSource', 'createQueue', 'recordDeadLetterSource'],
      ...['getQueue', 'recordDeadLetterSource', 'setQueueAttributes', 'recordDeadLetterSource'],
      'setQueueAttributes',
    ]);
  });

  it('rejects MaxResults out of range and an unknown dead-letter queue', async () => {
    expect((await actionError(listDeadLetterSourceQueues({ QueueUrl: t.url('q'), MaxResults: 0 }, t.ctx))).code).toBe(
      'InvalidParameterValueException',
    );
    expect(await actionError(listDeadLetterSourceQueues({ QueueUrl: t.url('nope') }, t.ctx))).toEqual(QDNE);
  });

  it.each([
    ['not json', 'Redrive policy is not a valid JSON map.'],
    [
      JSON.stringify({ deadLetterTargetArn: arn('q') }),
      'Redrive policy does not contain mandatory attribute: maxReceiveCount.',
    ],
    [
      JSON.stringify({ deadLetterTargetArn: arn('q'), maxReceiveCount: 1, extra: 1 }),
      'Redrive policy contains an unknown attribute: extra.',
    ],
    [redrive('q', 0), 'Invalid value for maxReceiveCount: 0, valid values are from 1 to 1000 both inclusive.'],
    [redrive('q', 1001), 'Invalid value for maxReceiveCount: 1001, valid values are from 1 to 1000 both inclusive.'],
    [redrive('missing'), 'Dead letter target does not exist.'],
    [redrive('f.fifo'), 'Dead-letter queue must be same type of queue as the source.'],
  ])('rejects the RedrivePolicy %s', async (policy, why) => {
    await createQueue({ QueueName: 'f.fifo', Attributes: { FifoQueue: 'true' } }, t.ctx);
    expect(await actionError(withPolicy('src', policy))).toEqual(reason(policy, why));
  });

  it("honours the dead-letter queue's RedriveAllowPolicy", async () => {
    const byQueue = JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [arn('allowed')] });
    await createQueue({ QueueName: 'dlq', Attributes: { RedriveAllowPolicy: byQueue } }, t.ctx);
    await withPolicy('allowed', redrive('dlq'));
    const policy = redrive('dlq');
    expect(await actionError(withPolicy('other', policy))).toEqual(
      reason(policy, `The RedriveAllowPolicy of ${arn('dlq')} does not allow this queue as a source queue.`),
    );
  });

  it('rejects a RedriveAllowPolicy listing more than 10 sources', async () => {
    const eleven = Array.from({ length: 11 }, (_, i) => arn(`s${i}`));
    const policy = JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: eleven });
    expect(
      await actionError(createQueue({ QueueName: 'dlq', Attributes: { RedriveAllowPolicy: policy } }, t.ctx)),
    ).toEqual(
      invalid(
        `Value ${policy} for parameter RedriveAllowPolicy is invalid. Reason: sourceQueueArns can list at most 10 queues.`,
      ),
    );
  });
});

describe('message move tasks', () => {
  beforeEach(async () => {
    await createQueue({ QueueName: 'dlq' }, t.ctx);
    await createQueue({ QueueName: 'src', Attributes: { RedrivePolicy: redrive('dlq') } }, t.ctx);
  });
  const start = (extra: { DestinationArn?: string; MaxNumberOfMessagesPerSecond?: number } = {}) =>
    startMessageMoveTask({ SourceArn: arn('dlq'), ...extra }, t.ctx);
  const notFound = (what: string) => ({
    code: 'ResourceNotFoundException',
    message: `The resource that you specified for the ${what} parameter doesn't exist.`,
  });

  it('starts a task; a second one is refused while it runs; cancelling reports the moved count', async () => {
    const { TaskHandle } = await start({ MaxNumberOfMessagesPerSecond: 500 });
    expect(TaskHandle).toEqual(expect.any(String));
    expect(await actionError(start())).toEqual(
      invalid(
        'There is already a task running. Only one active task is allowed for a source queue arn at a given time.',
      ),
    );
    expect(await cancelMessageMoveTask({ TaskHandle }, t.ctx)).toEqual({ ApproximateNumberOfMessagesMoved: 0 });
    expect(await actionError(cancelMessageMoveTask({ TaskHandle }, t.ctx))).toEqual(
      invalid('Only a task in status RUNNING can be cancelled.'),
    );
  });

  it.each([0, 501])('rejects MaxNumberOfMessagesPerSecond %d', async (rate) => {
    expect(await actionError(start({ MaxNumberOfMessagesPerSecond: rate }))).toEqual(
      invalid(
        `Value ${rate} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500.`,
      ),
    );
  });

  it('needs an existing source that is a dead-letter queue, and a valid destination', async () => {
    expect(await actionError(startMessageMoveTask({ SourceArn: arn('nope') }, t.ctx))).toEqual(notFound('SourceArn'));
    expect(
      await actionError(startMessageMoveTask({ SourceArn: 'arn:aws:sqs:eu-west-1:000000000000:dlq' }, t.ctx)),
    ).toEqual(notFound('SourceArn'));
    expect(await actionError(startMessageMoveTask({ SourceArn: arn('q') }, t.ctx))).toEqual(
      invalid('Source queue must be configured as a Dead Letter Queue.'),
    );
    expect(await actionError(start({ DestinationArn: arn('nope') }))).toEqual(notFound('DestinationArn'));
    expect(await actionError(start({ DestinationArn: arn('dlq') }))).toEqual(
      invalid('The destination queue must differ from the source queue.'),
    );
    await createQueue({ QueueName: 'f.fifo', Attributes: { FifoQueue: 'true' } }, t.ctx);
    expect(await actionError(start({ DestinationArn: arn('f.fifo') }))).toEqual(
      invalid('The source queue and the destination queue must be of the same type.'),
    );
  });

  it('lists the most recent tasks (default 1), with a TaskHandle only while RUNNING', async () => {
    const { TaskHandle } = await start({ DestinationArn: arn('q') });
    await cancelMessageMoveTask({ TaskHandle }, t.ctx);
    // The background runner finishes the cancellation.
    for (const tasks of t.moves.tasks.values()) for (const task of tasks.values()) task.Status = 'CANCELLED';
    t.advance(1000);
    const second = await start();
    const [latest, ...none] = (await listMessageMoveTasks({ SourceArn: arn('dlq') }, t.ctx)).Results ?? [];
    expect(none).toEqual([]);
    expect(latest).toEqual({
      TaskHandle: second.TaskHandle,
      Status: 'RUNNING',
      SourceArn: arn('dlq'),
      ApproximateNumberOfMessagesMoved: 0,
      ApproximateNumberOfMessagesToMove: 0,
      StartedTimestamp: t.ctx.now(),
    });
    const both = (await listMessageMoveTasks({ SourceArn: arn('dlq'), MaxResults: 10 }, t.ctx)).Results ?? [];
    expect(both.map((r) => [r.Status, r.TaskHandle, r.DestinationArn])).toEqual([
      ['RUNNING', second.TaskHandle, undefined],
      ['CANCELLED', undefined, arn('q')],
    ]);
  });

  it('rejects ListMessageMoveTasks MaxResults outside 1..10 and an unknown source', async () => {
    for (const MaxResults of [0, 11]) {
      expect(await actionError(listMessageMoveTasks({ SourceArn: arn('dlq'), MaxResults }, t.ctx))).toEqual(
        invalid(`Value ${MaxResults} for parameter MaxResults is invalid. Reason: Must be between 1 and 10.`),
      );
    }
    expect(await actionError(listMessageMoveTasks({ SourceArn: arn('nope') }, t.ctx))).toEqual(notFound('SourceArn'));
  });

  it('answers InvalidParameterValue for a string that is no handle, ResourceNotFoundException for an unknown task', async () => {
    for (const TaskHandle of ['garbage', Buffer.from('{"taskId":1}').toString('base64')]) {
      expect(await actionError(cancelMessageMoveTask({ TaskHandle }, t.ctx))).toEqual(
        invalid('Value for parameter TaskHandle is invalid.'),
      );
    }
    const forged = Buffer.from(JSON.stringify({ taskId: 'x', sourceArn: arn('dlq') })).toString('base64');
    expect(await actionError(cancelMessageMoveTask({ TaskHandle: forged }, t.ctx))).toEqual(notFound('TaskHandle'));
  });
});
