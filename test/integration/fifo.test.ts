/** FIFO queues through both SDK generations: groups, ordering, deduplication, attempt ids. */
import { createHash } from 'node:crypto';
import type { QueueAttributeName } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { errorOf, PROTOCOLS, sqsClient, uniqueName } from '../helpers/clients.js';
import { useTestService } from '../helpers/service.js';

const svc = useTestService();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const system = (...names: string[]) => names as QueueAttributeName[];

describe.each(PROTOCOLS)('FIFO queues (%s)', (protocol) => {
  const sqs = () => sqsClient(protocol, svc().url);
  const fifo = async (attributes: Record<string, string> = {}) =>
    (
      await sqs().createQueue({
        QueueName: `${uniqueName(`f-${protocol}`).slice(0, 70)}.fifo`,
        Attributes: { FifoQueue: 'true', ...attributes },
      })
    ).QueueUrl as string;
  const bodies = async (QueueUrl: string, max = 10, VisibilityTimeout?: number) =>
    ((await sqs().receiveMessage({ QueueUrl, MaxNumberOfMessages: max, VisibilityTimeout })).Messages ?? []).map(
      (m) => m.Body,
    );

  describe('creation', () => {
    it('creates a FIFO queue with the FIFO defaults', async () => {
      const QueueUrl = await fifo();
      const { Attributes } = await sqs().getQueueAttributes({ QueueUrl, AttributeNames: ['All'] });
      expect(Attributes).toMatchObject({
        FifoQueue: 'true',
        ContentBasedDeduplication: 'false',
        DeduplicationScope: 'queue',
        FifoThroughputLimit: 'perQueue',
      });
    });

    it('validates the FIFO attributes together', async () => {
      const bad = await errorOf(() => fifo({ DeduplicationScope: 'queue', FifoThroughputLimit: 'perMessageGroupId' }));
      expect(bad.code).toBe('InvalidAttributeValue');
      const QueueUrl = await fifo({ DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' });
      const set = await errorOf(() =>
        sqs().setQueueAttributes({ QueueUrl, Attributes: { DeduplicationScope: 'queue' } }),
      );
      expect(set.code).toBe('InvalidAttributeValue');
      await sqs().setQueueAttributes({ QueueUrl, Attributes: { ContentBasedDeduplication: 'true' } });
      const type = await errorOf(() => sqs().setQueueAttributes({ QueueUrl, Attributes: { FifoQueue: 'false' } }));
      expect(type.code).toBe('InvalidAttributeValue');
      const value = await errorOf(() => fifo({ DeduplicationScope: 'everything' }));
      expect(value.code).toBe('InvalidAttributeValue');
    });
  });

  describe('sending', () => {
    it('requires a valid MessageGroupId and refuses per-message delays', async () => {
      const QueueUrl = await fifo({ ContentBasedDeduplication: 'true' });
      expect((await errorOf(() => sqs().sendMessage({ QueueUrl, MessageBody: 'x' }))).code).toBe('MissingParameter');
      for (const MessageGroupId of ['has space', 'g'.repeat(129), 'é']) {
        const err = await errorOf(() => sqs().sendMessage({ QueueUrl, MessageBody: 'x', MessageGroupId }));
        expect(err.code).toBe('InvalidParameterValue');
      }
      const id = await errorOf(() =>
        sqs().sendMessage({ QueueUrl, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd d' }),
      );
      expect(id.code).toBe('InvalidParameterValue');
      const delay = await errorOf(() =>
        sqs().sendMessage({ QueueUrl, MessageBody: 'x', MessageGroupId: 'g', DelaySeconds: 5 }),
      );
      expect(delay.code).toBe('InvalidParameterValue');
      const ok = await sqs().sendMessage({ QueueUrl, MessageBody: 'x', MessageGroupId: `g-1_:!${'x'.repeat(122)}` });
      expect(ok.MessageId).toBeTruthy();
    });

    it('needs a deduplication id when ContentBasedDeduplication is off', async () => {
      const QueueUrl = await fifo();
      const err = await errorOf(() => sqs().sendMessage({ QueueUrl, MessageBody: 'x', MessageGroupId: 'g' }));
      expect(err.code).toBe('InvalidParameterValue');
      // SendMessageBatch fails as a whole, storing nothing (exactness-messages.test.ts has the details).
      const batch = await errorOf(() =>
        sqs().sendMessageBatch({
          QueueUrl,
          Entries: [
            { Id: 'a', MessageBody: 'x', MessageGroupId: 'g' },
            { Id: 'b', MessageBody: 'y', MessageGroupId: 'g', MessageDeduplicationId: 'y' },
          ],
        }),
      );
      expect(batch.code).toBe('InvalidParameterValue');
      expect(await bodies(QueueUrl)).toEqual([]);
    });

    it('returns increasing sequence numbers, on send and as attributes, and keeps batch order', async () => {
      const QueueUrl = await fifo({ ContentBasedDeduplication: 'true' });
      const one = await sqs().sendMessage({ QueueUrl, MessageBody: 'first', MessageGroupId: 'g' });
      const batch = await sqs().sendMessageBatch({
        QueueUrl,
        Entries: ['b1', 'b2', 'b3'].map((b) => ({ Id: b, MessageBody: b, MessageGroupId: 'g' })),
      });
      const seqs = [one.SequenceNumber, ...(batch.Successful ?? []).map((s) => s.SequenceNumber)].map((s) =>
        BigInt(s as string),
      );
      expect(seqs).toHaveLength(4);
      for (let i = 1; i < seqs.length; i++) expect((seqs[i] as bigint) > (seqs[i - 1] as bigint)).toBe(true);
      expect(one.SequenceNumber).toMatch(/^\d{20}$/);
      const got = await sqs().receiveMessage({ QueueUrl, MaxNumberOfMessages: 10, AttributeNames: system('All') });
      expect(got.Messages?.map((m) => m.Body)).toEqual(['first', 'b1', 'b2', 'b3']);
      const a = got.Messages?.[0]?.Attributes;
      expect(a?.SequenceNumber).toBe(one.SequenceNumber);
      expect(a?.MessageGroupId).toBe('g');
      expect(a?.MessageDeduplicationId).toBe(createHash('sha256').update('first').digest('hex'));
    });
  });

  describe('ordering and message groups', () => {
    it('hands out nothing more of a group while one of its messages is in flight; other groups flow', async () => {
      const QueueUrl = await fifo({ ContentBasedDeduplication: 'true' });
      for (const [g, b] of [
        ['A', 'a1'],
        ['A', 'a2'],
        ['B', 'b1'],
      ]) {
        await sqs().sendMessage({ QueueUrl, MessageBody: b, MessageGroupId: g });
      }
      const first = (await sqs().receiveMessage({ QueueUrl })).Messages?.[0];
      expect(first?.Body).toBe('a1');
      expect(await bodies(QueueUrl)).toEqual(['b1']);
      expect(await bodies(QueueUrl)).toEqual([]);
      await sqs().deleteMessage({ QueueUrl, ReceiptHandle: first?.ReceiptHandle });
      expect(await bodies(QueueUrl)).toEqual(['a2']);
    });

    it('fills a receive from one group first, in order, then from the next', async () => {
      const QueueUrl = await fifo({ ContentBasedDeduplication: 'true' });
      await sqs().sendMessageBatch({
        QueueUrl,
        Entries: [
          { Id: '1', MessageBody: 'a1', MessageGroupId: 'A' },
          { Id: '2', MessageBody: 'b1', MessageGroupId: 'B' },
          { Id: '3', MessageBody: 'a2', MessageGroupId: 'A' },
          { Id: '4', MessageBody: 'b2', MessageGroupId: 'B' },
          { Id: '5', MessageBody: 'a3', MessageGroupId: 'A' },
        ],
      });
      expect(await bodies(QueueUrl, 4)).toEqual(['a1', 'a2', 'a3', 'b1']);
    });

    it('puts a message whose visibility expired back at the head of its group', async () => {
      const QueueUrl = await fifo({ ContentBasedDeduplication: 'true' });
      for (const b of ['m1', 'm2', 'm3']) await sqs().sendMessage({ QueueUrl, MessageBody: b, MessageGroupId: 'g' });
      expect(await bodies(QueueUrl, 1, 1)).toEqual(['m1']);
      expect(await bodies(QueueUrl)).toEqual([]);
      await sleep(1100);
      const again = await sqs().receiveMessage({ QueueUrl, MaxNumberOfMessages: 10, AttributeNames: system('All') });
      expect(again.Messages?.map((m) => m.Body)).toEqual(['m1', 'm2', 'm3']);
      expect(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    });

    it('refuses a delete with a receipt handle from an earlier receive, which would free the group', async () => {
      const QueueUrl = await fifo({ ContentBasedDeduplication: 'true' });
      for (const b of ['m1', 'm2']) await sqs().sendMessage({ QueueUrl, MessageBody: b, MessageGroupId: 'g' });
      const first = (await sqs().receiveMessage({ QueueUrl, VisibilityTimeout: 0 })).Messages?.[0];
      const second = (await sqs().receiveMessage({ QueueUrl, VisibilityTimeout: 30 })).Messages?.[0];
      expect(second?.Body).toBe('m1');
      const stale = await errorOf(() => sqs().deleteMessage({ QueueUrl, ReceiptHandle: first?.ReceiptHandle }));
      expect(stale.code).toBe('InvalidParameterValue');
      const batch = await sqs().deleteMessageBatch({
        QueueUrl,
        Entries: [{ Id: 'a', ReceiptHandle: first?.ReceiptHandle }],
      });
      expect(batch.Failed?.map((f) => f.Code)).toEqual(['InvalidParameterValue']);
      // The group is still held by the second receive.
      expect(await bodies(QueueUrl)).toEqual([]);
      await sqs().deleteMessage({ QueueUrl, ReceiptHandle: second?.ReceiptHandle });
      expect(await bodies(QueueUrl)).toEqual(['m2']);
    });

    it('releases the group when visibility is changed to 0', async () => {
      const QueueUrl = await fifo({ ContentBasedDeduplication: 'true' });
      for (const b of ['m1', 'm2']) await sqs().sendMessage({ QueueUrl, MessageBody: b, MessageGroupId: 'g' });
      const m = (await sqs().receiveMessage({ QueueUrl })).Messages?.[0];
      expect(await bodies(QueueUrl)).toEqual([]);
      await sqs().changeMessageVisibility({ QueueUrl, ReceiptHandle: m?.ReceiptHandle, VisibilityTimeout: 0 });
      expect(await bodies(QueueUrl)).toEqual(['m1', 'm2']);
    });

    it('does not let a delayed message block its group', async () => {
      const QueueUrl = await fifo({ ContentBasedDeduplication: 'true', DelaySeconds: '2' });
      await sqs().sendMessage({ QueueUrl, MessageBody: 'delayed', MessageGroupId: 'g' });
      await sqs().setQueueAttributes({ QueueUrl, Attributes: { DelaySeconds: '0' } });
      await sqs().sendMessage({ QueueUrl, MessageBody: 'now', MessageGroupId: 'g' });
      expect(await bodies(QueueUrl)).toEqual(['now']);
    });
  });

  describe('deduplication', () => {
    it('accepts a duplicate within 5 minutes with the same MessageId, and does not enqueue it, even after delete', async () => {
      const QueueUrl = await fifo();
      const send = () =>
        sqs().sendMessage({ QueueUrl, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'dup-1' });
      const first = await send();
      const second = await send();
      expect(second.MessageId).toBe(first.MessageId);
      expect(second.SequenceNumber).toBe(first.SequenceNumber);
      const got = (await sqs().receiveMessage({ QueueUrl, MaxNumberOfMessages: 10 })).Messages ?? [];
      expect(got).toHaveLength(1);
      await sqs().deleteMessage({ QueueUrl, ReceiptHandle: got[0]?.ReceiptHandle });
      const third = await send();
      expect(third.MessageId).toBe(first.MessageId);
      expect(await bodies(QueueUrl)).toEqual([]);
    });

    it('deduplicates within one batch', async () => {
      const QueueUrl = await fifo({ ContentBasedDeduplication: 'true' });
      const r = await sqs().sendMessageBatch({
        QueueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'same', MessageGroupId: 'g' },
          { Id: 'b', MessageBody: 'same', MessageGroupId: 'g' },
        ],
      });
      expect(r.Successful?.[1]?.MessageId).toBe(r.Successful?.[0]?.MessageId);
      expect(await bodies(QueueUrl)).toEqual(['same']);
    });

    it('uses SHA-256 of the body with ContentBasedDeduplication; an explicit id overrides it', async () => {
      const QueueUrl = await fifo({ ContentBasedDeduplication: 'true' });
      await sqs().sendMessage({ QueueUrl, MessageBody: 'body', MessageGroupId: 'g' });
      await sqs().sendMessage({ QueueUrl, MessageBody: 'body', MessageGroupId: 'g' });
      await sqs().sendMessage({ QueueUrl, MessageBody: 'body', MessageGroupId: 'g', MessageDeduplicationId: 'other' });
      expect(await bodies(QueueUrl)).toEqual(['body', 'body']);
    });

    it('scopes deduplication to the queue or to the message group', async () => {
      const send = (QueueUrl: string, group: string) =>
        sqs().sendMessage({ QueueUrl, MessageBody: group, MessageGroupId: group, MessageDeduplicationId: 'same' });
      const perQueue = await fifo();
      await send(perQueue, 'A');
      await send(perQueue, 'B');
      expect(await bodies(perQueue)).toEqual(['A']);
      const perGroup = await fifo({ DeduplicationScope: 'messageGroup' });
      await send(perGroup, 'A');
      await send(perGroup, 'B');
      await send(perGroup, 'A');
      expect((await bodies(perGroup)).sort()).toEqual(['A', 'B']);
    });
  });

  describe('ReceiveRequestAttemptId', () => {
    it('returns the same messages and receipt handles to a retried receive', async () => {
      const QueueUrl = await fifo({ ContentBasedDeduplication: 'true' });
      for (const b of ['m1', 'm2', 'm3']) await sqs().sendMessage({ QueueUrl, MessageBody: b, MessageGroupId: 'g' });
      const receive = (ReceiveRequestAttemptId: string) =>
        sqs().receiveMessage({ QueueUrl, MaxNumberOfMessages: 2, ReceiveRequestAttemptId });
      const first = await receive('attempt-1');
      const retry = await receive('attempt-1');
      expect(retry.Messages?.map((m) => [m.Body, m.ReceiptHandle])).toEqual(
        first.Messages?.map((m) => [m.Body, m.ReceiptHandle]),
      );
      expect(first.Messages?.map((m) => m.Body)).toEqual(['m1', 'm2']);
      expect((await receive('attempt-2')).Messages ?? []).toEqual([]);
      await sqs().deleteMessage({ QueueUrl, ReceiptHandle: first.Messages?.[0]?.ReceiptHandle });
      // After a delete the retry is a new receive; the group is still held by m2.
      expect((await receive('attempt-1')).Messages ?? []).toEqual([]);
    });

    it('is validated, and accepted (without effect) on a standard queue', async () => {
      const QueueUrl = await fifo({ ContentBasedDeduplication: 'true' });
      const err = await errorOf(() => sqs().receiveMessage({ QueueUrl, ReceiveRequestAttemptId: 'no spaces' }));
      expect(err.code).toBe('InvalidParameterValue');
      const standard = (await sqs().createQueue({ QueueName: uniqueName('std') })).QueueUrl;
      await sqs().sendMessage({ QueueUrl: standard, MessageBody: 'x' });
      const got = await sqs().receiveMessage({ QueueUrl: standard, ReceiveRequestAttemptId: 'a' });
      expect(got.Messages?.[0]?.Body).toBe('x');
    });
  });

  it('purges every kind of FIFO state', async () => {
    const QueueUrl = await fifo({ ContentBasedDeduplication: 'true' });
    await sqs().sendMessage({ QueueUrl, MessageBody: 'a', MessageGroupId: 'g' });
    await sqs().sendMessage({ QueueUrl, MessageBody: 'b', MessageGroupId: 'g' });
    await sqs().receiveMessage({ QueueUrl });
    await sqs().purgeQueue({ QueueUrl });
    await sqs().sendMessage({ QueueUrl, MessageBody: 'c', MessageGroupId: 'g' });
    expect(await bodies(QueueUrl)).toEqual(['c']);
  });
});
