/** Dead-letter queues: policies, redrive after maxReceiveCount, ListDeadLetterSourceQueues. */
import type { QueueAttributeName } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { errorOf, PROTOCOLS, sqsClient, uniqueName } from '../helpers/clients.js';
import { useTestService } from '../helpers/service.js';

const svc = useTestService();

const arn = (url: string | undefined) => `arn:aws:sqs:us-east-1:000000000000:${(url as string).split('/').pop()}`;
const all = ['All'] as QueueAttributeName[];

describe.each(PROTOCOLS)('dead-letter queues (%s)', (protocol) => {
  const sqs = () => sqsClient(protocol, svc().url);
  const create = async (name: string, Attributes?: Record<string, string>) =>
    (await sqs().createQueue({ QueueName: name, Attributes })).QueueUrl as string;
  const policy = (dlq: string, maxReceiveCount: number | string) =>
    JSON.stringify({ deadLetterTargetArn: arn(dlq), maxReceiveCount });

  describe('policies', () => {
    it('validates RedrivePolicy against the dead-letter queue and stores it normalized', async () => {
      const dlq = await create(uniqueName(`dlq-${protocol}`));
      const src = await create(uniqueName(`src-${protocol}`));
      const set = (RedrivePolicy: string) => sqs().setQueueAttributes({ QueueUrl: src, Attributes: { RedrivePolicy } });
      for (const bad of [
        'not json',
        '{}',
        JSON.stringify({ deadLetterTargetArn: arn(dlq) }),
        policy(dlq, 0),
        policy(dlq, 1001),
        policy(dlq, 'x'),
        JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:missing-queue', maxReceiveCount: 3 }),
      ]) {
        expect(`${bad}: ${(await errorOf(() => set(bad))).code}`).toBe(`${bad}: InvalidParameterValue`);
      }
      await set(policy(dlq, '5'));
      const got = await sqs().getQueueAttributes({ QueueUrl: src, AttributeNames: ['RedrivePolicy'] });
      expect(JSON.parse(got.Attributes?.RedrivePolicy as string)).toEqual({
        deadLetterTargetArn: arn(dlq),
        maxReceiveCount: 5,
      });
      const fifoDlq = await create(`${uniqueName(`fdlq-${protocol}`).slice(0, 70)}.fifo`, { FifoQueue: 'true' });
      expect((await errorOf(() => set(policy(fifoDlq, 3)))).code).toBe('InvalidParameterValue');
      await set('');
      expect(
        (await sqs().getQueueAttributes({ QueueUrl: src, AttributeNames: ['RedrivePolicy'] })).Attributes ?? {},
      ).toEqual({});
    });

    it('honours RedriveAllowPolicy: allowAll, denyAll, byQueue', async () => {
      const src = await create(uniqueName(`asrc-${protocol}`));
      const other = await create(uniqueName(`aoth-${protocol}`));
      const dlq = await create(uniqueName(`adlq-${protocol}`), {
        RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [arn(src)] }),
      });
      await sqs().setQueueAttributes({ QueueUrl: src, Attributes: { RedrivePolicy: policy(dlq, 3) } });
      const denied = await errorOf(() =>
        sqs().setQueueAttributes({ QueueUrl: other, Attributes: { RedrivePolicy: policy(dlq, 3) } }),
      );
      expect(denied.code).toBe('InvalidParameterValue');
      const closed = await create(uniqueName(`cdlq-${protocol}`), {
        RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'denyAll' }),
      });
      expect(
        (
          await errorOf(() =>
            sqs().setQueueAttributes({ QueueUrl: src, Attributes: { RedrivePolicy: policy(closed, 3) } }),
          )
        ).code,
      ).toBe('InvalidParameterValue');
      for (const bad of [
        JSON.stringify({ redrivePermission: 'some' }),
        JSON.stringify({ redrivePermission: 'byQueue' }),
        JSON.stringify({ redrivePermission: 'allowAll', sourceQueueArns: [arn(src)] }),
        JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: Array.from({ length: 11 }, () => arn(src)) }),
      ]) {
        const err = await errorOf(() =>
          sqs().setQueueAttributes({ QueueUrl: dlq, Attributes: { RedriveAllowPolicy: bad } }),
        );
        expect(`${bad}: ${err.code}`).toBe(`${bad}: InvalidParameterValue`);
      }
    });
  });

  describe('redrive', () => {
    it('moves a standard message received maxReceiveCount times to the dead-letter queue, keeping it intact', async () => {
      const dlq = await create(uniqueName(`rdlq-${protocol}`));
      const src = await create(uniqueName(`rsrc-${protocol}`), { RedrivePolicy: policy(dlq, 2) });
      const sent = await sqs().sendMessage({
        QueueUrl: src,
        MessageBody: 'poison',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'bad' } },
      });
      const first = (await sqs().receiveMessage({ QueueUrl: src, VisibilityTimeout: 0, AttributeNames: all })).Messages;
      expect(first?.[0]?.Attributes?.ApproximateReceiveCount).toBe('1');
      const second = (await sqs().receiveMessage({ QueueUrl: src, VisibilityTimeout: 0 })).Messages;
      expect(second).toHaveLength(1);
      expect((await sqs().receiveMessage({ QueueUrl: src })).Messages ?? []).toEqual([]);
      const dead = (await sqs().receiveMessage({ QueueUrl: dlq, AttributeNames: all, MessageAttributeNames: ['All'] }))
        .Messages?.[0];
      expect(dead?.MessageId).toBe(sent.MessageId);
      expect(dead?.Body).toBe('poison');
      expect(dead?.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
      expect(dead?.MessageAttributes?.kind?.StringValue).toBe('bad');
      expect(dead?.Attributes?.DeadLetterQueueSourceArn).toBe(arn(src));
      expect(dead?.Attributes?.SentTimestamp).toBe(first?.[0]?.Attributes?.SentTimestamp);
    });

    it('moves FIFO messages to a FIFO dead-letter queue with their group, in order', async () => {
      const dlq = await create(`${uniqueName(`fd-${protocol}`).slice(0, 70)}.fifo`, { FifoQueue: 'true' });
      const src = await create(`${uniqueName(`fs-${protocol}`).slice(0, 70)}.fifo`, {
        FifoQueue: 'true',
        ContentBasedDeduplication: 'true',
        RedrivePolicy: policy(dlq, 1),
      });
      const bodies = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'];
      for (const b of bodies) await sqs().sendMessage({ QueueUrl: src, MessageBody: b, MessageGroupId: 'g' });
      const got = await sqs().receiveMessage({ QueueUrl: src, MaxNumberOfMessages: 10, VisibilityTimeout: 0 });
      expect(got.Messages?.map((m) => m.Body)).toEqual(bodies);
      expect((await sqs().receiveMessage({ QueueUrl: src, MaxNumberOfMessages: 10 })).Messages ?? []).toEqual([]);
      const dead = await sqs().receiveMessage({ QueueUrl: dlq, MaxNumberOfMessages: 10, AttributeNames: all });
      expect(dead.Messages?.map((m) => [m.Body, m.Attributes?.MessageGroupId])).toEqual(bodies.map((b) => [b, 'g']));
    });
  });

  it('lists dead-letter source queues with MaxResults and NextToken', async () => {
    const dlq = await create(uniqueName(`ldlq-${protocol}`));
    const names = ['a', 'b', 'c'].map((s) => `${uniqueName(`lsrc-${protocol}`)}-${s}`);
    for (const n of names) await create(n, { RedrivePolicy: policy(dlq, 3) });
    const moved = await create(uniqueName(`lsrc-moved-${protocol}`), { RedrivePolicy: policy(dlq, 3) });
    await sqs().setQueueAttributes({ QueueUrl: moved, Attributes: { RedrivePolicy: '' } });
    const first = await sqs().listDeadLetterSourceQueues({ QueueUrl: dlq, MaxResults: 2 });
    expect(first.queueUrls).toHaveLength(2);
    expect(first.NextToken).toBeTruthy();
    const rest = await sqs().listDeadLetterSourceQueues({ QueueUrl: dlq, MaxResults: 2, NextToken: first.NextToken });
    const listed = [...(first.queueUrls ?? []), ...(rest.queueUrls ?? [])].map((u) => u.split('/').pop());
    expect(listed).toEqual([...names].sort());
    expect(rest.NextToken).toBeUndefined();
  });
});
