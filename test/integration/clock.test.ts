/**
 * Everything that depends on time follows the shared clock, shown on two instances of one
 * deployment: the clock is moved on instance A (its HTTP route) and the effect observed on instance
 * B, by advancing the clock, never by sleeping. A is spoken to with the current SDK (JSON protocol),
 * B with the pre-JSON SDK (query protocol), so both protocols see the moved time. The routes
 * themselves and reset are in clock-routes.test.ts; the pollers in clock-pollers.test.ts.
 */
import type { SQS } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { errorOf, uniqueName } from '../helpers/clients.js';
import { changeClock, sleep, until, useDeployment } from '../helpers/clock.js';

// A long sweep interval: within a test, only the sweep that a clock change starts can remove
// expired messages. The purge and delete cool-downs are SQS's 60 s (the defaults).
const deployment = useDeployment({ sweepIntervalMs: 60_000 });

const advance = (ms: number) => changeClock(deployment().a.url, { advanceMs: ms });

/** A queue created on A: its name, its URL on A and the same queue's URL on B. */
async function queue(prefix: string, Attributes?: Record<string, string>, fifo = false) {
  const { a, b, sqsA } = deployment();
  const name = fifo ? `${uniqueName(prefix).slice(0, 70)}.fifo` : uniqueName(prefix);
  const { QueueUrl } = await sqsA.createQueue({
    QueueName: name,
    Attributes: fifo ? { FifoQueue: 'true', ...Attributes } : Attributes,
  });
  const onA = QueueUrl as string;
  return { name, onA, onB: onA.replace(a.url, b.url) };
}

/** A short poll on B. */
async function receiveB(QueueUrl: string) {
  const r = await deployment().sqsB.receiveMessage({
    QueueUrl,
    WaitTimeSeconds: 0,
    // B is the pre-JSON client, which knows only AttributeNames (the current SDK's types name
    // MessageSystemAttributeName values there).
    AttributeNames: ['ApproximateReceiveCount'] as never,
  });
  return r.Messages ?? [];
}

async function counts(QueueUrl: string) {
  const { Attributes = {} } = await deployment().sqsB.getQueueAttributes({ QueueUrl, AttributeNames: ['All'] });
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages),
    inflight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed),
  };
}

/**
 * Resolves once B listens on the queue's wake-up channel: a long poll on B has looked at the queue,
 * found nothing and is going to sleep. A clock move after this has to wake it.
 */
async function longPollWaiting(name: string): Promise<void> {
  const { a, b } = deployment();
  const channel = b.service.store.wakeChannel({ account: b.config.accountId, name });
  await until(
    `a long poll on B to listen on ${channel}`,
    async () => Number(((await a.redis.pubsub('NUMSUB', channel)) as unknown[])[1]),
    (n) => n >= 1,
  );
}

describe('visibility timeouts and delays follow the clock', () => {
  it('a message received for 600 s on A becomes receivable on B once the clock is 600 s on', async () => {
    const { sqsA } = deployment();
    const q = await queue('clock-vis');
    await sqsA.sendMessage({ QueueUrl: q.onA, MessageBody: 'held' });
    const first = await sqsA.receiveMessage({ QueueUrl: q.onA, VisibilityTimeout: 600 });
    expect(first.Messages).toHaveLength(1);
    expect(await receiveB(q.onB)).toHaveLength(0);
    await advance(599_000);
    expect(await receiveB(q.onB)).toHaveLength(0);
    expect(await counts(q.onB)).toMatchObject({ visible: 0, inflight: 1 });
    await advance(1_000);
    // Counted as available again before anyone receives it.
    expect(await counts(q.onB)).toMatchObject({ visible: 1, inflight: 0 });
    const again = await receiveB(q.onB);
    expect(again.map((m) => m.Body)).toEqual(['held']);
    // The same message, received a second time (SQS counts every receive).
    expect(again[0]?.MessageId).toBe(first.Messages?.[0]?.MessageId);
    expect(again[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
  });

  it('a long poll waiting on B wakes when A advances the clock past the visibility timeout', async () => {
    const { sqsA, sqsB } = deployment();
    const q = await queue('clock-vis-wait');
    await sqsA.sendMessage({ QueueUrl: q.onA, MessageBody: 'held' });
    expect((await sqsA.receiveMessage({ QueueUrl: q.onA, VisibilityTimeout: 600 })).Messages).toHaveLength(1);
    const started = Date.now();
    const polled = sqsB.receiveMessage({ QueueUrl: q.onB, WaitTimeSeconds: 10 });
    await longPollWaiting(q.name);
    await advance(600_000);
    expect((await polled).Messages?.map((m) => m.Body)).toEqual(['held']);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('a message sent with DelaySeconds 900 becomes receivable once the clock is 900 s on', async () => {
    const { sqsA } = deployment();
    const q = await queue('clock-delay');
    await sqsA.sendMessage({ QueueUrl: q.onA, MessageBody: 'later', DelaySeconds: 900 });
    expect(await counts(q.onB)).toMatchObject({ visible: 0, delayed: 1 });
    expect(await receiveB(q.onB)).toHaveLength(0);
    await advance(899_000);
    expect(await receiveB(q.onB)).toHaveLength(0);
    expect(await counts(q.onB)).toMatchObject({ visible: 0, delayed: 1 });
    await advance(1_000);
    expect(await counts(q.onB)).toMatchObject({ visible: 1, delayed: 0 });
    expect((await receiveB(q.onB)).map((m) => m.Body)).toEqual(['later']);
  });

  it("a long poll on B for a queue with DelaySeconds 900 wakes when A advances past the queue's delay", async () => {
    const { sqsA, sqsB } = deployment();
    const q = await queue('clock-qdelay', { DelaySeconds: '900' });
    await sqsA.sendMessage({ QueueUrl: q.onA, MessageBody: 'queue-delayed' });
    const started = Date.now();
    const polled = sqsB.receiveMessage({ QueueUrl: q.onB, WaitTimeSeconds: 10 });
    await longPollWaiting(q.name);
    await advance(900_000);
    expect((await polled).Messages?.map((m) => m.Body)).toEqual(['queue-delayed']);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe('FIFO windows follow the clock', () => {
  it('a deduplication id is remembered for 5 minutes of the clock, then forgotten', async () => {
    const { sqsA, sqsB } = deployment();
    const q = await queue('clock-dedup', {}, true);
    const send = (sqs: SQS, QueueUrl: string, MessageBody: string) =>
      sqs.sendMessage({ QueueUrl, MessageBody, MessageGroupId: 'g', MessageDeduplicationId: 'same-id' });
    const first = await send(sqsA, q.onA, 'first');
    // SQS: a message sent with the id of one sent successfully within the 5-minute deduplication
    // interval is accepted but not delivered; redsqs answers with the original's id and number.
    await advance(299_000);
    const dup = await send(sqsB, q.onB, 'duplicate');
    expect(dup.MessageId).toBe(first.MessageId);
    expect(dup.SequenceNumber).toBe(first.SequenceNumber);
    expect((await counts(q.onB)).visible).toBe(1);
    await advance(2_000);
    const fresh = await send(sqsB, q.onB, 'after the window');
    expect(fresh.MessageId).not.toBe(first.MessageId);
    expect((await counts(q.onB)).visible).toBe(2);
  });

  it('a ReceiveRequestAttemptId returns the same messages for 5 minutes of the clock, then is a new receive', async () => {
    const { sqsA, sqsB } = deployment();
    const q = await queue('clock-attempt', { ContentBasedDeduplication: 'true' }, true);
    await sqsA.sendMessage({ QueueUrl: q.onA, MessageBody: 'a1', MessageGroupId: 'a' });
    const receive = (sqs: SQS, QueueUrl: string) =>
      sqs.receiveMessage({ QueueUrl, ReceiveRequestAttemptId: 'attempt-1', VisibilityTimeout: 3_600 });
    const first = (await receive(sqsA, q.onA)).Messages ?? [];
    expect(first.map((m) => m.Body)).toEqual(['a1']);
    // Another group's message is available: a new receive would return it.
    await sqsA.sendMessage({ QueueUrl: q.onA, MessageBody: 'b1', MessageGroupId: 'b' });
    // SQS: "You can use ReceiveRequestAttemptId only for 5 minutes after a ReceiveMessage action";
    // within them a retry returns the same messages and receipt handles.
    await advance(299_000);
    const retried = (await receive(sqsB, q.onB)).Messages ?? [];
    expect(retried.map((m) => [m.Body, m.ReceiptHandle])).toEqual([['a1', first[0]?.ReceiptHandle]]);
    // a1 is still in flight (3,600 s), but the attempt id has expired: this is a new receive.
    await advance(2_000);
    const after = (await receive(sqsB, q.onB)).Messages ?? [];
    expect(after.map((m) => m.Body)).toEqual(['b1']);
  });
});

describe('retention follows the clock', () => {
  it('a message past MessageRetentionPeriod (60 s, the minimum) is gone from counts and receives', async () => {
    const { sqsA } = deployment();
    const q = await queue('clock-retention', { MessageRetentionPeriod: '60' });
    await sqsA.sendMessage({ QueueUrl: q.onA, MessageBody: 'short-lived' });
    await advance(59_000);
    expect((await counts(q.onB)).visible).toBe(1);
    await advance(2_000);
    // The sweep interval is 60 s here: only the sweep a clock change starts can remove it in time.
    await until(
      'the expired message to leave the count',
      () => counts(q.onB),
      (c) => c.visible === 0 && c.inflight === 0,
    );
    expect(await receiveB(q.onB)).toHaveLength(0);
  });
});

describe('cool-downs follow the clock', () => {
  it('a second purge within 60 s of the clock fails with PurgeQueueInProgress; after 60 s it succeeds', async () => {
    const { sqsA, sqsB } = deployment();
    const q = await queue('clock-purge');
    await sqsA.sendMessage({ QueueUrl: q.onA, MessageBody: 'to purge' });
    await sqsA.purgeQueue({ QueueUrl: q.onA });
    // SQS: PurgeQueueInProgress "indicates that the specified queue previously received a
    // PurgeQueue request within the last 60 seconds".
    expect((await errorOf(() => sqsB.purgeQueue({ QueueUrl: q.onB }))).code).toBe('PurgeQueueInProgress');
    await advance(59_000);
    expect((await errorOf(() => sqsB.purgeQueue({ QueueUrl: q.onB }))).code).toBe('PurgeQueueInProgress');
    await advance(1_000);
    await sqsB.purgeQueue({ QueueUrl: q.onB });
  });

  it('a deleted name cannot be reused for 60 s of the clock (QueueDeletedRecently), then it can', async () => {
    const { sqsA, sqsB } = deployment();
    const q = await queue('clock-deleted');
    await sqsA.deleteQueue({ QueueUrl: q.onA });
    // SQS: "when you delete a queue, you must wait at least 60 seconds before creating a queue
    // with the same name".
    expect((await errorOf(() => sqsB.createQueue({ QueueName: q.name }))).code).toBe('QueueDeletedRecently');
    await advance(59_000);
    expect((await errorOf(() => sqsB.createQueue({ QueueName: q.name }))).code).toBe('QueueDeletedRecently');
    await advance(1_000);
    expect((await sqsB.createQueue({ QueueName: q.name })).QueueUrl).toBe(q.onB);
  });
});

describe('move-task rates follow the clock', () => {
  it('at 1 message per second on a frozen clock nothing moves until the clock advances, then 1 per second of it', async () => {
    const { a, sqsA, sqsB } = deployment();
    const dlq = await queue('clock-mdlq');
    const arn = `arn:aws:sqs:us-east-1:${a.config.accountId}:${dlq.name}`;
    const src = await queue('clock-msrc', {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 1 }),
    });
    await sqsA.sendMessageBatch({
      QueueUrl: src.onA,
      Entries: Array.from({ length: 6 }, (_, i) => ({ Id: `e${i}`, MessageBody: `m${i}` })),
    });
    // The first receive counts once; the next finds them past maxReceiveCount and redrives them.
    while (
      ((await sqsA.receiveMessage({ QueueUrl: src.onA, MaxNumberOfMessages: 10, VisibilityTimeout: 0 })).Messages ?? [])
        .length > 0
    );
    expect((await counts(dlq.onB)).visible).toBe(6);

    await changeClock(a.url, { freeze: true });
    try {
      const task = async () => (await sqsB.listMessageMoveTasks({ SourceArn: arn })).Results?.[0];
      // SQS: MaxNumberOfMessagesPerSecond sets a fixed rate, at most 500.
      await sqsB.startMessageMoveTask({ SourceArn: arn, MaxNumberOfMessagesPerSecond: 1 });
      // Five ticks of the task runner pass in real time, none on the clock: no message is earned.
      await sleep(500);
      expect(await task()).toMatchObject({ Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 0 });
      // 3 s of the clock earn 3 messages, and no more while it stands still again.
      await advance(3_000);
      await until('3 messages to move', task, (t) => (t?.ApproximateNumberOfMessagesMoved ?? 0) >= 3);
      expect(await task()).toMatchObject({ Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 3 });
      expect((await counts(dlq.onB)).visible).toBe(3);
      await advance(3_000);
      const done = await until('the task to complete', task, (t) => t?.Status === 'COMPLETED');
      expect(done).toMatchObject({ ApproximateNumberOfMessagesMoved: 6, ApproximateNumberOfMessagesToMove: 6 });
      expect((await counts(dlq.onB)).visible).toBe(0);
      expect((await counts(src.onB)).visible).toBe(6);
    } finally {
      await changeClock(a.url, { freeze: false });
    }
  });
});
