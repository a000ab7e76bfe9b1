/**
 * Receipt handles and visibility as real SQS answers them, through both SDK generations: a FIFO
 * handle expires with its visibility timeout (DeleteMessage, ChangeMessageVisibility and their
 * batch forms refuse it), a standard queue's latest handle still deletes and hides the message
 * again after its timeout ended, and a FIFO purge forgets the deduplication ids. Time passes by
 * moving the service's clock (its /_redsqs/clock route), never by sleeping.
 */
import { describe, expect, it } from 'vitest';
import { errorOf, PROTOCOLS, sqsClient, uniqueName } from '../helpers/clients.js';
import { changeClock } from '../helpers/clock.js';
import { useTestService } from '../helpers/service.js';

const svc = useTestService();

const advance = (ms: number) => changeClock(svc().url, { advanceMs: ms });
const expired = (handle: string) =>
  `Value ${handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`;

describe.each(PROTOCOLS)('receipt handles and visibility as in SQS (%s)', (protocol) => {
  const sqs = () => sqsClient(protocol, svc().url);
  const standard = async () =>
    (await sqs().createQueue({ QueueName: uniqueName(`xv-${protocol}`) })).QueueUrl as string;
  const fifo = async () =>
    (
      await sqs().createQueue({
        QueueName: `${uniqueName(`xv-${protocol}`).slice(0, 70)}.fifo`,
        Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' },
      })
    ).QueueUrl as string;
  /** Sends `body` (to group g on a FIFO queue) and receives it for `seconds`: its receipt handle. */
  const received = async (QueueUrl: string, body: string, seconds: number) => {
    const group = QueueUrl.endsWith('.fifo') ? { MessageGroupId: 'g' } : {};
    await sqs().sendMessage({ QueueUrl, MessageBody: body, ...group });
    const [m] = (await sqs().receiveMessage({ QueueUrl, VisibilityTimeout: seconds })).Messages ?? [];
    expect(m?.Body).toBe(body);
    return m?.ReceiptHandle as string;
  };
  const receive = async (QueueUrl: string) =>
    (
      (await sqs().receiveMessage({ QueueUrl, MaxNumberOfMessages: 10, AttributeNames: ['All'] as never })).Messages ??
      []
    ).map((m) => ({ body: m.Body, count: m.Attributes?.ApproximateReceiveCount, handle: m.ReceiptHandle as string }));

  describe('FIFO queue: a handle expires with its visibility timeout', () => {
    it('DeleteMessage refuses it, and the message stays; a standard queue deletes with it', async () => {
      const QueueUrl = await fifo();
      const handle = await received(QueueUrl, 'm1', 30);
      await advance(31_000);
      const err = await errorOf(() => sqs().deleteMessage({ QueueUrl, ReceiptHandle: handle }));
      expect([err.code, err.message]).toEqual(['InvalidParameterValue', expired(handle)]);
      // Not deleted: it comes back, received a second time, and its new handle deletes it.
      const [again] = await receive(QueueUrl);
      expect(again).toMatchObject({ body: 'm1', count: '2' });
      await sqs().deleteMessage({ QueueUrl, ReceiptHandle: again?.handle });
      expect(await receive(QueueUrl)).toEqual([]);

      // SQS: on a standard queue the same old handle still deletes.
      const std = await standard();
      const old = await received(std, 's1', 30);
      await advance(31_000);
      await sqs().deleteMessage({ QueueUrl: std, ReceiptHandle: old });
      expect(await receive(std)).toEqual([]);
    });

    it('DeleteMessageBatch refuses it per entry and deletes the other entries', async () => {
      const QueueUrl = await fifo();
      const old = await received(QueueUrl, 'old', 30);
      await sqs().sendMessage({ QueueUrl, MessageBody: 'other', MessageGroupId: 'h' });
      const [other] = (await sqs().receiveMessage({ QueueUrl, VisibilityTimeout: 120 })).Messages ?? [];
      expect(other?.Body).toBe('other');
      await advance(31_000);
      const result = await sqs().deleteMessageBatch({
        QueueUrl,
        Entries: [
          { Id: 'stale', ReceiptHandle: old },
          { Id: 'fresh', ReceiptHandle: other?.ReceiptHandle },
        ],
      });
      expect(result.Successful).toEqual([{ Id: 'fresh' }]);
      expect(result.Failed).toEqual([
        { Id: 'stale', SenderFault: true, Code: 'InvalidParameterValue', Message: expired(old) },
      ]);
      expect((await receive(QueueUrl)).map((m) => [m.body, m.count])).toEqual([['old', '2']]);
    });

    it('ChangeMessageVisibility and its batch form refuse it, and the group stays available', async () => {
      const QueueUrl = await fifo();
      const handle = await received(QueueUrl, 'm1', 30);
      await advance(31_000);
      const err = await errorOf(() =>
        sqs().changeMessageVisibility({ QueueUrl, ReceiptHandle: handle, VisibilityTimeout: 60 }),
      );
      expect([err.code, err.message]).toEqual(['InvalidParameterValue', expired(handle)]);
      const batch = await sqs().changeMessageVisibilityBatch({
        QueueUrl,
        Entries: [{ Id: 'e', ReceiptHandle: handle, VisibilityTimeout: 60 }],
      });
      expect(batch.Successful ?? []).toEqual([]);
      expect(batch.Failed).toEqual([
        { Id: 'e', SenderFault: true, Code: 'InvalidParameterValue', Message: expired(handle) },
      ]);
      expect((await receive(QueueUrl)).map((m) => [m.body, m.count])).toEqual([['m1', '2']]);
    });
  });

  it('PurgeQueue on a FIFO queue forgets the deduplication ids', async () => {
    const QueueUrl = (
      await sqs().createQueue({
        QueueName: `${uniqueName(`xv-${protocol}`).slice(0, 70)}.fifo`,
        Attributes: { FifoQueue: 'true' },
      })
    ).QueueUrl as string;
    const ids = { MessageGroupId: 'g', MessageDeduplicationId: 'same-id' };
    const before = await sqs().sendMessage({ QueueUrl, MessageBody: 'before', ...ids });
    await sqs().purgeQueue({ QueueUrl });
    const after = await sqs().sendMessage({ QueueUrl, MessageBody: 'after', ...ids });
    expect(after.MessageId).not.toBe(before.MessageId);
    expect((await receive(QueueUrl)).map((m) => m.body)).toEqual(['after']);
  });

  describe('standard queue: ChangeMessageVisibility after the timeout ended', () => {
    it("with the message's latest handle hides it again; a handle from an earlier receive acts too", async () => {
      const QueueUrl = await standard();
      const handle = await received(QueueUrl, 'm1', 30);
      await advance(31_000);
      await sqs().changeMessageVisibility({ QueueUrl, ReceiptHandle: handle, VisibilityTimeout: 60 });
      expect(await receive(QueueUrl)).toEqual([]);
      await advance(61_000);
      const [again] = await receive(QueueUrl);
      expect(again).toMatchObject({ body: 'm1', count: '2' });
      // Received again: the first handle is from an earlier receive, and still ends the visibility the
      // second receive set (SQS; LocalStack's AWS-validated test_terminate_visibility_timeout_after_receive).
      await sqs().changeMessageVisibility({ QueueUrl, ReceiptHandle: handle, VisibilityTimeout: 0 });
      expect(await receive(QueueUrl)).toMatchObject([{ body: 'm1', count: '3' }]);
      // A deleted message's handles fail.
      await sqs().deleteMessage({ QueueUrl, ReceiptHandle: handle });
      const err = await errorOf(() =>
        sqs().changeMessageVisibility({ QueueUrl, ReceiptHandle: handle, VisibilityTimeout: 60 }),
      );
      expect([err.code, err.message]).toEqual([
        'InvalidParameterValue',
        `Value ${handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
      ]);
    });

    it('the batch form hides it again too', async () => {
      const QueueUrl = await standard();
      const handle = await received(QueueUrl, 'm1', 30);
      await advance(31_000);
      const result = await sqs().changeMessageVisibilityBatch({
        QueueUrl,
        Entries: [{ Id: 'e', ReceiptHandle: handle, VisibilityTimeout: 60 }],
      });
      expect(result.Successful).toEqual([{ Id: 'e' }]);
      expect(result.Failed ?? []).toEqual([]);
      expect(await receive(QueueUrl)).toEqual([]);
    });
  });
});
