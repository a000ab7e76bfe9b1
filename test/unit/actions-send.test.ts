/**
 * SendMessage against the in-memory store: what a sender may send (body, delay, message and
 * system attributes, FIFO parameters), the result shape, and store outcomes as SQS errors.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createQueue } from '../../src/actions/create-queue.js';
import { getQueueAttributes } from '../../src/actions/get-queue-attributes.js';
import { receiveMessage } from '../../src/actions/receive-message.js';
import { type SendMessageInput, sendMessage } from '../../src/actions/send-message.js';
import type { WireAttributeValue } from '../../src/sqs/messages.js';
import { invalid } from '../helpers/action-calls.js';
import { actionError, type TestContext, testContext } from '../helpers/action-context.js';

const notForQueueType = (name: string, value: unknown) =>
  invalid(
    `Value ${String(value)} for parameter ${name} is invalid. Reason: The request include parameter that is not valid for this queue type.`,
  );
const str = (StringValue: string, DataType = 'String'): WireAttributeValue => ({ DataType, StringValue });
const MD5_HELLO = '5d41402abc4b2a76b9719d911017c592';

let t: TestContext;
beforeEach(async () => {
  t = testContext();
  await createQueue({ QueueName: 'q' }, t.ctx);
  await createQueue({ QueueName: 'f.fifo', Attributes: { FifoQueue: 'true' } }, t.ctx);
});

const send = (input: Omit<SendMessageInput, 'QueueUrl'>, queue = 'q') =>
  sendMessage({ QueueUrl: t.url(queue), ...input }, t.ctx);
const counts = async (queue = 'q') =>
  (
    await getQueueAttributes(
      { QueueUrl: t.url(queue), AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'] },
      t.ctx,
    )
  ).Attributes;

describe('SendMessage', () => {
  it('answers with a new MessageId and the MD5 of the body, and no attribute checksum without attributes', async () => {
    const out = await send({ MessageBody: 'hello' });
    expect(out).toEqual({ MessageId: expect.stringMatching(/^[0-9a-f-]{36}$/), MD5OfMessageBody: MD5_HELLO });
    expect((await send({ MessageBody: 'hello' })).MessageId).not.toBe(out.MessageId);
  });

  it('adds the checksums of message and system attributes when they were sent', async () => {
    const out = await send({
      MessageBody: 'hello',
      MessageAttributes: { a: str('1', 'Number.int') },
      MessageSystemAttributes: { AWSTraceHeader: str('Root=1-abc') },
    });
    expect(out.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    expect(out.MD5OfMessageSystemAttributes).toMatch(/^[0-9a-f]{32}$/);
    expect(out.MD5OfMessageAttributes).not.toBe(out.MD5OfMessageSystemAttributes);
  });

  it.each([
    ['', { code: 'MissingRequiredParameterException', message: 'The request must contain the parameter MessageBody.' }],
    [
      'bad \u0000 char',
      {
        code: 'InvalidMessageContents',
        message:
          'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
      },
    ],
    [
      'x'.repeat(1_048_577),
      invalid('One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.'),
    ],
  ])('rejects the body %# before touching the store', async (MessageBody, expected) => {
    t.store.calls.length = 0;
    expect(await actionError(send({ MessageBody }))).toEqual(expected);
    expect(t.store.calls).toEqual([]);
  });

  it('accepts a body of exactly 1 MiB (the default MaximumMessageSize)', async () => {
    await expect(send({ MessageBody: 'x'.repeat(1_048_576) })).resolves.toHaveProperty('MessageId');
  });

  it.each([-1, 901])('rejects DelaySeconds %d', async (DelaySeconds) => {
    expect(await actionError(send({ MessageBody: 'x', DelaySeconds }))).toEqual(
      invalid(
        `Value ${DelaySeconds} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.`,
      ),
    );
  });

  it('delays a message on a standard queue by its DelaySeconds', async () => {
    await send({ MessageBody: 'x', DelaySeconds: 900 });
    expect(await counts()).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesDelayed: '1' });
    t.advance(900_000);
    expect(await counts()).toEqual({ ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesDelayed: '0' });
  });

  it("maps the store's too-large outcome to the queue's MaximumMessageSize", async () => {
    await createQueue({ QueueName: 'small', Attributes: { MaximumMessageSize: '1024' } }, t.ctx);
    await expect(send({ MessageBody: 'x'.repeat(1024) }, 'small')).resolves.toHaveProperty('MessageId');
    // Attribute names, types and values count toward the size.
    const over = { MessageBody: 'x'.repeat(1000), MessageAttributes: { name: str('v'.repeat(20)) } };
    expect(await actionError(send(over, 'small'))).toEqual(
      invalid('One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.'),
    );
  });

  it('is QueueDoesNotExist for an unknown queue', async () => {
    expect(await actionError(send({ MessageBody: 'x' }, 'nope'))).toEqual({
      code: 'QueueDoesNotExist',
      message: 'The specified queue does not exist.',
    });
  });

  describe('message attributes', () => {
    it('allows at most 10', async () => {
      const MessageAttributes = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, str('v')]));
      expect(await actionError(send({ MessageBody: 'x', MessageAttributes }))).toEqual(
        invalid('Number of message attributes [11] exceeds the allowed maximum [10].'),
      );
    });

    it.each(['AWS.x', 'amazon.x', '.a', 'a.', 'a..b', 'a b', 'a§b', 'a!', 'n'.repeat(257)])(
      'rejects the name %j',
      async (name) => {
        expect(await actionError(send({ MessageBody: 'x', MessageAttributes: { [name]: str('v') } }))).toEqual(
          invalid(`Message (user) attribute name '${name}' is invalid.`),
        );
      },
    );

    it.each([
      [
        { DataType: 'Text', StringValue: 'v' },
        "The type of message (user) attribute 'a' is invalid. You must use only the following supported type prefixes: Binary, Number, String.",
      ],
      [
        { DataType: 'String', StringValue: '' },
        "Message (user) attribute 'a' must contain a non-empty value of type 'String'.",
      ],
      [{ DataType: 'String.x' }, "Message (user) attribute 'a' must contain a non-empty value of type 'String'."],
      [
        { DataType: 'Number', StringValue: '' },
        "Message (user) attribute 'a' must contain a non-empty value of type 'Number'.",
      ],
      [
        { DataType: 'Binary', BinaryValue: Buffer.alloc(0) },
        "Message (user) attribute 'a' must contain a non-empty value of type 'Binary'.",
      ],
      [{ DataType: 'Binary' }, "Message (user) attribute 'a' must contain a non-empty value of type 'Binary'."],
      [
        { DataType: 'Binary', StringValue: 'v' },
        "The message (user) attribute 'a' with type 'Binary' must use field 'Binary'.",
      ],
      [
        { DataType: 'Number', BinaryValue: Buffer.from('1') },
        "The message (user) attribute 'a' with type 'Number' must use field 'String'.",
      ],
      [{ DataType: 'Number', StringValue: 'ten' }, "Can't cast the value of message (user) attribute 'a' to a number."],
      [
        { DataType: 'Number', StringValue: '1e127' },
        "Can't cast the value of message (user) attribute 'a' to a number.",
      ],
      [{ DataType: 'String', StringListValues: ['v'] }, 'Message (user) attribute list values are not supported.'],
    ])('rejects the value %j', async (value, message) => {
      expect(await actionError(send({ MessageBody: 'x', MessageAttributes: { a: value } }))).toEqual(invalid(message));
    });

    it.each(['\u0001', 'a\u0008', '\u000B', '\uFFFE'])(
      'rejects invalid characters in a value %j with InvalidParameterValue (InvalidMessageContents is for bodies)',
      async (value) => {
        expect(await actionError(send({ MessageBody: 'x', MessageAttributes: { a: str(value) } }))).toEqual(
          invalid(
            'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
          ),
        );
      },
    );

    it('accepts names with accented letters, digits, dots, hyphens and underscores', async () => {
      const MessageAttributes = { 'attr.1øßä': str('v'), 'Ünï-cödé_2': str('w') };
      await expect(send({ MessageBody: 'x', MessageAttributes })).resolves.toHaveProperty('MD5OfMessageAttributes');
    });

    it('accepts custom type suffixes, binary values and the number range edges', async () => {
      const MessageAttributes = {
        n: str('-1e128', 'Number.java.lang.Double'),
        m: str('1e126', 'Number'),
        b: { DataType: 'Binary.gz', BinaryValue: Buffer.from([0, 1, 2]) },
      };
      await expect(send({ MessageBody: 'x', MessageAttributes })).resolves.toHaveProperty('MD5OfMessageAttributes');
    });

    it('accepts only AWSTraceHeader, of type String, as a system attribute', async () => {
      expect(await actionError(send({ MessageBody: 'x', MessageSystemAttributes: { Other: str('v') } }))).toEqual(
        invalid("Message system attribute name 'Other' is invalid."),
      );
      const binary = { AWSTraceHeader: { DataType: 'Binary', BinaryValue: Buffer.from('v') } };
      expect(await actionError(send({ MessageBody: 'x', MessageSystemAttributes: binary }))).toEqual(
        invalid("The message system attribute 'AWSTraceHeader' must be of type 'String'."),
      );
    });
  });

  it('stores the X-Amzn-Trace-Id header as AWSTraceHeader unless the message sets it, with no system checksum', async () => {
    const ctx = { ...t.ctx, traceHeader: 'Root=1-header' };
    const fromHeader = await sendMessage({ QueueUrl: t.url('q'), MessageBody: 'a' }, ctx);
    expect(fromHeader.MD5OfMessageSystemAttributes).toBeUndefined();
    const MessageSystemAttributes = { AWSTraceHeader: str('Root=1-attribute') };
    const explicit = await sendMessage({ QueueUrl: t.url('q'), MessageBody: 'b', MessageSystemAttributes }, ctx);
    expect(explicit.MD5OfMessageSystemAttributes).toMatch(/^[0-9a-f]{32}$/);
    const got = await receiveMessage(
      { QueueUrl: t.url('q'), MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['AWSTraceHeader'] },
      t.ctx,
    );
    expect(Object.fromEntries((got.Messages ?? []).map((m) => [m.Body, m.Attributes?.AWSTraceHeader]))).toEqual({
      a: 'Root=1-header',
      b: 'Root=1-attribute',
    });
  });

  describe('FIFO parameters', () => {
    const fifo = (input: Omit<SendMessageInput, 'QueueUrl' | 'MessageBody'> & { MessageBody?: string }) =>
      send({ MessageBody: 'x', ...input }, 'f.fifo');

    it('needs MessageGroupId on a FIFO queue (MissingParameter)', async () => {
      expect(await actionError(fifo({ MessageDeduplicationId: 'd' }))).toEqual({
        code: 'MissingRequiredParameterException',
        message: 'The request must contain the parameter MessageGroupId.',
      });
    });

    it('rejects a per-message DelaySeconds on a FIFO queue, but accepts 0', async () => {
      expect(await actionError(fifo({ MessageGroupId: 'g', MessageDeduplicationId: 'd', DelaySeconds: 3 }))).toEqual(
        notForQueueType('DelaySeconds', 3),
      );
      await expect(fifo({ MessageGroupId: 'g', MessageDeduplicationId: 'd', DelaySeconds: 0 })).resolves.toHaveProperty(
        'SequenceNumber',
      );
    });

    it('rejects MessageDeduplicationId on a standard queue, but accepts MessageGroupId (fair queues)', async () => {
      expect(await actionError(send({ MessageBody: 'x', MessageDeduplicationId: 'd' }))).toEqual(
        notForQueueType('MessageDeduplicationId', 'd'),
      );
      const out = await send({ MessageBody: 'x', MessageGroupId: 'tenant-1' });
      expect(out.SequenceNumber).toBeUndefined();
    });

    it.each([
      ['MessageGroupId', 'g'.repeat(129)],
      ['MessageGroupId', 'has space'],
      ['MessageGroupId', ''],
      ['MessageDeduplicationId', 'd'.repeat(129)],
    ])('rejects %s %j', async (name, value) => {
      const input = { MessageGroupId: 'g', MessageDeduplicationId: 'd', [name]: value };
      expect(await actionError(fifo(input))).toEqual(
        invalid(
          `Value ${value} for parameter ${name} is invalid. Reason: ${name} can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
        ),
      );
    });

    it('needs a deduplication id when ContentBasedDeduplication is off', async () => {
      expect(await actionError(fifo({ MessageGroupId: 'g' }))).toEqual(
        invalid(
          'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
        ),
      );
    });

    it('answers a duplicate with the first MessageId and SequenceNumber; an explicit id beats the content', async () => {
      await createQueue(
        { QueueName: 'cbd.fifo', Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' } },
        t.ctx,
      );
      const first = await send({ MessageBody: 'same', MessageGroupId: 'g' }, 'cbd.fifo');
      const again = await send({ MessageBody: 'same', MessageGroupId: 'g' }, 'cbd.fifo');
      expect(again).toEqual(first);
      const explicit = await send(
        { MessageBody: 'same', MessageGroupId: 'g', MessageDeduplicationId: 'other' },
        'cbd.fifo',
      );
      expect(explicit.MessageId).not.toBe(first.MessageId);
      expect(await counts('cbd.fifo')).toMatchObject({ ApproximateNumberOfMessages: '2' });
    });

    it('returns 20-digit sequence numbers that increase', async () => {
      const a = await fifo({ MessageGroupId: 'g', MessageDeduplicationId: '1' });
      const b = await fifo({ MessageGroupId: 'h', MessageDeduplicationId: '2' });
      expect(a.SequenceNumber).toMatch(/^\d{20}$/);
      expect(BigInt(b.SequenceNumber ?? 0)).toBeGreaterThan(BigInt(a.SequenceNumber ?? 0));
    });
  });
});
