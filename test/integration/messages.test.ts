/** Message actions on standard queues through both SDK generations, against the real service. */
import type { QueueAttributeName } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { md5Hex } from '../../src/sqs/md5.js';
import { errorOf, PROTOCOLS, sqsClient, uniqueName } from '../helpers/clients.js';
import { useTestService } from '../helpers/service.js';

const svc = useTestService();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** System attribute names; the SDK types the deprecated AttributeNames member as queue attribute names. */
const system = (...names: string[]) => names as QueueAttributeName[];

describe.each(PROTOCOLS)('messages (%s)', (protocol) => {
  const sqs = () => sqsClient(protocol, svc().url);
  const queue = async (attributes?: Record<string, string>) =>
    (await sqs().createQueue({ QueueName: uniqueName(`m-${protocol}`), Attributes: attributes })).QueueUrl as string;

  describe('SendMessage and ReceiveMessage', () => {
    it('round-trips body and attributes with the checksums SQS gives', async () => {
      const QueueUrl = await queue();
      const body = 'héllo <xml> & "quotes" \r\n\t 🎉';
      const sent = await sqs().sendMessage({
        QueueUrl,
        MessageBody: body,
        MessageAttributes: {
          timestamp: { DataType: 'Number', StringValue: '1493147359900' },
        },
      });
      expect(sent.MD5OfMessageBody).toBe(md5Hex(body));
      expect(sent.MD5OfMessageAttributes).toBe('235c5c510d26fb653d073faed50ae77c');
      expect(sent.MessageId).toMatch(/^[0-9a-f-]{36}$/);
      expect(sent.SequenceNumber).toBeUndefined();
      const { Messages } = await sqs().receiveMessage({ QueueUrl, MessageAttributeNames: ['All'] });
      expect(Messages).toHaveLength(1);
      const m = Messages?.[0];
      expect(m?.Body).toBe(body);
      expect(m?.MessageId).toBe(sent.MessageId);
      expect(m?.MD5OfBody).toBe(sent.MD5OfMessageBody);
      expect(m?.MD5OfMessageAttributes).toBe('235c5c510d26fb653d073faed50ae77c');
      expect(m?.MessageAttributes).toEqual({ timestamp: { DataType: 'Number', StringValue: '1493147359900' } });
    });

    it('keeps binary and custom-typed attributes exactly', async () => {
      const QueueUrl = await queue();
      const bytes = new Uint8Array([0, 1, 2, 254, 255]);
      const MessageAttributes = {
        bin: { DataType: 'Binary', BinaryValue: bytes },
        gif: { DataType: 'Binary.gif', BinaryValue: new Uint8Array([71, 73, 70]) },
        n: { DataType: 'Number.int', StringValue: '-12.5e3' },
        s: { DataType: 'String.custom', StringValue: 'ünïcödé' },
      };
      const sent = await sqs().sendMessage({ QueueUrl, MessageBody: 'b', MessageAttributes });
      const m = (await sqs().receiveMessage({ QueueUrl, MessageAttributeNames: ['All'] })).Messages?.[0];
      expect(m?.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
      expect(Buffer.from(m?.MessageAttributes?.bin?.BinaryValue ?? [])).toEqual(Buffer.from(bytes));
      expect(m?.MessageAttributes?.gif?.DataType).toBe('Binary.gif');
      expect(m?.MessageAttributes?.n).toEqual({ DataType: 'Number.int', StringValue: '-12.5e3' });
      expect(m?.MessageAttributes?.s).toEqual({ DataType: 'String.custom', StringValue: 'ünïcödé' });
    });

    it('omits MD5OfMessageAttributes when no attributes were sent', async () => {
      const QueueUrl = await queue();
      const sent = await sqs().sendMessage({ QueueUrl, MessageBody: 'plain' });
      expect(sent.MD5OfMessageAttributes).toBeUndefined();
      const m = (await sqs().receiveMessage({ QueueUrl, MessageAttributeNames: ['All'] })).Messages?.[0];
      expect(m?.MD5OfMessageAttributes).toBeUndefined();
      expect(m?.MessageAttributes).toBeUndefined();
    });

    it('returns only the message attributes asked for: All, .*, prefix.* and names', async () => {
      const QueueUrl = await queue();
      const attr = (v: string) => ({ DataType: 'String', StringValue: v });
      await sqs().sendMessage({
        QueueUrl,
        MessageBody: 'x',
        MessageAttributes: { 'a.one': attr('1'), 'a.two': attr('2'), b: attr('3') },
      });
      const names = async (MessageAttributeNames?: string[]) => {
        const m = (await sqs().receiveMessage({ QueueUrl, MessageAttributeNames, VisibilityTimeout: 0 })).Messages?.[0];
        return Object.keys(m?.MessageAttributes ?? {}).sort();
      };
      expect(await names(['All'])).toEqual(['a.one', 'a.two', 'b']);
      expect(await names(['.*'])).toEqual(['a.one', 'a.two', 'b']);
      expect(await names(['a.*'])).toEqual(['a.one', 'a.two']);
      expect(await names(['b', 'missing'])).toEqual(['b']);
      expect(await names()).toEqual([]);
    });

    it('returns system attributes on request: SenderId, timestamps, receive count', async () => {
      const QueueUrl = await queue();
      const before = Date.now();
      await sqs().sendMessage({ QueueUrl, MessageBody: 'x' });
      const first = (await sqs().receiveMessage({ QueueUrl, AttributeNames: ['All'], VisibilityTimeout: 0 }))
        .Messages?.[0];
      const a = first?.Attributes ?? {};
      expect(a.SenderId).toBe('000000000000');
      expect(Number(a.SentTimestamp)).toBeGreaterThanOrEqual(before);
      expect(a.ApproximateReceiveCount).toBe('1');
      expect(Number(a.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(Number(a.SentTimestamp));
      const second = (await sqs().receiveMessage({ QueueUrl, AttributeNames: system('ApproximateReceiveCount') }))
        .Messages?.[0];
      expect(second?.Attributes).toEqual({ ApproximateReceiveCount: '2' });
      expect(second?.ReceiptHandle).not.toBe(first?.ReceiptHandle);
      const none = await sqs().receiveMessage({ QueueUrl, VisibilityTimeout: 0 });
      expect(none.Messages ?? []).toEqual([]);
    });

    it('sends AWSTraceHeader as a system attribute with its checksum', async () => {
      const QueueUrl = await queue();
      const trace = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
      const sent = await sqs().sendMessage({
        QueueUrl,
        MessageBody: 'x',
        MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: trace } },
      });
      expect(sent.MD5OfMessageSystemAttributes).toMatch(/^[0-9a-f]{32}$/);
      const m = (await sqs().receiveMessage({ QueueUrl, AttributeNames: system('AWSTraceHeader') })).Messages?.[0];
      expect(m?.Attributes).toEqual({ AWSTraceHeader: trace });
    });

    it('stores MessageGroupId on a standard queue (fair queues) and rejects MessageDeduplicationId', async () => {
      const QueueUrl = await queue();
      await sqs().sendMessage({ QueueUrl, MessageBody: 'x', MessageGroupId: 'tenant-1' });
      const m = (await sqs().receiveMessage({ QueueUrl, AttributeNames: ['All'] })).Messages?.[0];
      expect(m?.Attributes?.MessageGroupId).toBe('tenant-1');
      const err = await errorOf(() => sqs().sendMessage({ QueueUrl, MessageBody: 'x', MessageDeduplicationId: 'd' }));
      expect(err.code).toBe('InvalidParameterValue');
    });

    it('returns at most MaxNumberOfMessages, and validates 1..10', async () => {
      const QueueUrl = await queue();
      for (let b = 0; b < 2; b++) {
        await sqs().sendMessageBatch({
          QueueUrl,
          Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: `m${b}-${i}` })),
        });
      }
      expect((await sqs().receiveMessage({ QueueUrl, MaxNumberOfMessages: 10 })).Messages).toHaveLength(10);
      expect((await sqs().receiveMessage({ QueueUrl, MaxNumberOfMessages: 3 })).Messages).toHaveLength(3);
      expect((await sqs().receiveMessage({ QueueUrl })).Messages).toHaveLength(1);
      for (const bad of [0, 11]) {
        const err = await errorOf(() => sqs().receiveMessage({ QueueUrl, MaxNumberOfMessages: bad }));
        expect(err.code).toBe('InvalidParameterValue');
      }
      const wait = await errorOf(() => sqs().receiveMessage({ QueueUrl, WaitTimeSeconds: 21 }));
      expect(wait.code).toBe('InvalidParameterValue');
      const vis = await errorOf(() => sqs().receiveMessage({ QueueUrl, VisibilityTimeout: 43201 }));
      expect(vis.code).toBe('InvalidParameterValue');
    });

    it('rejects bodies with characters outside the SQS set, and accepts the edges of it', async () => {
      const QueueUrl = await queue();
      for (const bad of ['a\u0000b', 'x\u0008', '\uFFFE', '\uFFFF']) {
        const err = await errorOf(() => sqs().sendMessage({ QueueUrl, MessageBody: bad }));
        expect(err.code).toBe('InvalidMessageContents');
      }
      const edge = '\t\n\r \uD7FF\uE000\uFFFD\u{10000}\u{10FFFF}';
      await sqs().sendMessage({ QueueUrl, MessageBody: edge });
      expect((await sqs().receiveMessage({ QueueUrl })).Messages?.[0]?.Body).toBe(edge);
    });

    it('counts body and attributes against MaximumMessageSize', async () => {
      const small = await queue({ MaximumMessageSize: '1024' });
      await sqs().sendMessage({ QueueUrl: small, MessageBody: 'x'.repeat(1024) });
      const over = await errorOf(() => sqs().sendMessage({ QueueUrl: small, MessageBody: 'x'.repeat(1025) }));
      expect(over.code).toBe('InvalidParameterValue');
      const withAttr = await errorOf(() =>
        sqs().sendMessage({
          QueueUrl: small,
          MessageBody: 'x'.repeat(1010),
          MessageAttributes: { name: { DataType: 'String', StringValue: 'value' } },
        }),
      );
      expect(withAttr.code).toBe('InvalidParameterValue');
    });

    it('accepts a 1 MiB message and refuses one byte more', async () => {
      const QueueUrl = await queue();
      const max = 'a'.repeat(1_048_576);
      const sent = await sqs().sendMessage({ QueueUrl, MessageBody: max });
      expect(sent.MD5OfMessageBody).toBe(md5Hex(max));
      const m = (await sqs().receiveMessage({ QueueUrl })).Messages?.[0];
      expect(m?.Body?.length).toBe(1_048_576);
      const err = await errorOf(() => sqs().sendMessage({ QueueUrl, MessageBody: `${max}a` }));
      expect(err.code).toBe('InvalidParameterValue');
    });
  });

  describe('delays and visibility', () => {
    it('hides a message for its DelaySeconds, and for the queue DelaySeconds', async () => {
      const QueueUrl = await queue();
      await sqs().sendMessage({ QueueUrl, MessageBody: 'later', DelaySeconds: 1 });
      expect((await sqs().receiveMessage({ QueueUrl })).Messages ?? []).toEqual([]);
      await sleep(1100);
      expect((await sqs().receiveMessage({ QueueUrl })).Messages?.[0]?.Body).toBe('later');

      const delayed = await queue({ DelaySeconds: '1' });
      await sqs().sendMessage({ QueueUrl: delayed, MessageBody: 'q' });
      await sqs().sendMessage({ QueueUrl: delayed, MessageBody: 'now', DelaySeconds: 0 });
      expect((await sqs().receiveMessage({ QueueUrl: delayed })).Messages?.[0]?.Body).toBe('now');
      await sleep(1100);
      expect((await sqs().receiveMessage({ QueueUrl: delayed })).Messages?.[0]?.Body).toBe('q');
      const err = await errorOf(() => sqs().sendMessage({ QueueUrl, MessageBody: 'x', DelaySeconds: 901 }));
      expect(err.code).toBe('InvalidParameterValue');
    });

    it('makes a received message visible again after the visibility timeout', async () => {
      const QueueUrl = await queue({ VisibilityTimeout: '1' });
      await sqs().sendMessage({ QueueUrl, MessageBody: 'x' });
      expect((await sqs().receiveMessage({ QueueUrl })).Messages).toHaveLength(1);
      expect((await sqs().receiveMessage({ QueueUrl })).Messages ?? []).toEqual([]);
      await sleep(1100);
      const again = (await sqs().receiveMessage({ QueueUrl, AttributeNames: system('ApproximateReceiveCount') }))
        .Messages;
      expect(again?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    });

    it('ChangeMessageVisibility extends, shortens to 0, takes stale handles and refuses deleted ones', async () => {
      const QueueUrl = await queue({ VisibilityTimeout: '1' });
      await sqs().sendMessage({ QueueUrl, MessageBody: 'x' });
      const first = (await sqs().receiveMessage({ QueueUrl })).Messages?.[0];
      await sqs().changeMessageVisibility({ QueueUrl, ReceiptHandle: first?.ReceiptHandle, VisibilityTimeout: 60 });
      await sleep(1100);
      expect((await sqs().receiveMessage({ QueueUrl })).Messages ?? []).toEqual([]);
      await sqs().changeMessageVisibility({ QueueUrl, ReceiptHandle: first?.ReceiptHandle, VisibilityTimeout: 0 });
      const second = (await sqs().receiveMessage({ QueueUrl, VisibilityTimeout: 60 })).Messages?.[0];
      expect(second?.MessageId).toBe(first?.MessageId);
      // The first handle belongs to an earlier receive: on a standard queue it still changes the message.
      await sqs().changeMessageVisibility({ QueueUrl, ReceiptHandle: first?.ReceiptHandle, VisibilityTimeout: 60 });
      const tooLong = await errorOf(() =>
        sqs().changeMessageVisibility({ QueueUrl, ReceiptHandle: second?.ReceiptHandle, VisibilityTimeout: 43201 }),
      );
      expect(tooLong.code).toBe('InvalidParameterValue');
      await sqs().changeMessageVisibility({ QueueUrl, ReceiptHandle: second?.ReceiptHandle, VisibilityTimeout: 43200 });
      await sqs().deleteMessage({ QueueUrl, ReceiptHandle: second?.ReceiptHandle });
      const deleted = await errorOf(() =>
        sqs().changeMessageVisibility({ QueueUrl, ReceiptHandle: second?.ReceiptHandle, VisibilityTimeout: 5 }),
      );
      expect(deleted.code).toBe('InvalidParameterValue');
      const invalid = await errorOf(() =>
        sqs().changeMessageVisibility({ QueueUrl, ReceiptHandle: 'garbage', VisibilityTimeout: 5 }),
      );
      expect(invalid.code).toBe('ReceiptHandleIsInvalid');
    });

    it('ChangeMessageVisibilityBatch reports each entry', async () => {
      const QueueUrl = await queue();
      await sqs().sendMessageBatch({
        QueueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'a' },
          { Id: 'b', MessageBody: 'b' },
        ],
      });
      const ms = (await sqs().receiveMessage({ QueueUrl, MaxNumberOfMessages: 2 })).Messages ?? [];
      expect(ms).toHaveLength(2);
      const result = await sqs().changeMessageVisibilityBatch({
        QueueUrl,
        Entries: [
          { Id: 'one', ReceiptHandle: ms[0]?.ReceiptHandle, VisibilityTimeout: 0 },
          { Id: 'two', ReceiptHandle: ms[1]?.ReceiptHandle, VisibilityTimeout: 100000 },
          { Id: 'three', ReceiptHandle: 'bogus', VisibilityTimeout: 10 },
        ],
      });
      expect(result.Successful?.map((s) => s.Id)).toEqual(['one']);
      expect(result.Failed?.map((f) => [f.Id, f.Code, f.SenderFault])).toEqual([
        ['two', 'InvalidParameterValue', true],
        ['three', 'ReceiptHandleIsInvalid', true],
      ]);
      expect((await sqs().receiveMessage({ QueueUrl })).Messages?.[0]?.MessageId).toBe(ms[0]?.MessageId);
    });
  });

  describe('deletes and batches', () => {
    it('DeleteMessage removes the message; deleting again succeeds; a bad handle does not', async () => {
      const QueueUrl = await queue();
      await sqs().sendMessage({ QueueUrl, MessageBody: 'x' });
      const m = (await sqs().receiveMessage({ QueueUrl, VisibilityTimeout: 0 })).Messages?.[0];
      await sqs().deleteMessage({ QueueUrl, ReceiptHandle: m?.ReceiptHandle });
      await sqs().deleteMessage({ QueueUrl, ReceiptHandle: m?.ReceiptHandle });
      expect((await sqs().receiveMessage({ QueueUrl })).Messages ?? []).toEqual([]);
      const err = await errorOf(() => sqs().deleteMessage({ QueueUrl, ReceiptHandle: 'not-a-handle' }));
      expect(err.code).toBe('ReceiptHandleIsInvalid');
      const other = await queue();
      const foreign = await errorOf(() => sqs().deleteMessage({ QueueUrl: other, ReceiptHandle: m?.ReceiptHandle }));
      expect(foreign.code).toBe('ReceiptHandleIsInvalid');
    });

    it('SendMessageBatch keeps good entries and reports bad ones', async () => {
      const QueueUrl = await queue();
      const result = await sqs().sendMessageBatch({
        QueueUrl,
        Entries: [
          { Id: 'ok1', MessageBody: 'one', MessageAttributes: { a: { DataType: 'String', StringValue: 'v' } } },
          { Id: 'bad', MessageBody: 'x', DelaySeconds: 901 },
          { Id: 'chars', MessageBody: '\u0000' },
          { Id: 'ok2', MessageBody: 'two' },
        ],
      });
      expect(result.Successful?.map((s) => s.Id)).toEqual(['ok1', 'ok2']);
      expect(result.Successful?.[0]?.MD5OfMessageBody).toBe(md5Hex('one'));
      expect(result.Successful?.[0]?.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
      expect(result.Successful?.[1]?.MD5OfMessageAttributes).toBeUndefined();
      expect(result.Failed?.map((f) => [f.Id, f.Code, f.SenderFault])).toEqual([
        ['bad', 'InvalidParameterValue', true],
        ['chars', 'InvalidMessageContents', true],
      ]);
      const bodies = (await sqs().receiveMessage({ QueueUrl, MaxNumberOfMessages: 10 })).Messages?.map((m) => m.Body);
      expect(bodies?.sort()).toEqual(['one', 'two']);
    });

    it('SendMessageBatch enforces the batch rules', async () => {
      const QueueUrl = await queue();
      const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' }));
      expect((await errorOf(() => sqs().sendMessageBatch({ QueueUrl, Entries: [] }))).code).toBe('EmptyBatchRequest');
      expect((await errorOf(() => sqs().sendMessageBatch({ QueueUrl, Entries: entries(11) }))).code).toBe(
        'TooManyEntriesInBatchRequest',
      );
      const dup = [
        { Id: 'same', MessageBody: 'a' },
        { Id: 'same', MessageBody: 'b' },
      ];
      expect((await errorOf(() => sqs().sendMessageBatch({ QueueUrl, Entries: dup }))).code).toBe(
        'BatchEntryIdsNotDistinct',
      );
      expect(
        (await errorOf(() => sqs().sendMessageBatch({ QueueUrl, Entries: [{ Id: 'has space', MessageBody: 'a' }] })))
          .code,
      ).toBe('InvalidBatchEntryId');
      const big = [
        { Id: 'a', MessageBody: 'x'.repeat(600_000) },
        { Id: 'b', MessageBody: 'x'.repeat(600_000) },
      ];
      expect((await errorOf(() => sqs().sendMessageBatch({ QueueUrl, Entries: big }))).code).toBe(
        'BatchRequestTooLong',
      );
    });

    it('SendMessageBatch fails entries over the queue MaximumMessageSize', async () => {
      const QueueUrl = await queue({ MaximumMessageSize: '1024' });
      const result = await sqs().sendMessageBatch({
        QueueUrl,
        Entries: [
          { Id: 'small', MessageBody: 'x' },
          { Id: 'large', MessageBody: 'x'.repeat(1025) },
        ],
      });
      expect(result.Successful?.map((s) => s.Id)).toEqual(['small']);
      expect(result.Failed?.map((f) => [f.Id, f.Code])).toEqual([['large', 'InvalidParameterValue']]);
    });

    it('DeleteMessageBatch deletes good handles and reports bad ones', async () => {
      const QueueUrl = await queue();
      await sqs().sendMessageBatch({
        QueueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'a' },
          { Id: 'b', MessageBody: 'b' },
        ],
      });
      const ms =
        (await sqs().receiveMessage({ QueueUrl, MaxNumberOfMessages: 2, VisibilityTimeout: 0 })).Messages ?? [];
      const result = await sqs().deleteMessageBatch({
        QueueUrl,
        Entries: [
          { Id: 'x', ReceiptHandle: ms[0]?.ReceiptHandle },
          { Id: 'y', ReceiptHandle: ms[1]?.ReceiptHandle },
          { Id: 'z', ReceiptHandle: 'bogus' },
        ],
      });
      expect(result.Successful?.map((s) => s.Id)).toEqual(['x', 'y']);
      expect(result.Failed?.map((f) => [f.Id, f.Code, f.SenderFault])).toEqual([['z', 'ReceiptHandleIsInvalid', true]]);
      expect((await sqs().receiveMessage({ QueueUrl })).Messages ?? []).toEqual([]);
    });
  });

  describe('long polling', () => {
    it('returns as soon as a message arrives', async () => {
      const QueueUrl = await queue();
      const started = Date.now();
      const polled = sqs().receiveMessage({ QueueUrl, WaitTimeSeconds: 10 });
      await sleep(300);
      await sqs().sendMessage({ QueueUrl, MessageBody: 'wake' });
      const { Messages } = await polled;
      expect(Messages?.[0]?.Body).toBe('wake');
      expect(Date.now() - started).toBeLessThan(3000);
    });

    it('waits the full WaitTimeSeconds, or the queue ReceiveMessageWaitTimeSeconds, on an empty queue', async () => {
      const QueueUrl = await queue({ ReceiveMessageWaitTimeSeconds: '1' });
      let started = Date.now();
      expect((await sqs().receiveMessage({ QueueUrl })).Messages ?? []).toEqual([]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      started = Date.now();
      expect((await sqs().receiveMessage({ QueueUrl, WaitTimeSeconds: 0 })).Messages ?? []).toEqual([]);
      expect(Date.now() - started).toBeLessThan(900);
    });

    it('wakes when a delayed message becomes visible', async () => {
      const QueueUrl = await queue();
      await sqs().sendMessage({ QueueUrl, MessageBody: 'delayed', DelaySeconds: 1 });
      const started = Date.now();
      const { Messages } = await sqs().receiveMessage({ QueueUrl, WaitTimeSeconds: 10 });
      expect(Messages?.[0]?.Body).toBe('delayed');
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(500);
      expect(waited).toBeLessThan(3000);
    });
  });
});

describe('JSON-only members', () => {
  it('MessageSystemAttributeNames selects system attributes, united with AttributeNames', async () => {
    const sqs = sqsClient('json', svc().url);
    const { QueueUrl } = await sqs.createQueue({ QueueName: uniqueName('sysnames') });
    await sqs.sendMessage({ QueueUrl, MessageBody: 'x' });
    const m = (
      await sqs.receiveMessage({
        QueueUrl,
        MessageSystemAttributeNames: ['SenderId'],
        AttributeNames: system('ApproximateReceiveCount'),
      })
    ).Messages?.[0];
    expect(Object.keys(m?.Attributes ?? {}).sort()).toEqual(['ApproximateReceiveCount', 'SenderId']);
  });
});
