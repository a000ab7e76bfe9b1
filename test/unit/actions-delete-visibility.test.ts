/**
 * DeleteMessage(Batch) and ChangeMessageVisibility(Batch) against the in-memory store: receipt
 * handles, visibility ranges and limits, per-entry batch results, store outcomes as SQS errors;
 * and what a FIFO purge forgets.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { changeMessageVisibility } from '../../src/actions/change-message-visibility.js';
import { changeMessageVisibilityBatch } from '../../src/actions/change-message-visibility-batch.js';
import { deleteMessage } from '../../src/actions/delete-message.js';
import { deleteMessageBatch } from '../../src/actions/delete-message-batch.js';
import { purgeQueue } from '../../src/actions/purge-queue.js';
import { encodeReceiptHandle } from '../../src/sqs/receipt-handle.js';
import { actionCalls, createTwoQueues, invalid, QDNE, type ReceiveInput } from '../helpers/action-calls.js';
import { actionError, type TestContext, testContext } from '../helpers/action-context.js';

const badHandle = (h: string) => ({
  code: 'ReceiptHandleIsInvalid',
  message: `The input receipt handle "${h}" is not a valid receipt handle.`,
});
const ACCOUNT = '000000000000';

let t: TestContext;
beforeEach(async () => {
  t = testContext();
  await createTwoQueues(t);
});

const { send, receive } = actionCalls(() => t);
/** Sends one message and receives it: its receipt handle. */
async function inFlight(queue = 'q', input: Omit<ReceiveInput, 'QueueUrl'> = {}): Promise<string> {
  await send('body', queue, queue.endsWith('.fifo') ? { MessageGroupId: 'g', MessageDeduplicationId: 'd' } : {});
  const [m] = (await receive(input, queue)).Messages ?? [];
  return m?.ReceiptHandle ?? '';
}
describe('DeleteMessage', () => {
  it('deletes a received message; deleting it again succeeds, as in SQS', async () => {
    const ReceiptHandle = await inFlight();
    expect(await deleteMessage({ QueueUrl: t.url('q'), ReceiptHandle }, t.ctx)).toEqual({});
    expect(t.store.queue({ account: ACCOUNT, name: 'q' })?.messages).toEqual([]);
    expect(await deleteMessage({ QueueUrl: t.url('q'), ReceiptHandle }, t.ctx)).toEqual({});
  });

  it('deletes with a handle from an earlier receive on a standard queue', async () => {
    const old = await inFlight('q', { VisibilityTimeout: 0 });
    await receive();
    await deleteMessage({ QueueUrl: t.url('q'), ReceiptHandle: old }, t.ctx);
    expect(t.store.queue({ account: ACCOUNT, name: 'q' })?.messages).toEqual([]);
  });

  it("refuses a FIFO handle whose receive is over ('The receipt handle has expired')", async () => {
    const ReceiptHandle = await inFlight('f.fifo', { VisibilityTimeout: 1 });
    t.advance(1000);
    expect(await actionError(deleteMessage({ QueueUrl: t.url('f.fifo'), ReceiptHandle }, t.ctx))).toEqual(
      invalid(`Value ${ReceiptHandle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`),
    );
  });

  it.each([
    ['garbage!', 'not base64'],
    ['', 'empty'],
    [Buffer.from('hello world').toString('base64'), 'not ours'],
    [
      encodeReceiptHandle({ account: ACCOUNT, name: 'other' }, '00000000-0000-4000-8000-000000000000', 't1'),
      'of another queue',
    ],
    [encodeReceiptHandle({ account: ACCOUNT, name: 'q' }, 'not-a-uuid', 't1'), 'with a bad message id'],
  ])('rejects the handle %j (%s) with ReceiptHandleIsInvalid, before the store', async (ReceiptHandle) => {
    t.store.calls.length = 0;
    expect(await actionError(deleteMessage({ QueueUrl: t.url('q'), ReceiptHandle }, t.ctx))).toEqual(
      badHandle(ReceiptHandle),
    );
    expect(t.store.calls).toEqual([]);
  });

  it('is QueueDoesNotExist for an unknown queue', async () => {
    const ReceiptHandle = encodeReceiptHandle(
      { account: ACCOUNT, name: 'nope' },
      '00000000-0000-4000-8000-000000000000',
      't1',
    );
    expect(await actionError(deleteMessage({ QueueUrl: t.url('nope'), ReceiptHandle }, t.ctx))).toEqual(QDNE);
  });
});

describe('DeleteMessageBatch', () => {
  it.each([
    [[], 'EmptyBatchRequest', 'There should be at least one DeleteMessageBatchRequestEntry in the request.'],
    [
      Array.from({ length: 11 }, (_, i) => ({ Id: `${i}`, ReceiptHandle: 'h' })),
      'TooManyEntriesInBatchRequest',
      'Maximum number of entries per request are 10. You have sent 11.',
    ],
    [
      [
        { Id: 'a', ReceiptHandle: 'h' },
        { Id: 'a', ReceiptHandle: 'h' },
      ],
      'BatchEntryIdsNotDistinct',
      'Id a repeated.',
    ],
  ])('applies the batch rule %#', async (Entries, code, message) => {
    expect(await actionError(deleteMessageBatch({ QueueUrl: t.url('q'), Entries }, t.ctx))).toEqual({ code, message });
  });

  it('answers per entry: deleted, invalid handle, expired FIFO handle', async () => {
    const fresh = await inFlight('f.fifo', { VisibilityTimeout: 1 });
    t.advance(1000);
    const out = await deleteMessageBatch(
      {
        QueueUrl: t.url('f.fifo'),
        Entries: [
          { Id: 'bad', ReceiptHandle: 'x' },
          { Id: 'old', ReceiptHandle: fresh },
        ],
      },
      t.ctx,
    );
    expect(out).toEqual({
      Successful: [],
      Failed: [
        { Id: 'bad', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: badHandle('x').message },
        {
          Id: 'old',
          SenderFault: true,
          Code: 'InvalidParameterValue',
          Message: `Value ${fresh} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`,
        },
      ],
    });
    const current = (await receive({}, 'f.fifo')).Messages?.[0]?.ReceiptHandle ?? '';
    const ok = await deleteMessageBatch(
      { QueueUrl: t.url('f.fifo'), Entries: [{ Id: 'ok', ReceiptHandle: current }] },
      t.ctx,
    );
    expect(ok).toEqual({ Successful: [{ Id: 'ok' }], Failed: [] });
  });
});

describe('ChangeMessageVisibility', () => {
  const change = (ReceiptHandle: string, VisibilityTimeout: number, queue = 'q') =>
    changeMessageVisibility({ QueueUrl: t.url(queue), ReceiptHandle, VisibilityTimeout }, t.ctx);

  it.each([-1, 43_201])('rejects VisibilityTimeout %d', async (seconds) => {
    expect(await actionError(change(await inFlight(), seconds))).toEqual(
      invalid(
        `Value ${seconds} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.`,
      ),
    );
  });

  it('needs a valid receipt handle of this queue', async () => {
    expect(await actionError(change('nope', 10))).toEqual(badHandle('nope'));
    const other = encodeReceiptHandle(
      { account: ACCOUNT, name: 'f.fifo' },
      '00000000-0000-4000-8000-000000000000',
      't1',
    );
    expect(await actionError(change(other, 10))).toEqual(badHandle(other));
  });

  it('counts the new timeout from now; 0 makes the message visible at once', async () => {
    const handle = await inFlight();
    t.advance(20_000);
    await change(handle, 60);
    t.advance(59_999);
    expect(await receive()).toEqual({});
    t.advance(1);
    const again = (await receive()).Messages?.[0]?.ReceiptHandle ?? '';
    await change(again, 0);
    expect((await receive()).Messages).toHaveLength(1);
  });

  it('hides a standard message again with its latest handle after its timeout ran out', async () => {
    const handle = await inFlight('q', { VisibilityTimeout: 1 });
    t.advance(1000);
    expect(await change(handle, 10)).toEqual({});
    t.advance(9_999);
    expect(await receive()).toEqual({});
    t.advance(1);
    expect((await receive()).Messages).toHaveLength(1);
  });

  it("answers 'The receipt handle has expired' for a FIFO handle whose timeout ran out", async () => {
    const handle = await inFlight('f.fifo', { VisibilityTimeout: 1 });
    t.advance(1000);
    expect(await actionError(change(handle, 10, 'f.fifo'))).toEqual(
      invalid(`Value ${handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`),
    );
  });

  it('answers MessageNotInflight for a message on its way to another queue', async () => {
    const handle = await inFlight();
    vi.spyOn(t.store, 'changeVisibility').mockResolvedValueOnce(['not-inflight']);
    expect(await actionError(change(handle, 10))).toEqual({
      code: 'MessageNotInflight',
      message: 'The message referred to is not in flight.',
    });
  });

  it('refuses to extend past 12 hours since the receive', async () => {
    const handle = await inFlight('q', { VisibilityTimeout: 43_200 });
    t.advance(3_600_000);
    expect(await actionError(change(handle, 39_601))).toEqual(
      invalid(
        'Value 39601 for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]',
      ),
    );
    await expect(change(handle, 39_600)).resolves.toEqual({});
  });

  it('takes a handle from an earlier receive on a standard queue', async () => {
    const old = await inFlight('q', { VisibilityTimeout: 0 });
    await receive();
    await expect(change(old, 10)).resolves.toEqual({});
  });

  it('refuses a handle from an earlier receive on a FIFO queue', async () => {
    const old = await inFlight('f.fifo', { VisibilityTimeout: 0 });
    await receive({}, 'f.fifo');
    expect(await actionError(change(old, 10, 'f.fifo'))).toEqual(
      invalid(
        `Value ${old} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
      ),
    );
  });

  it('is QueueDoesNotExist for an unknown queue', async () => {
    const handle = encodeReceiptHandle(
      { account: ACCOUNT, name: 'nope' },
      '00000000-0000-4000-8000-000000000000',
      't1',
    );
    expect(await actionError(change(handle, 10, 'nope'))).toEqual(QDNE);
  });
});

describe('ChangeMessageVisibilityBatch', () => {
  it('applies the batch rules', async () => {
    expect(await actionError(changeMessageVisibilityBatch({ QueueUrl: t.url('q'), Entries: [] }, t.ctx))).toEqual({
      code: 'EmptyBatchRequest',
      message: 'There should be at least one ChangeMessageVisibilityBatchRequestEntry in the request.',
    });
    const bad = [{ Id: 'a/b', ReceiptHandle: 'h' }];
    expect((await actionError(changeMessageVisibilityBatch({ QueueUrl: t.url('q'), Entries: bad }, t.ctx))).code).toBe(
      'InvalidBatchEntryId',
    );
  });

  it('answers per entry: changed (also after the timeout ran out), out of range, invalid handle', async () => {
    const ok = await inFlight();
    const ranOut = await inFlight('q', { VisibilityTimeout: 1 });
    t.advance(1000);
    const out = await changeMessageVisibilityBatch(
      {
        QueueUrl: t.url('q'),
        Entries: [
          { Id: 'ok', ReceiptHandle: ok, VisibilityTimeout: 100 },
          { Id: 'range', ReceiptHandle: ok, VisibilityTimeout: 43_201 },
          { Id: 'bad', ReceiptHandle: 'x', VisibilityTimeout: 1 },
          { Id: 'ranOut', ReceiptHandle: ranOut, VisibilityTimeout: 1 },
        ],
      },
      t.ctx,
    );
    expect(out.Successful).toEqual([{ Id: 'ok' }, { Id: 'ranOut' }]);
    expect(out.Failed?.map((f) => [f.Id, f.Code, f.SenderFault])).toEqual([
      ['range', 'InvalidParameterValue', true],
      ['bad', 'ReceiptHandleIsInvalid', true],
    ]);
  });

  it('answers an expired FIFO handle per entry', async () => {
    const expired = await inFlight('f.fifo', { VisibilityTimeout: 1 });
    t.advance(1000);
    const out = await changeMessageVisibilityBatch(
      { QueueUrl: t.url('f.fifo'), Entries: [{ Id: 'old', ReceiptHandle: expired, VisibilityTimeout: 5 }] },
      t.ctx,
    );
    expect(out).toEqual({
      Successful: [],
      Failed: [
        {
          Id: 'old',
          SenderFault: true,
          Code: 'InvalidParameterValue',
          Message: `Value ${expired} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`,
        },
      ],
    });
  });
});

describe('PurgeQueue on a FIFO queue', () => {
  it('forgets the deduplication ids: the same id is enqueued again right after', async () => {
    const ids = { MessageGroupId: 'g', MessageDeduplicationId: 'd' };
    const first = await send('before', 'f.fifo', ids);
    await purgeQueue({ QueueUrl: t.url('f.fifo') }, t.ctx);
    const second = await send('after', 'f.fifo', ids);
    expect(second.MessageId).not.toBe(first.MessageId);
    expect((await receive({}, 'f.fifo')).Messages?.map((m) => m.Body)).toEqual(['after']);
  });
});
