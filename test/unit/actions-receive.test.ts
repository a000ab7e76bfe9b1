/**
 * ReceiveMessage against the in-memory store: parameter ranges, result shapes, attribute
 * selection, long polling, and store outcomes as SQS errors.
 */
import type { Message, QueueAttributeName } from '@aws-sdk/client-sqs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { MessageAttributeMap } from '../../src/domain.js';
import { MAX_INFLIGHT_MESSAGES } from '../../src/sqs/limits.js';
import { md5OfAttributes } from '../../src/sqs/md5.js';
import { actionCalls, createTwoQueues, invalid, QDNE } from '../helpers/action-calls.js';
import { actionError, START_MS, type TestContext, testContext } from '../helpers/action-context.js';

const ACCOUNT = '000000000000';
/** AttributeNames as they come off the wire: any strings (the SDK types them as queue attribute names). */
const wireNames = (...names: string[]) => names as QueueAttributeName[];

let t: TestContext;
beforeEach(async () => {
  t = testContext();
  await createTwoQueues(t);
});

const { send, receive } = actionCalls(() => t);

describe('ReceiveMessage parameters', () => {
  it.each([
    [
      { MaxNumberOfMessages: 0 },
      'Value 0 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
    ],
    [
      { MaxNumberOfMessages: 11 },
      'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
    ],
    [
      { VisibilityTimeout: -1 },
      'Value -1 for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.',
    ],
    [
      { VisibilityTimeout: 43_201 },
      'Value 43201 for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.',
    ],
    [
      { WaitTimeSeconds: -1 },
      'Value -1 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.',
    ],
    [
      { WaitTimeSeconds: 21 },
      'Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.',
    ],
    [
      { ReceiveRequestAttemptId: 'a'.repeat(129) },
      `Value ${'a'.repeat(129)} for parameter ReceiveRequestAttemptId is invalid. Reason: ReceiveRequestAttemptId can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
    ],
    [
      { ReceiveRequestAttemptId: 'a b' },
      'Value a b for parameter ReceiveRequestAttemptId is invalid. Reason: ReceiveRequestAttemptId can only include alphanumeric and punctuation characters. 1 to 128 in length.',
    ],
  ])('rejects %j before touching the store', async (input, message) => {
    t.store.calls.length = 0;
    expect(await actionError(receive(input))).toEqual(invalid(message));
    expect(t.store.calls).toEqual([]);
  });

  it('accepts the bounds and passes the request to the store (default max 1, in-flight limit 120000)', async () => {
    await send('x', 'f.fifo', { MessageGroupId: 'g', MessageDeduplicationId: 'd' });
    const spy = vi.spyOn(t.store, 'receiveMessages');
    await receive();
    await receive({
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 43_200,
      WaitTimeSeconds: 0,
      ReceiveRequestAttemptId: 'r-1!',
    });
    // A message is ready, so the long poll answers from its first look.
    expect((await receive({ VisibilityTimeout: 0, WaitTimeSeconds: 20 }, 'f.fifo')).Messages).toHaveLength(1);
    expect(spy.mock.calls.map(([, options]) => options)).toEqual([
      { max: 1, now: START_MS, inflightLimit: MAX_INFLIGHT_MESSAGES },
      { max: 10, visibilityMs: 43_200_000, now: START_MS, inflightLimit: 120_000, attemptId: 'r-1!' },
      { max: 1, visibilityMs: 0, now: START_MS, inflightLimit: 120_000 },
    ]);
  });
});

describe('ReceiveMessage results', () => {
  it('answers {} without a Messages member when nothing is available', async () => {
    expect(await receive()).toEqual({});
  });

  it('returns MessageId, ReceiptHandle, MD5OfBody and Body, and no attributes unless asked', async () => {
    const sent = await send('hello');
    expect(await receive()).toEqual({
      Messages: [
        {
          MessageId: sent.MessageId,
          ReceiptHandle: expect.any(String),
          MD5OfBody: sent.MD5OfMessageBody,
          Body: 'hello',
        },
      ],
    });
  });

  it('returns at most MaxNumberOfMessages (default 1), oldest first', async () => {
    for (const b of ['1', '2', '3']) await send(b);
    expect((await receive()).Messages?.map((m) => m.Body)).toEqual(['1']);
    expect((await receive({ MaxNumberOfMessages: 10 })).Messages?.map((m) => m.Body)).toEqual(['2', '3']);
  });

  it('returns the system attributes asked for, from AttributeNames and MessageSystemAttributeNames together', async () => {
    await send('x', 'q', {
      MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1' } },
    });
    t.advance(5);
    const [m] = (await receive({ AttributeNames: ['All'] })).Messages ?? [];
    expect(m?.Attributes).toEqual({
      SenderId: ACCOUNT,
      SentTimestamp: String(START_MS),
      ApproximateReceiveCount: '1',
      ApproximateFirstReceiveTimestamp: String(START_MS + 5),
      AWSTraceHeader: 'Root=1',
    });
    t.advance(30_000);
    const both = {
      AttributeNames: wireNames('SentTimestamp'),
      MessageSystemAttributeNames: ['ApproximateReceiveCount' as const],
    };
    const [again] = (await receive(both)).Messages ?? [];
    expect(again?.Attributes).toEqual({ SentTimestamp: String(START_MS), ApproximateReceiveCount: '2' });
  });

  it('ignores names that are not message system attributes', async () => {
    await send('x');
    const [m] = (await receive({ AttributeNames: ['VisibilityTimeout'] })).Messages ?? [];
    expect(m?.Attributes).toBeUndefined();
  });

  it('adds the FIFO system attributes with a 20-digit SequenceNumber', async () => {
    await send('x', 'f.fifo', { MessageGroupId: 'g1', MessageDeduplicationId: 'd1' });
    const [m] = (await receive({ MessageSystemAttributeNames: ['All'] }, 'f.fifo')).Messages ?? [];
    expect(m?.Attributes).toMatchObject({
      MessageGroupId: 'g1',
      MessageDeduplicationId: 'd1',
      SequenceNumber: '10000000000000000001',
    });
  });

  describe('message attributes', () => {
    const attrs = {
      'a.x': { DataType: 'String', StringValue: '1' },
      'a.y': { DataType: 'Number', StringValue: '2' },
      b: { DataType: 'Binary', BinaryValue: Buffer.from('3') },
    };
    let md5All: string | undefined;
    const names = (m: Message | undefined) => Object.keys(m?.MessageAttributes ?? {}).sort();
    beforeEach(async () => {
      md5All = (await send('x', 'q', { MessageAttributes: attrs })).MD5OfMessageAttributes;
    });

    it.each([['All'], ['.*']])('returns every attribute and the checksum sent for %s', async (which) => {
      const [m] = (await receive({ MessageAttributeNames: [which] })).Messages ?? [];
      expect(m?.MessageAttributes).toEqual(attrs);
      expect(m?.MD5OfMessageAttributes).toBe(md5All);
    });

    it('selects by name and by prefix.*, with the checksum of what is returned', async () => {
      const [m] = (await receive({ MessageAttributeNames: ['a.*'], VisibilityTimeout: 0 })).Messages ?? [];
      expect(names(m)).toEqual(['a.x', 'a.y']);
      expect(m?.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
      expect(m?.MD5OfMessageAttributes).not.toBe(md5All);
      const [n] = (await receive({ MessageAttributeNames: ['b', 'missing'] })).Messages ?? [];
      expect(names(n)).toEqual(['b']);
    });

    it.each([[undefined], [[]], [['missing', 'c.*']]])(
      'returns neither MessageAttributes nor their checksum when none are asked for or match: %j',
      async (MessageAttributeNames) => {
        const [m] = (await receive(MessageAttributeNames ? { MessageAttributeNames } : {})).Messages ?? [];
        expect(m).not.toHaveProperty('MessageAttributes');
        expect(m).not.toHaveProperty('MD5OfMessageAttributes');
      },
    );

    it('selects by a prefix that is not a whole dotted segment, with the checksum of what is returned', async () => {
      await send('y', 'q', {
        MessageAttributes: {
          Hello: { DataType: 'String', StringValue: 'h' },
          'Help.Me': { DataType: 'String', StringValue: 'm' },
          Other: { DataType: 'String', StringValue: 'o' },
        },
      });
      const got = (await receive({ MaxNumberOfMessages: 10, MessageAttributeNames: ['Hel.*'] })).Messages ?? [];
      const m = got.find((x) => x.Body === 'y');
      expect(names(m)).toEqual(['Hello', 'Help.Me']);
      expect(m?.MD5OfMessageAttributes).toBe(md5OfAttributes(m?.MessageAttributes as MessageAttributeMap));
    });
  });

  it('hides a received message for VisibilityTimeout, then gives it again with a new receipt handle', async () => {
    await send('x');
    const first = (await receive({ VisibilityTimeout: 5 })).Messages?.[0];
    t.advance(4_999);
    expect(await receive()).toEqual({});
    t.advance(1);
    const second = (await receive({ AttributeNames: wireNames('ApproximateReceiveCount') })).Messages?.[0];
    expect(second?.MessageId).toBe(first?.MessageId);
    expect(second?.ReceiptHandle).not.toBe(first?.ReceiptHandle);
    expect(second?.Attributes).toEqual({ ApproximateReceiveCount: '2' });
  });

  it('keeps other messages of a FIFO group back while one is in flight', async () => {
    await send('1', 'f.fifo', { MessageGroupId: 'g', MessageDeduplicationId: '1' });
    await send('2', 'f.fifo', { MessageGroupId: 'g', MessageDeduplicationId: '2' });
    expect((await receive({}, 'f.fifo')).Messages?.map((m) => m.Body)).toEqual(['1']);
    expect(await receive({}, 'f.fifo')).toEqual({});
  });

  it('maps the store outcomes missing and over-limit to QueueDoesNotExist and OverLimit', async () => {
    expect(await actionError(receive({}, 'nope'))).toEqual(QDNE);
    vi.spyOn(t.store, 'receiveMessages').mockResolvedValueOnce({ status: 'over-limit' });
    expect(await actionError(receive())).toEqual({
      code: 'OverLimit',
      message: 'Too many messages in flight: the limit of 120000 is reached.',
    });
  });

  it('moves messages past maxReceiveCount to the dead-letter queue at once; a failed move only logs', async () => {
    await send('ready');
    const real = t.store.receiveMessages.bind(t.store);
    // The store put two messages in the outbox on the way to the one it returns, then on an empty look.
    const spy = vi
      .spyOn(t.store, 'receiveMessages')
      .mockImplementationOnce(async (q, options) => {
        const r = await real(q, options);
        return r?.status === 'ok' ? { ...r, moved: 2 } : r;
      })
      .mockResolvedValueOnce({ status: 'empty', queueWaitSeconds: 0, moved: 1 });
    expect((await receive()).Messages?.map((m) => m.Body)).toEqual(['ready']);
    expect(t.moves.drained).toEqual([{ account: ACCOUNT, name: 'q' }]);
    t.moves.drainError = new Error('redis down');
    expect(await receive()).toEqual({});
    expect(t.warnings).toEqual(['redrive from q deferred: redis down']);
    spy.mockResolvedValue({ status: 'empty', queueWaitSeconds: 0, moved: 0 });
    await receive();
    expect(t.moves.drained).toHaveLength(2);
  });
});

describe('ReceiveMessage long polling', () => {
  const emptyWithWait = { status: 'empty' as const, queueWaitSeconds: 20, moved: 0 };

  it("waits by the queue's ReceiveMessageWaitTimeSeconds when WaitTimeSeconds is not given", async () => {
    await send('late');
    const spy = vi.spyOn(t.store, 'receiveMessages').mockResolvedValueOnce(emptyWithWait);
    expect((await receive()).Messages?.map((m) => m.Body)).toEqual(['late']);
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('does not wait with WaitTimeSeconds=0, whatever the queue says', async () => {
    await send('late');
    const spy = vi.spyOn(t.store, 'receiveMessages').mockResolvedValueOnce(emptyWithWait);
    expect(await receive({ WaitTimeSeconds: 0 })).toEqual({});
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('stops without another look once the client has gone', async () => {
    t.abort();
    const spy = vi.spyOn(t.store, 'receiveMessages');
    expect(await receive({ WaitTimeSeconds: 20 })).toEqual({});
    expect(spy).toHaveBeenCalledTimes(1);
  });
});
