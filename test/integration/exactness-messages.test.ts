/**
 * Message behaviours recorded against real Amazon SQS, through both SDK generations: which message
 * attributes a receive returns and the checksum of them, attribute value rules, the X-Amzn-Trace-Id
 * header as AWSTraceHeader, and the FIFO rules that fail a SendMessageBatch as a whole.
 */
import type { Message, MessageAttributeValue, QueueAttributeName, SQS } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import type { MessageAttributeMap } from '../../src/domain.js';
import { md5OfAttributes } from '../../src/sqs/md5.js';
import { errorOf, PROTOCOLS, sqsClient, uniqueName } from '../helpers/clients.js';
import { useTestService } from '../helpers/service.js';

const svc = useTestService();

const text = (StringValue: string, DataType = 'String'): MessageAttributeValue => ({ DataType, StringValue });
/** The checksum SQS gives for exactly these attributes (the SDK decodes binary values to bytes). */
const md5Of = (attributes: Record<string, MessageAttributeValue> | undefined) =>
  md5OfAttributes(attributes as MessageAttributeMap);
const INVALID_CHARACTERS =
  'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF';
const NO_GROUP = 'The request must contain the parameter MessageGroupId.';
const NO_DEDUP =
  'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly';
const TRACE = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';

/** A client whose every request carries X-Amzn-Trace-Id, as the SDKs send it inside Lambda. */
function withTraceHeader(sqs: SQS, value: string): SQS {
  sqs.middlewareStack.add(
    (next) => (args) => {
      (args.request as { headers: Record<string, string> }).headers['X-Amzn-Trace-Id'] = value;
      return next(args);
    },
    { step: 'build' },
  );
  return sqs;
}

describe.each(PROTOCOLS)('exactness of messages (%s)', (protocol) => {
  const sqs = () => sqsClient(protocol, svc().url);
  const queue = async (Attributes?: Record<string, string>) =>
    (await sqs().createQueue({ QueueName: uniqueName(`xm-${protocol}`), Attributes })).QueueUrl as string;
  const fifo = async (Attributes: Record<string, string> = {}) =>
    (
      await sqs().createQueue({
        QueueName: `${uniqueName(`xf-${protocol}`).slice(0, 70)}.fifo`,
        Attributes: { FifoQueue: 'true', ...Attributes },
      })
    ).QueueUrl as string;
  const stored = async (QueueUrl: string) =>
    (await sqs().getQueueAttributes({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] })).Attributes
      ?.ApproximateNumberOfMessages;
  const expectError = async (call: () => Promise<unknown>, code: string, message: string) => {
    const err = await errorOf(call);
    expect({ code: err.code, message: err.message }).toEqual({ code, message });
  };

  describe('ReceiveMessage MessageAttributeNames', () => {
    const attributes = {
      Hello: text('42', 'Number'),
      'Help.Me': text('please'),
      Helm: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 254]) },
      Other: text('o'),
    };
    const receiveWith = async (QueueUrl: string, MessageAttributeNames?: string[]) =>
      (await sqs().receiveMessage({ QueueUrl, MessageAttributeNames, VisibilityTimeout: 0 })).Messages?.[0] as Message;

    it('returns neither MessageAttributes nor MD5OfMessageAttributes when none are asked for', async () => {
      const QueueUrl = await queue();
      const sent = await sqs().sendMessage({ QueueUrl, MessageBody: 'x', MessageAttributes: attributes });
      expect(sent.MD5OfMessageAttributes).toBe(md5Of(attributes));
      for (const names of [undefined, [], ['Missing', 'Nothing.*']]) {
        const m = await receiveWith(QueueUrl, names);
        expect(m.Body).toBe('x');
        expect(m).not.toHaveProperty('MessageAttributes');
        expect(m).not.toHaveProperty('MD5OfMessageAttributes');
      }
    });

    it('returns the attributes a prefix.* selects (dotted names too), with the MD5 of those alone', async () => {
      const QueueUrl = await queue();
      await sqs().sendMessage({ QueueUrl, MessageBody: 'x', MessageAttributes: attributes });
      const m = await receiveWith(QueueUrl, ['Hel.*']);
      expect(Object.keys(m.MessageAttributes ?? {}).sort()).toEqual(['Hello', 'Helm', 'Help.Me']);
      expect(m.MessageAttributes?.['Help.Me']).toEqual(text('please'));
      expect(m.MD5OfMessageAttributes).toBe(
        md5Of({ Hello: attributes.Hello, 'Help.Me': attributes['Help.Me'], Helm: attributes.Helm }),
      );
      expect(m.MD5OfMessageAttributes).not.toBe(md5Of(attributes));

      for (const all of ['All', '.*', '*']) {
        const every = await receiveWith(QueueUrl, [all]);
        expect(Object.keys(every.MessageAttributes ?? {}).sort()).toEqual(['Hello', 'Helm', 'Help.Me', 'Other']);
        expect(every.MD5OfMessageAttributes).toBe(md5Of(attributes));
      }
      const named = await receiveWith(QueueUrl, ['Other', 'Hello']);
      expect(Object.keys(named.MessageAttributes ?? {}).sort()).toEqual(['Hello', 'Other']);
      expect(named.MD5OfMessageAttributes).toBe(md5Of({ Hello: attributes.Hello, Other: attributes.Other }));
    });
  });

  describe('message attribute values and names', () => {
    it('refuses an empty String, Number or Binary value as InvalidParameterValue, per entry in a batch', async () => {
      const QueueUrl = await queue();
      const cases: [MessageAttributeValue, string][] = [
        [text(''), 'String'],
        [text('', 'Number'), 'Number'],
        [{ DataType: 'Binary', BinaryValue: new Uint8Array(0) }, 'Binary'],
      ];
      for (const [value, type] of cases) {
        const message = `Message (user) attribute 'Empty' must contain a non-empty value of type '${type}'.`;
        await expectError(
          () => sqs().sendMessage({ QueueUrl, MessageBody: 'x', MessageAttributes: { Empty: value } }),
          'InvalidParameterValue',
          message,
        );
        const batch = await sqs().sendMessageBatch({
          QueueUrl,
          Entries: [
            { Id: 'ok', MessageBody: 'ok' },
            { Id: 'empty', MessageBody: 'x', MessageAttributes: { Empty: value } },
          ],
        });
        expect(batch.Successful?.map((s) => s.Id)).toEqual(['ok']);
        expect(batch.Failed).toEqual([
          { Id: 'empty', SenderFault: true, Code: 'InvalidParameterValue', Message: message },
        ]);
      }
    });

    it('refuses characters outside the SQS set in a value as InvalidParameterValue (the body alone says InvalidMessageContents)', async () => {
      const QueueUrl = await queue();
      for (const bad of ['Invalid-\u0008', 'Invalid-\u000B', '\uFFFF']) {
        await expectError(
          () => sqs().sendMessage({ QueueUrl, MessageBody: 'x', MessageAttributes: { a: text(bad) } }),
          'InvalidParameterValue',
          INVALID_CHARACTERS,
        );
        await expectError(
          () => sqs().sendMessage({ QueueUrl, MessageBody: 'x', MessageAttributes: { n: text(`1${bad}`, 'Number') } }),
          'InvalidParameterValue',
          INVALID_CHARACTERS,
        );
        const body = await errorOf(() => sqs().sendMessage({ QueueUrl, MessageBody: bad }));
        expect(body.code).toBe('InvalidMessageContents');
        // The pre-JSON SDK models InvalidMessageContents without a message member ("UnknownError").
        if (protocol === 'json') expect(body.message).toBe(INVALID_CHARACTERS);
      }
      expect(await stored(QueueUrl)).toBe('0');
    });

    it('accepts accented letters in attribute names and refuses punctuation such as §', async () => {
      const QueueUrl = await queue();
      const MessageAttributes = { 'attr.1øßä': text('Valida') };
      const sent = await sqs().sendMessage({ QueueUrl, MessageBody: 'x', MessageAttributes });
      expect(sent.MD5OfMessageAttributes).toBe(md5Of(MessageAttributes));
      const m = (await sqs().receiveMessage({ QueueUrl, MessageAttributeNames: ['attr.*'] })).Messages?.[0];
      expect(m?.MessageAttributes).toEqual(MessageAttributes);
      expect(m?.MD5OfMessageAttributes).toBe(md5Of(MessageAttributes));
      await expectError(
        () => sqs().sendMessage({ QueueUrl, MessageBody: 'x', MessageAttributes: { 'Invalid-§-attr': text('v') } }),
        'InvalidParameterValue',
        "Message (user) attribute name 'Invalid-§-attr' is invalid.",
      );
    });
  });

  describe('the X-Amzn-Trace-Id header', () => {
    // The pre-JSON SDK knows only the deprecated AttributeNames member.
    const traceNames =
      protocol === 'json'
        ? { MessageSystemAttributeNames: ['AWSTraceHeader' as const] }
        : { AttributeNames: ['AWSTraceHeader'] as string[] as QueueAttributeName[] };
    it('becomes the AWSTraceHeader of a sent message that does not set one; the attribute wins', async () => {
      const QueueUrl = await queue();
      const traced = withTraceHeader(sqs(), TRACE);
      const sent = await traced.sendMessage({ QueueUrl, MessageBody: 'header' });
      // The sender sent no system attribute, so there is no checksum of one to give back.
      expect(sent.MD5OfMessageSystemAttributes).toBeUndefined();
      await traced.sendMessage({
        QueueUrl,
        MessageBody: 'attribute',
        MessageSystemAttributes: { AWSTraceHeader: text('Root=1-explicit') },
      });
      await sqs().sendMessage({ QueueUrl, MessageBody: 'none' });
      const batch = await traced.sendMessageBatch({
        QueueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'batch-header' },
          { Id: 'b', MessageBody: 'batch-attribute', MessageSystemAttributes: { AWSTraceHeader: text('Root=1-b') } },
        ],
      });
      expect(batch.Successful?.[0]?.MD5OfMessageSystemAttributes).toBeUndefined();
      expect(batch.Successful?.[1]?.MD5OfMessageSystemAttributes).toMatch(/^[0-9a-f]{32}$/);

      const traces: Record<string, string | undefined> = {};
      for (let i = 0; i < 5 && Object.keys(traces).length < 5; i++) {
        const got = await sqs().receiveMessage({ QueueUrl, MaxNumberOfMessages: 10, ...traceNames });
        for (const m of got.Messages ?? []) traces[m.Body as string] = m.Attributes?.AWSTraceHeader;
      }
      expect(traces).toEqual({
        header: TRACE,
        attribute: 'Root=1-explicit',
        none: undefined,
        'batch-header': TRACE,
        'batch-attribute': 'Root=1-b',
      });
    });
  });

  describe('FIFO rules that fail a whole SendMessageBatch', () => {
    it('an entry without MessageGroupId (SendMessage: MissingParameter, same text)', async () => {
      const QueueUrl = await fifo({ ContentBasedDeduplication: 'true' });
      await expectError(
        () =>
          sqs().sendMessageBatch({
            QueueUrl,
            Entries: [
              { Id: 'a', MessageBody: 'a', MessageGroupId: 'g' },
              { Id: 'nogroup', MessageBody: 'b' },
              { Id: 'c', MessageBody: 'c', MessageGroupId: 'g' },
            ],
          }),
        'InvalidParameterValue',
        NO_GROUP,
      );
      expect(await stored(QueueUrl)).toBe('0');
      await expectError(() => sqs().sendMessage({ QueueUrl, MessageBody: 'x' }), 'MissingParameter', NO_GROUP);
    });

    it('an entry without MessageDeduplicationId when ContentBasedDeduplication is off (SendMessage: same error)', async () => {
      const QueueUrl = await fifo();
      const mixed = [
        { Id: 'a', MessageBody: 'a', MessageGroupId: 'g', MessageDeduplicationId: 'a' },
        { Id: 'nodedup', MessageBody: 'b', MessageGroupId: 'g' },
      ];
      const none = [
        { Id: 'a', MessageBody: 'a', MessageGroupId: 'g' },
        { Id: 'b', MessageBody: 'b', MessageGroupId: 'g' },
      ];
      for (const Entries of [mixed, none]) {
        await expectError(() => sqs().sendMessageBatch({ QueueUrl, Entries }), 'InvalidParameterValue', NO_DEDUP);
      }
      expect(await stored(QueueUrl)).toBe('0');
      await expectError(
        () => sqs().sendMessage({ QueueUrl, MessageBody: 'x', MessageGroupId: 'g' }),
        'InvalidParameterValue',
        NO_DEDUP,
      );
      // With ContentBasedDeduplication the same mixed batch is sent whole.
      const cbd = await fifo({ ContentBasedDeduplication: 'true' });
      const ok = await sqs().sendMessageBatch({ QueueUrl: cbd, Entries: mixed });
      expect(ok.Successful?.map((s) => s.Id)).toEqual(['a', 'nodedup']);
      expect(ok.Failed ?? []).toEqual([]);
    });
  });
});
