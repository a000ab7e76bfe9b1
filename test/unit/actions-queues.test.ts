import { beforeEach, describe, expect, it } from 'vitest';
import { createQueue } from '../../src/actions/create-queue.js';
import { deleteQueue } from '../../src/actions/delete-queue.js';
import { IMPLEMENTED_ACTIONS, runAction } from '../../src/actions/dispatch.js';
import { getQueueAttributes } from '../../src/actions/get-queue-attributes.js';
import { getQueueUrl } from '../../src/actions/get-queue-url.js';
import { listQueues } from '../../src/actions/list-queues.js';
import { purgeQueue } from '../../src/actions/purge-queue.js';
import { sendMessage } from '../../src/actions/send-message.js';
import { setQueueAttributes } from '../../src/actions/set-queue-attributes.js';
import { actionCalls, invalidAttribute, QDNE, unknownAttribute, wireNames } from '../helpers/action-calls.js';
import { actionError, type TestContext, testContext } from '../helpers/action-context.js';

/** Another account's queue that is not there (or not to be seen): SQS's words (queue-access.ts). */
const QDNE_OR_NO_ACCESS = {
  code: 'QueueDoesNotExist',
  message: 'The specified queue does not exist or you do not have access to it.',
};

let t: TestContext;
beforeEach(() => {
  t = testContext();
});

const { create, attributesOf } = actionCalls(() => t);

describe('dispatch', () => {
  it('routes all 23 SQS actions of the current model', async () => {
    expect(IMPLEMENTED_ACTIONS).toHaveLength(23);
    await create('q');
    expect(await runAction('GetQueueUrl', { QueueName: 'q' }, t.ctx)).toEqual({ QueueUrl: t.url('q') });
  });
});

describe('DeleteQueue and GetQueueUrl', () => {
  it('deletes a queue, wakes its long polls, and the queue is gone', async () => {
    await create('q');
    const channel = t.store.wakeChannel({ account: '000000000000', name: 'q' });
    await t.ctx.longPolls.acquire(channel);
    const before = t.ctx.longPolls.version(channel);
    expect(await deleteQueue({ QueueUrl: t.url('q') }, t.ctx)).toEqual({});
    expect(t.ctx.longPolls.version(channel)).toBe(before + 1);
    expect(await actionError(getQueueUrl({ QueueName: 'q' }, t.ctx))).toEqual(QDNE);
    expect(await actionError(deleteQueue({ QueueUrl: t.url('q') }, t.ctx))).toEqual(QDNE);
  });

  it('finds a queue by name; another owner or an impossible name is QueueDoesNotExist', async () => {
    await create('q');
    expect(await getQueueUrl({ QueueName: 'q' }, t.ctx)).toEqual({ QueueUrl: t.url('q') });
    expect(await getQueueUrl({ QueueName: 'q', QueueOwnerAWSAccountId: '000000000000' }, t.ctx)).toEqual({
      QueueUrl: t.url('q'),
    });
    expect(await actionError(getQueueUrl({ QueueName: 'q', QueueOwnerAWSAccountId: '111111111111' }, t.ctx))).toEqual(
      QDNE_OR_NO_ACCESS,
    );
    expect(await actionError(getQueueUrl({ QueueName: 'no such' }, t.ctx))).toEqual(QDNE);
  });

  it('ignores the host of a queue URL, but not the account', async () => {
    await create('q');
    await expect(getQueueAttributes({ QueueUrl: 'http://elsewhere:1/000000000000/q' }, t.ctx)).resolves.toEqual({});
    expect(await actionError(deleteQueue({ QueueUrl: 'http://localhost:9324/111111111111/q' }, t.ctx))).toEqual(
      QDNE_OR_NO_ACCESS,
    );
    expect(await actionError(deleteQueue({ QueueUrl: 'not a url' }, t.ctx))).toEqual({
      code: 'InvalidAddress',
      message: 'The address not a url is not valid for this endpoint.',
    });
  });
});

describe('ListQueues', () => {
  beforeEach(async () => {
    for (const name of ['b', 'a2', 'a1', 'c', 'a3']) await create(name);
  });

  it('lists every queue in name order, and nothing (no QueueUrls) when none match', async () => {
    expect((await listQueues({}, t.ctx)).QueueUrls).toEqual(['a1', 'a2', 'a3', 'b', 'c'].map(t.url));
    expect(await listQueues({ QueueNamePrefix: 'z' }, t.ctx)).toEqual({});
  });

  it('filters by prefix, case-sensitively', async () => {
    expect((await listQueues({ QueueNamePrefix: 'a' }, t.ctx)).QueueUrls).toEqual(['a1', 'a2', 'a3'].map(t.url));
    expect(await listQueues({ QueueNamePrefix: 'A' }, t.ctx)).toEqual({});
  });

  it('pages with MaxResults and NextToken; no token after the last page', async () => {
    const first = await listQueues({ QueueNamePrefix: 'a', MaxResults: 2 }, t.ctx);
    expect(first.QueueUrls).toEqual(['a1', 'a2'].map(t.url));
    expect(first.NextToken).toEqual(expect.any(String));
    const second = await listQueues({ QueueNamePrefix: 'a', MaxResults: 2, NextToken: first.NextToken }, t.ctx);
    expect(second).toEqual({ QueueUrls: [t.url('a3')] });
    const exact = await listQueues({ QueueNamePrefix: 'a', MaxResults: 3 }, t.ctx);
    expect(exact).toEqual({ QueueUrls: ['a1', 'a2', 'a3'].map(t.url) });
  });

  it('returns NextToken only to callers that set MaxResults', async () => {
    const many = testContext();
    for (let i = 0; i < 1001; i++) await createQueue({ QueueName: `q${String(i).padStart(4, '0')}` }, many.ctx);
    const all = await listQueues({}, many.ctx);
    expect(all.QueueUrls).toHaveLength(1000);
    expect(all.NextToken).toBeUndefined();
  });

  it.each([0, 1001, -1])('rejects MaxResults %d', async (MaxResults) => {
    expect(await actionError(listQueues({ MaxResults }, t.ctx))).toEqual({
      code: 'InvalidParameterValueException',
      message: `Value ${MaxResults} for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.`,
    });
  });

  it('rejects a NextToken it did not issue', async () => {
    expect(await actionError(listQueues({ MaxResults: 1, NextToken: 'garbage' }, t.ctx))).toEqual({
      code: 'InvalidParameterValueException',
      message: 'Invalid NextToken value.',
    });
  });
});

describe('GetQueueAttributes', () => {
  it('returns only the names asked for, and nothing when none are asked for', async () => {
    await create('q', { DelaySeconds: '5' });
    expect(await attributesOf('q', ['DelaySeconds', 'QueueArn'])).toEqual({
      DelaySeconds: '5',
      QueueArn: 'arn:aws:sqs:us-east-1:000000000000:q',
    });
    expect(await getQueueAttributes({ QueueUrl: t.url('q') }, t.ctx)).toEqual({});
  });

  it('rejects an unknown attribute name with InvalidAttributeName', async () => {
    await create('q');
    expect(
      await actionError(getQueueAttributes({ QueueUrl: t.url('q'), AttributeNames: wireNames(['Colour']) }, t.ctx)),
    ).toEqual(unknownAttribute('Colour'));
  });

  it('is QueueDoesNotExist for an unknown queue, even without names', async () => {
    expect(await actionError(getQueueAttributes({ QueueUrl: t.url('nope') }, t.ctx))).toEqual(QDNE);
  });

  it('counts visible, in-flight and delayed messages at the current time', async () => {
    await create('q');
    const QueueUrl = t.url('q');
    await sendMessage({ QueueUrl, MessageBody: 'a' }, t.ctx);
    await sendMessage({ QueueUrl, MessageBody: 'b', DelaySeconds: 10 }, t.ctx);
    await t.ctx.store.receiveMessages(
      { account: '000000000000', name: 'q' },
      { max: 1, now: t.ctx.now(), inflightLimit: 10 },
    );
    await sendMessage({ QueueUrl, MessageBody: 'c' }, t.ctx);
    const names = [
      'ApproximateNumberOfMessages',
      'ApproximateNumberOfMessagesNotVisible',
      'ApproximateNumberOfMessagesDelayed',
    ];
    expect(Object.values(await attributesOf('q', names))).toEqual(['1', '1', '1']);
    t.advance(30_000);
    expect(Object.values(await attributesOf('q', names))).toEqual(['3', '0', '0']);
  });
});

describe('SetQueueAttributes', () => {
  it('changes attributes and LastModifiedTimestamp (epoch seconds)', async () => {
    await create('q');
    t.advance(5_000);
    await setQueueAttributes({ QueueUrl: t.url('q'), Attributes: { VisibilityTimeout: '45' } }, t.ctx);
    expect(await attributesOf('q', ['VisibilityTimeout', 'CreatedTimestamp', 'LastModifiedTimestamp'])).toEqual({
      VisibilityTimeout: '45',
      CreatedTimestamp: '1700000000',
      LastModifiedTimestamp: '1700000005',
    });
  });

  const needsFifo = (name: string) => ({
    code: 'InvalidAttributeName',
    message: `You can specify the ${name} only when FifoQueue is set to true.`,
  });
  it.each([
    ['FifoQueue', 'true', unknownAttribute('FifoQueue')],
    ['Colour', 'blue', unknownAttribute('Colour')],
    ['ContentBasedDeduplication', 'true', unknownAttribute('ContentBasedDeduplication')],
    ['DeduplicationScope', 'messageGroup', needsFifo('DeduplicationScope')],
    ['FifoThroughputLimit', 'perQueue', needsFifo('FifoThroughputLimit')],
    ['MessageRetentionPeriod', '1209601', invalidAttribute('MessageRetentionPeriod')],
    ['ReceiveMessageWaitTimeSeconds', '-1', invalidAttribute('ReceiveMessageWaitTimeSeconds')],
  ])('rejects %s=%s on a standard queue without writing', async (name, value, expected) => {
    await create('q');
    t.store.calls.length = 0;
    expect(
      await actionError(setQueueAttributes({ QueueUrl: t.url('q'), Attributes: { [name]: value } }, t.ctx)),
    ).toEqual(expected);
    expect(t.store.calls).not.toContain('setQueueAttributes');
  });

  it('takes FifoQueue=true again on a FIFO queue and refuses false: the type cannot change', async () => {
    await create('f.fifo', { FifoQueue: 'true' });
    const QueueUrl = t.url('f.fifo');
    await setQueueAttributes({ QueueUrl, Attributes: { FifoQueue: 'true' } }, t.ctx);
    expect(await actionError(setQueueAttributes({ QueueUrl, Attributes: { FifoQueue: 'false' } }, t.ctx))).toEqual({
      code: 'InvalidAttributeValue',
      message: 'Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.',
    });
    expect(await attributesOf('f.fifo', ['FifoQueue'])).toEqual({ FifoQueue: 'true' });
  });

  it('turns SQS-managed SSE off with a KMS key, and drops the key and the default reuse period', async () => {
    await create('q');
    const QueueUrl = t.url('q');
    const names = ['KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds', 'SqsManagedSseEnabled'];
    await setQueueAttributes(
      { QueueUrl, Attributes: { KmsMasterKeyId: 'k', KmsDataKeyReusePeriodSeconds: '600' } },
      t.ctx,
    );
    expect(await attributesOf('q', names)).toEqual({
      KmsMasterKeyId: 'k',
      KmsDataKeyReusePeriodSeconds: '600',
      SqsManagedSseEnabled: 'false',
    });
    await setQueueAttributes(
      { QueueUrl, Attributes: { KmsMasterKeyId: '', KmsDataKeyReusePeriodSeconds: '300' } },
      t.ctx,
    );
    expect(await attributesOf('q', names)).toEqual({ SqsManagedSseEnabled: 'false' });
    const both = { KmsMasterKeyId: 'k', SqsManagedSseEnabled: 'true' };
    expect(await actionError(setQueueAttributes({ QueueUrl, Attributes: both }, t.ctx))).toEqual({
      code: 'InvalidAttributeName',
      message:
        'You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.',
    });
  });

  it('checks FifoThroughputLimit against the stored DeduplicationScope', async () => {
    await create('f.fifo', { FifoQueue: 'true' });
    const QueueUrl = t.url('f.fifo');
    const err = await actionError(
      setQueueAttributes({ QueueUrl, Attributes: { FifoThroughputLimit: 'perMessageGroupId' } }, t.ctx),
    );
    expect(err.code).toBe('InvalidAttributeValue');
    await setQueueAttributes({ QueueUrl, Attributes: { DeduplicationScope: 'messageGroup' } }, t.ctx);
    await setQueueAttributes({ QueueUrl, Attributes: { FifoThroughputLimit: 'perMessageGroupId' } }, t.ctx);
    expect(await attributesOf('f.fifo', ['FifoThroughputLimit'])).toEqual({ FifoThroughputLimit: 'perMessageGroupId' });
  });

  it('removes an optional attribute set to the empty string', async () => {
    await create('q', { Policy: '{"Statement":[]}' });
    await setQueueAttributes({ QueueUrl: t.url('q'), Attributes: { Policy: '' } }, t.ctx);
    expect(await attributesOf('q', ['Policy'])).toEqual({});
  });

  it('is QueueDoesNotExist for an unknown queue', async () => {
    expect(
      await actionError(setQueueAttributes({ QueueUrl: t.url('nope'), Attributes: { DelaySeconds: '1' } }, t.ctx)),
    ).toEqual(QDNE);
  });
});

describe('PurgeQueue', () => {
  it('deletes every message, then refuses another purge for 60 s (PurgeQueueInProgress)', async () => {
    await create('q');
    await sendMessage({ QueueUrl: t.url('q'), MessageBody: 'x' }, t.ctx);
    expect(await purgeQueue({ QueueUrl: t.url('q') }, t.ctx)).toEqual({});
    expect(await attributesOf('q', ['ApproximateNumberOfMessages'])).toEqual({ ApproximateNumberOfMessages: '0' });
    t.advance(59_999);
    expect(await actionError(purgeQueue({ QueueUrl: t.url('q') }, t.ctx))).toEqual({
      code: 'PurgeQueueInProgress',
      message: 'Only one PurgeQueue operation on q is allowed every 60 seconds.',
    });
    t.advance(1);
    expect(await purgeQueue({ QueueUrl: t.url('q') }, t.ctx)).toEqual({});
  });

  it('is QueueDoesNotExist for an unknown queue', async () => {
    expect(await actionError(purgeQueue({ QueueUrl: t.url('nope') }, t.ctx))).toEqual(QDNE);
  });
});
