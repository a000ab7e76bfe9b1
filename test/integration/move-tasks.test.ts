/** Message move tasks: back to the sources, to a destination, cancel, rate, failures, errors. */
import type { SQS } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { errorOf, PROTOCOLS, sqsClient, uniqueName } from '../helpers/clients.js';
import { useTestService } from '../helpers/service.js';

const svc = useTestService();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const arn = (url: string) => `arn:aws:sqs:us-east-1:000000000000:${url.split('/').pop()}`;

/** Polls ListMessageMoveTasks until the newest task reaches a final status. */
async function finalTask(sqs: SQS, SourceArn: string, timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const task = (await sqs.listMessageMoveTasks({ SourceArn })).Results?.[0];
    if (task && ['COMPLETED', 'CANCELLED', 'FAILED'].includes(task.Status as string)) return task;
    if (Date.now() > until) throw new Error(`task still ${task?.Status}`);
    await sleep(100);
  }
}

const sentIds = new Set<string>();

describe.each(PROTOCOLS)('message move tasks (%s)', (protocol) => {
  const sqs = () => sqsClient(protocol, svc().url);
  const create = async (name: string, Attributes?: Record<string, string>) =>
    (await sqs().createQueue({ QueueName: uniqueName(name), Attributes })).QueueUrl as string;

  /** A source queue and its dead-letter queue holding `n` redriven messages. */
  async function deadLetters(n: number) {
    const dlq = await create(`mdlq-${protocol}`);
    const src = await create(`msrc-${protocol}`, {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn(dlq), maxReceiveCount: 1 }),
    });
    for (let i = 0; i < n; i += 10) {
      const Entries = Array.from({ length: Math.min(10, n - i) }, (_, k) => ({
        Id: `e${k}`,
        MessageBody: `m${i + k}`,
      }));
      await sqs().sendMessageBatch({ QueueUrl: src, Entries });
    }
    // First receive counts once; the next receives move everything to the dead-letter queue.
    while (true) {
      const got = await sqs().receiveMessage({ QueueUrl: src, MaxNumberOfMessages: 10, VisibilityTimeout: 0 });
      if ((got.Messages ?? []).length === 0) break;
    }
    const count = async (url: string) =>
      Number(
        (await sqs().getQueueAttributes({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] })).Attributes
          ?.ApproximateNumberOfMessages,
      );
    expect(await count(dlq)).toBe(n);
    return { dlq, src, count };
  }

  it('moves messages back to their source queue when no destination is given', async () => {
    const { dlq, src, count } = await deadLetters(12);
    const { TaskHandle } = await sqs().startMessageMoveTask({ SourceArn: arn(dlq) });
    expect(TaskHandle).toBeTruthy();
    const task = await finalTask(sqs(), arn(dlq));
    expect(task).toMatchObject({
      Status: 'COMPLETED',
      SourceArn: arn(dlq),
      ApproximateNumberOfMessagesMoved: 12,
      ApproximateNumberOfMessagesToMove: 12,
    });
    expect(task.TaskHandle).toBeUndefined();
    expect(await count(dlq)).toBe(0);
    expect(await count(src)).toBe(12);
    // As in SQS, moved messages are new messages: new ids, no dead-letter source.
    const back = (
      await sqs().receiveMessage({ QueueUrl: src, MaxNumberOfMessages: 10, AttributeNames: ['All'] as never })
    ).Messages;
    expect(back?.every((m) => !sentIds.has(m.MessageId as string) && !m.Attributes?.DeadLetterQueueSourceArn)).toBe(
      true,
    );
  });

  it('keeps group order when moving a FIFO dead-letter queue back', async () => {
    const fifoQueue = async (name: string, Attributes: Record<string, string>) =>
      (
        await sqs().createQueue({
          QueueName: `${uniqueName(name).slice(0, 70)}.fifo`,
          Attributes: { FifoQueue: 'true', ...Attributes },
        })
      ).QueueUrl as string;
    const dlq = await fifoQueue(`mfd-${protocol}`, {});
    const src = await fifoQueue(`mfs-${protocol}`, {
      ContentBasedDeduplication: 'true',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn(dlq), maxReceiveCount: 1 }),
    });
    const sent = ['a1', 'b1', 'a2', 'b2', 'a3', 'b3', 'a4'];
    for (const b of sent) await sqs().sendMessage({ QueueUrl: src, MessageBody: b, MessageGroupId: b[0] as string });
    while (
      ((await sqs().receiveMessage({ QueueUrl: src, MaxNumberOfMessages: 10, VisibilityTimeout: 0 })).Messages ?? [])
        .length > 0
    );
    await sqs().startMessageMoveTask({ SourceArn: arn(dlq) });
    expect((await finalTask(sqs(), arn(dlq))).Status).toBe('COMPLETED');
    const back =
      (await sqs().receiveMessage({ QueueUrl: src, MaxNumberOfMessages: 10 })).Messages?.map((m) => m.Body) ?? [];
    expect(back.filter((b) => b?.startsWith('a'))).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(back.filter((b) => b?.startsWith('b'))).toEqual(['b1', 'b2', 'b3']);
  });

  it('fails when the destination is deleted while the task runs', async () => {
    const { dlq } = await deadLetters(10);
    const dest = await create(`mgone-${protocol}`);
    await sqs().startMessageMoveTask({
      SourceArn: arn(dlq),
      DestinationArn: arn(dest),
      MaxNumberOfMessagesPerSecond: 2,
    });
    await sleep(700);
    await sqs().deleteQueue({ QueueUrl: dest });
    const task = await finalTask(sqs(), arn(dlq));
    expect(task.Status).toBe('FAILED');
    expect(task.FailureReason).toContain('does not exist');
  });

  it('moves messages to an explicit destination at the rate asked for', async () => {
    const { dlq, count } = await deadLetters(10);
    const dest = await create(`mdest-${protocol}`);
    const started = Date.now();
    await sqs().startMessageMoveTask({
      SourceArn: arn(dlq),
      DestinationArn: arn(dest),
      MaxNumberOfMessagesPerSecond: 5,
    });
    const running = (await sqs().listMessageMoveTasks({ SourceArn: arn(dlq) })).Results?.[0];
    expect(running?.Status).toBe('RUNNING');
    expect(running?.TaskHandle).toBeTruthy();
    expect(running?.MaxNumberOfMessagesPerSecond).toBe(5);
    const task = await finalTask(sqs(), arn(dlq));
    const elapsed = Date.now() - started;
    expect(task.Status).toBe('COMPLETED');
    expect(task.DestinationArn).toBe(arn(dest));
    // 10 messages at 5 per second take about 2 seconds.
    expect(elapsed).toBeGreaterThanOrEqual(1500);
    expect(await count(dest)).toBe(10);
  });

  it('cancels a running task; moved messages stay moved', async () => {
    const { dlq, count } = await deadLetters(20);
    const dest = await create(`mcdest-${protocol}`);
    const { TaskHandle } = await sqs().startMessageMoveTask({
      SourceArn: arn(dlq),
      DestinationArn: arn(dest),
      MaxNumberOfMessagesPerSecond: 4,
    });
    await sleep(1200);
    const { ApproximateNumberOfMessagesMoved } = await sqs().cancelMessageMoveTask({ TaskHandle });
    expect(ApproximateNumberOfMessagesMoved).toBeGreaterThan(0);
    const task = await finalTask(sqs(), arn(dlq));
    expect(task.Status).toBe('CANCELLED');
    const moved = await count(dest);
    expect(moved).toBeGreaterThan(0);
    expect(moved).toBeLessThan(20);
    expect(moved + (await count(dlq))).toBe(20);
    const again = await errorOf(() => sqs().cancelMessageMoveTask({ TaskHandle }));
    expect(again.code).toBe('InvalidParameterValue');
  });

  it('fails a task whose messages have no source queue to return to', async () => {
    const dlq = await create(`mfdlq-${protocol}`);
    await create(`mfsrc-${protocol}`, {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn(dlq), maxReceiveCount: 1 }),
    });
    await sqs().sendMessage({ QueueUrl: dlq, MessageBody: 'sent here directly' });
    await sqs().startMessageMoveTask({ SourceArn: arn(dlq) });
    const task = await finalTask(sqs(), arn(dlq));
    expect(task.Status).toBe('FAILED');
    expect(task.FailureReason).toContain('DeadLetterQueueSourceArn');
    expect((await sqs().receiveMessage({ QueueUrl: dlq })).Messages?.[0]?.Body).toBe('sent here directly');
  });

  it('refuses what SQS refuses', async () => {
    const plain = await create(`mplain-${protocol}`);
    const missing = 'arn:aws:sqs:us-east-1:000000000000:no-such-queue';
    const notFound = await errorOf(() => sqs().startMessageMoveTask({ SourceArn: missing }));
    expect(notFound.code).toBe('ResourceNotFoundException');
    expect(notFound.$metadata?.httpStatusCode).toBe(404);
    expect((await errorOf(() => sqs().startMessageMoveTask({ SourceArn: arn(plain) }))).code).toBe(
      'InvalidParameterValue',
    );
    const { dlq } = await deadLetters(3);
    expect(
      (await errorOf(() => sqs().startMessageMoveTask({ SourceArn: arn(dlq), DestinationArn: missing }))).code,
    ).toBe('ResourceNotFoundException');
    expect(
      (await errorOf(() => sqs().startMessageMoveTask({ SourceArn: arn(dlq), MaxNumberOfMessagesPerSecond: 501 })))
        .code,
    ).toBe('InvalidParameterValue');
    await sqs().startMessageMoveTask({ SourceArn: arn(dlq), MaxNumberOfMessagesPerSecond: 1 });
    expect((await errorOf(() => sqs().startMessageMoveTask({ SourceArn: arn(dlq) }))).code).toBe(
      'InvalidParameterValue',
    );
    // SQS: a string that is no task handle is InvalidParameterValue (exactness-queues.test.ts).
    expect((await errorOf(() => sqs().cancelMessageMoveTask({ TaskHandle: 'garbage' }))).code).toBe(
      'InvalidParameterValue',
    );
    expect((await errorOf(() => sqs().listMessageMoveTasks({ SourceArn: missing }))).code).toBe(
      'ResourceNotFoundException',
    );
    expect((await errorOf(() => sqs().listMessageMoveTasks({ SourceArn: arn(dlq), MaxResults: 11 }))).code).toBe(
      'InvalidParameterValue',
    );
  });
});
