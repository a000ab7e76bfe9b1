/**
 * Retention with a controlled clock: messages past MessageRetentionPeriod are never returned and
 * the sweeper removes them; lowering the period applies to queued messages; dead-letter queues
 * count from the original enqueue (standard) or from the move (FIFO), as SQS documents.
 */
import { SQS } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqsClient, uniqueName } from '../helpers/clients.js';
import { startTestService, type TestService } from '../helpers/service.js';

let svc: TestService;
let clock = Date.now();
beforeAll(async () => {
  svc = await startTestService({}, () => clock, false);
});
afterAll(async () => {
  await svc.close();
});

const arn = (url: string) => `arn:aws:sqs:us-east-1:000000000000:${url.split('/').pop()}`;

describe('retention', () => {
  const sqs = () => sqsClient('json', svc.url);
  const create = async (name: string, Attributes?: Record<string, string>) =>
    (await sqs().createQueue({ QueueName: name, Attributes })).QueueUrl as string;
  const counts = async (QueueUrl: string) => {
    const a = (await sqs().getQueueAttributes({ QueueUrl, AttributeNames: ['All'] })).Attributes ?? {};
    return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible);
  };

  it('never returns an expired message, and the sweeper removes the ones nobody receives', async () => {
    const QueueUrl = await create(uniqueName('ret'), { MessageRetentionPeriod: '60' });
    await sqs().sendMessage({ QueueUrl, MessageBody: 'a' });
    await sqs().sendMessage({ QueueUrl, MessageBody: 'b' });
    await sqs().receiveMessage({ QueueUrl, VisibilityTimeout: 600 });
    clock += 61_000;
    expect(await counts(QueueUrl)).toBe(2);
    expect(await svc.service.sweeper.runOnce()).toBeGreaterThanOrEqual(2);
    expect(await counts(QueueUrl)).toBe(0);
    clock += 600_000;
    expect((await sqs().receiveMessage({ QueueUrl })).Messages ?? []).toEqual([]);
  });

  it('sweeps the queues of every account, not only the instance’s (a 12-digit access key’s queue)', async () => {
    const other = new SQS({
      endpoint: svc.url,
      region: 'us-east-1',
      credentials: { accessKeyId: '444444444444', secretAccessKey: 'x' },
    });
    const QueueUrl = (
      await other.createQueue({ QueueName: uniqueName('ret-other'), Attributes: { MessageRetentionPeriod: '60' } })
    ).QueueUrl as string;
    expect(QueueUrl).toContain('/444444444444/');
    await other.sendMessage({ QueueUrl, MessageBody: 'theirs' });
    clock += 61_000;
    const left = async () =>
      Number(
        (await other.getQueueAttributes({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] })).Attributes
          ?.ApproximateNumberOfMessages,
      );
    expect(await left()).toBe(1);
    expect(await svc.service.sweeper.runOnce()).toBeGreaterThanOrEqual(1);
    expect(await left()).toBe(0);
    other.destroy();
  });

  it('applies a lowered retention period to messages already queued', async () => {
    const QueueUrl = await create(uniqueName('lower'));
    await sqs().sendMessage({ QueueUrl, MessageBody: 'old' });
    clock += 120_000;
    await sqs().setQueueAttributes({ QueueUrl, Attributes: { MessageRetentionPeriod: '60' } });
    expect((await sqs().receiveMessage({ QueueUrl })).Messages ?? []).toEqual([]);
  });

  it('keeps the original enqueue time in a standard dead-letter queue, and resets it in a FIFO one', async () => {
    const dlq = await create(uniqueName('rdlq'), { MessageRetentionPeriod: '120' });
    const src = await create(uniqueName('rsrc'), {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn(dlq), maxReceiveCount: 1 }),
    });
    const fdlq = await create(`${uniqueName('rfd').slice(0, 60)}.fifo`, {
      FifoQueue: 'true',
      MessageRetentionPeriod: '120',
    });
    const fsrc = await create(`${uniqueName('rfs').slice(0, 60)}.fifo`, {
      FifoQueue: 'true',
      ContentBasedDeduplication: 'true',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn(fdlq), maxReceiveCount: 1 }),
    });
    await sqs().sendMessage({ QueueUrl: src, MessageBody: 'std' });
    await sqs().sendMessage({ QueueUrl: fsrc, MessageBody: 'fifo', MessageGroupId: 'g' });
    clock += 100_000;
    for (const q of [src, fsrc]) {
      await sqs().receiveMessage({ QueueUrl: q, VisibilityTimeout: 0 });
      expect((await sqs().receiveMessage({ QueueUrl: q })).Messages ?? []).toEqual([]);
    }
    expect(await counts(dlq)).toBe(1);
    expect(await counts(fdlq)).toBe(1);
    clock += 30_000; // 130 s after the send, 30 s after the move
    await svc.service.sweeper.runOnce();
    expect(await counts(dlq)).toBe(0);
    expect(await counts(fdlq)).toBe(1);
  });

  it('gives messages moved back by a move task a new enqueue time', async () => {
    const dlq = await create(uniqueName('mtdlq'), { MessageRetentionPeriod: '1209600' });
    const src = await create(uniqueName('mtsrc'), {
      MessageRetentionPeriod: '300',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn(dlq), maxReceiveCount: 1 }),
    });
    await sqs().sendMessage({ QueueUrl: src, MessageBody: 'old' });
    await sqs().receiveMessage({ QueueUrl: src, VisibilityTimeout: 0 });
    await sqs().receiveMessage({ QueueUrl: src });
    clock += 3_600_000; // an hour in the dead-letter queue: far past the source's 5 minutes
    await sqs().startMessageMoveTask({ SourceArn: arn(dlq) });
    for (let i = 0; i < 20 && (await counts(dlq)) > 0; i++) {
      clock += 200;
      await svc.service.tasks.tick();
    }
    const back = (await sqs().receiveMessage({ QueueUrl: src, AttributeNames: ['All'] as never })).Messages?.[0];
    expect(back?.Body).toBe('old');
    expect(Number(back?.Attributes?.SentTimestamp)).toBeGreaterThan(clock - 10_000);
  });
});
