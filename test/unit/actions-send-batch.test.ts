/**
 * SendMessageBatch against the in-memory store: the batch rules, the total size limit, and
 * per-entry failures from validation and from the store's outcomes.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createQueue } from '../../src/actions/create-queue.js';
import { getQueueAttributes } from '../../src/actions/get-queue-attributes.js';
import { receiveMessage } from '../../src/actions/receive-message.js';
import { type SendMessageBatchInput, sendMessageBatch } from '../../src/actions/send-message-batch.js';
import type { WireAttributeValue } from '../../src/sqs/messages.js';
import { actionError, type TestContext, testContext } from '../helpers/action-context.js';

const invalidValue = (message: string) => ({ code: 'InvalidParameterValueException', message });
const str = (StringValue: string, DataType = 'String'): WireAttributeValue => ({ DataType, StringValue });

let t: TestContext;
beforeEach(async () => {
  t = testContext();
  await createQueue({ QueueName: 'q' }, t.ctx);
  await createQueue({ QueueName: 'f.fifo', Attributes: { FifoQueue: 'true' } }, t.ctx);
});

const sendBatch = (Entries: NonNullable<SendMessageBatchInput['Entries']>, queue = 'q') =>
  sendMessageBatch({ QueueUrl: t.url(queue), Entries }, t.ctx);
const counts = async (queue = 'q') =>
  (
    await getQueueAttributes(
      { QueueUrl: t.url(queue), AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'] },
      t.ctx,
    )
  ).Attributes;
describe('SendMessageBatch', () => {
  const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ Id: `e${i}`, MessageBody: `m${i}` }));

  it('sends up to 10 entries and answers one result per Id, in order', async () => {
    const out = await sendBatch(entries(10));
    expect(out.Failed).toEqual([]);
    expect(out.Successful?.map((s) => s.Id)).toEqual(entries(10).map((e) => e.Id));
    expect(out.Successful?.[0]).toEqual({
      Id: 'e0',
      MessageId: expect.any(String),
      MD5OfMessageBody: expect.any(String),
    });
  });

  it.each([
    [[], 'EmptyBatchRequest', 'There should be at least one SendMessageBatchRequestEntry in the request.'],
    [entries(11), 'TooManyEntriesInBatchRequest', 'Maximum number of entries per request are 10. You have sent 11.'],
    [[...entries(2), { Id: 'e1', MessageBody: 'x' }], 'BatchEntryIdsNotDistinct', 'Id e1 repeated.'],
  ])('applies the batch rule %#', async (batch, code, message) => {
    expect(await actionError(sendBatch(batch))).toEqual({ code, message });
    expect(t.store.calls).not.toContain('sendMessages');
  });

  it.each(['', 'a b', 'a.b', 'é', 'i'.repeat(81)])('rejects the entry id %j (InvalidBatchEntryId)', async (Id) => {
    expect(await actionError(sendBatch([{ Id, MessageBody: 'x' }]))).toEqual({
      code: 'InvalidBatchEntryId',
      message:
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
    });
  });

  it('accepts ids of 80 letters, digits, hyphens and underscores', async () => {
    const Id = `A-z_9${'i'.repeat(75)}`;
    expect((await sendBatch([{ Id, MessageBody: 'x' }])).Successful?.[0]?.Id).toBe(Id);
  });

  it('refuses a batch whose bodies and attributes total more than 1 MiB (BatchRequestTooLong)', async () => {
    const half = 'x'.repeat(524_288);
    await expect(
      sendBatch([
        { Id: 'a', MessageBody: half },
        { Id: 'b', MessageBody: half },
      ]),
    ).resolves.toMatchObject({
      Failed: [],
    });
    const over = [
      { Id: 'a', MessageBody: half },
      { Id: 'b', MessageBody: half.slice(7), MessageAttributes: { n: str('v') } },
    ];
    expect(await actionError(sendBatch(over))).toEqual({
      code: 'BatchRequestTooLong',
      message: 'Batch requests cannot be longer than 1048576 bytes. You have sent 1048577 bytes.',
    });
  });

  it('reports invalid entries as Failed with the legacy code and sends the others', async () => {
    const out = await sendBatch([
      { Id: 'ok', MessageBody: 'x' },
      { Id: 'empty', MessageBody: '' },
      { Id: 'late', MessageBody: 'x', DelaySeconds: 901 },
    ]);
    expect(out.Successful?.map((s) => s.Id)).toEqual(['ok']);
    expect(out.Failed).toEqual([
      {
        Id: 'empty',
        SenderFault: true,
        Code: 'MissingParameter',
        Message: 'The request must contain the parameter MessageBody.',
      },
      {
        Id: 'late',
        SenderFault: true,
        Code: 'InvalidParameterValue',
        Message: 'Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.',
      },
    ]);
    expect(await counts()).toMatchObject({ ApproximateNumberOfMessages: '1' });
  });

  it("maps the store's per-message outcomes: too-large and no-dedup-id fail only their entry", async () => {
    vi.spyOn(t.store, 'sendMessages').mockResolvedValueOnce({
      maxSize: 2048,
      outcomes: [{ status: 'stored', seq: '1' }, { status: 'too-large' }, { status: 'no-dedup-id' }],
    });
    const out = await sendBatch(entries(3));
    expect(out.Successful?.map((s) => s.Id)).toEqual(['e0']);
    expect(out.Failed?.map((f) => [f.Id, f.Code, f.Message])).toEqual([
      [
        'e1',
        'InvalidParameterValue',
        'One or more parameters are invalid. Reason: Message must be shorter than 2048 bytes.',
      ],
      [
        'e2',
        'InvalidParameterValue',
        'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
      ],
    ]);
  });

  it('numbers FIFO entries in request order', async () => {
    const out = await sendBatch(
      [
        { Id: 'a', MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: '1' },
        { Id: 'b', MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: '3' },
      ],
      'f.fifo',
    );
    const [a, b] = out.Successful ?? [];
    expect(BigInt(b?.SequenceNumber ?? 0)).toBeGreaterThan(BigInt(a?.SequenceNumber ?? 0));
  });

  describe('FIFO rules that fail the whole request', () => {
    const noGroup = invalidValue('The request must contain the parameter MessageGroupId.');
    const noDedup = invalidValue(
      'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
    );

    it('an entry without MessageGroupId, even next to entries that fail alone', async () => {
      const err = await actionError(
        sendBatch(
          [
            { Id: 'a', MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: '1' },
            { Id: 'bad', MessageBody: '', MessageGroupId: 'g', MessageDeduplicationId: '2' },
            { Id: 'nogroup', MessageBody: 'x', MessageDeduplicationId: '3' },
          ],
          'f.fifo',
        ),
      );
      expect(err).toEqual(noGroup);
      expect(await counts('f.fifo')).toMatchObject({ ApproximateNumberOfMessages: '0' });
    });

    it('an entry without MessageDeduplicationId next to entries with one: one store call, nothing stored', async () => {
      const send = vi.spyOn(t.store, 'sendMessages');
      const read = vi.spyOn(t.store, 'getQueue');
      const err = await actionError(
        sendBatch(
          [
            { Id: 'a', MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: '1' },
            { Id: 'nodedup', MessageBody: 'y', MessageGroupId: 'g' },
          ],
          'f.fifo',
        ),
      );
      expect(err).toEqual(noDedup);
      expect([send.mock.calls.length, read.mock.calls.length]).toEqual([1, 0]);
      expect(await counts('f.fifo')).toMatchObject({ ApproximateNumberOfMessages: '0' });
    });

    it('entries that all lack MessageDeduplicationId: the store refuses them all', async () => {
      const err = await actionError(
        sendBatch(
          [
            { Id: 'a', MessageBody: 'x', MessageGroupId: 'g' },
            { Id: 'b', MessageBody: 'y', MessageGroupId: 'g' },
          ],
          'f.fifo',
        ),
      );
      expect(err).toEqual(noDedup);
      expect(await counts('f.fifo')).toMatchObject({ ApproximateNumberOfMessages: '0' });
    });

    it('with ContentBasedDeduplication, mixed entries are all sent', async () => {
      await createQueue(
        { QueueName: 'cbd.fifo', Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' } },
        t.ctx,
      );
      const out = await sendBatch(
        [
          { Id: 'a', MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: '1' },
          { Id: 'b', MessageBody: 'y', MessageGroupId: 'g' },
        ],
        'cbd.fifo',
      );
      expect(out.Successful?.map((s) => s.Id)).toEqual(['a', 'b']);
    });

    it('keeps a per-message DelaySeconds a failure of its entry alone', async () => {
      const out = await sendBatch(
        [
          { Id: 'a', MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: '1' },
          { Id: 'late', MessageBody: 'y', MessageGroupId: 'g', MessageDeduplicationId: '2', DelaySeconds: 5 },
        ],
        'f.fifo',
      );
      expect(out.Successful?.map((s) => s.Id)).toEqual(['a']);
      expect(out.Failed?.map((f) => [f.Id, f.Message])).toEqual([
        [
          'late',
          'Value 5 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.',
        ],
      ]);
    });
  });

  it('stores the X-Amzn-Trace-Id header as the AWSTraceHeader of entries that do not set one', async () => {
    const ctx = { ...t.ctx, traceHeader: 'Root=1-header' };
    const out = await sendMessageBatch(
      {
        QueueUrl: t.url('q'),
        Entries: [
          { Id: 'a', MessageBody: 'a' },
          { Id: 'b', MessageBody: 'b', MessageSystemAttributes: { AWSTraceHeader: str('Root=1-attribute') } },
        ],
      },
      ctx,
    );
    expect(out.Successful?.[0]?.MD5OfMessageSystemAttributes).toBeUndefined();
    expect(out.Successful?.[1]?.MD5OfMessageSystemAttributes).toMatch(/^[0-9a-f]{32}$/);
    const got = await receiveMessage(
      { QueueUrl: t.url('q'), MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['AWSTraceHeader'] },
      t.ctx,
    );
    expect(Object.fromEntries((got.Messages ?? []).map((m) => [m.Body, m.Attributes?.AWSTraceHeader]))).toEqual({
      a: 'Root=1-header',
      b: 'Root=1-attribute',
    });
  });

  it('is QueueDoesNotExist for an unknown queue', async () => {
    expect((await actionError(sendBatch(entries(1), 'nope'))).code).toBe('QueueDoesNotExist');
  });
});
