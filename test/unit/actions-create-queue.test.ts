import { beforeEach, describe, expect, it } from 'vitest';
import { deleteQueue } from '../../src/actions/delete-queue.js';
import { actionCalls, invalidAttribute, unknownAttribute } from '../helpers/action-calls.js';
import { actionError, type TestContext, testContext } from '../helpers/action-context.js';

const NAME_RULE = 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length';
const FIFO_NAME_RULE =
  'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.';

let t: TestContext;
beforeEach(() => {
  t = testContext();
});

const { create, attributesOf } = actionCalls(() => t);
describe('CreateQueue', () => {
  it('returns the URL under the base URL and account, and stores the SQS defaults', async () => {
    expect(await create('q')).toEqual({ QueueUrl: 'http://localhost:9324/000000000000/q' });
    expect(await attributesOf('q')).toEqual({
      QueueArn: 'arn:aws:sqs:us-east-1:000000000000:q',
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
      ApproximateNumberOfMessagesDelayed: '0',
      CreatedTimestamp: '1700000000',
      LastModifiedTimestamp: '1700000000',
      DelaySeconds: '0',
      MaximumMessageSize: '1048576',
      MessageRetentionPeriod: '345600',
      ReceiveMessageWaitTimeSeconds: '0',
      VisibilityTimeout: '30',
      SqsManagedSseEnabled: 'true',
    });
  });

  it('gives a FIFO queue the FIFO defaults', async () => {
    await create('f.fifo', { FifoQueue: 'true' });
    expect(await attributesOf('f.fifo')).toMatchObject({
      FifoQueue: 'true',
      ContentBasedDeduplication: 'false',
      DeduplicationScope: 'queue',
      FifoThroughputLimit: 'perQueue',
    });
  });

  it.each([
    ['', 'empty'],
    ['has space', 'a space'],
    ['dot.name', 'a dot'],
    ['a'.repeat(81), '81 characters'],
    [`${'a'.repeat(76)}.fifo`, '81 characters with .fifo'],
  ])('rejects the name %j (%s) before touching the store', async (bad) => {
    expect(await actionError(create(bad))).toEqual({ code: 'InvalidParameterValueException', message: NAME_RULE });
    expect(t.store.calls).toEqual([]);
  });

  it('accepts 80 characters, hyphens and underscores, with or without .fifo', async () => {
    const name = `a-b_${'c'.repeat(76)}`;
    expect((await create(name)).QueueUrl).toBe(t.url(name));
    const fifo = `${'f'.repeat(75)}.fifo`;
    expect((await create(fifo, { FifoQueue: 'true' })).QueueUrl).toBe(t.url(fifo));
  });

  it.each([
    ['f.fifo', {}],
    ['f.fifo', { FifoQueue: 'false' }],
    ['standard', { FifoQueue: 'true' }],
  ])('rejects %s with %j: FifoQueue=true and the .fifo suffix go together', async (name, attrs) => {
    expect(await actionError(create(name, attrs))).toEqual({
      code: 'InvalidParameterValueException',
      message: FIFO_NAME_RULE,
    });
  });

  it('rejects an unknown attribute with InvalidAttributeName', async () => {
    expect(await actionError(create('q', { Colour: 'blue' }))).toEqual(unknownAttribute('Colour'));
  });

  it.each([
    ['DelaySeconds', '901'],
    ['DelaySeconds', '-1'],
    ['MaximumMessageSize', '1023'],
    ['MaximumMessageSize', '1048577'],
    ['MessageRetentionPeriod', '59'],
    ['MessageRetentionPeriod', '1209601'],
    ['ReceiveMessageWaitTimeSeconds', '21'],
    ['VisibilityTimeout', '43201'],
    ['VisibilityTimeout', 'ten'],
    ['KmsDataKeyReusePeriodSeconds', '59'],
    ['KmsDataKeyReusePeriodSeconds', '86401'],
    ['SqsManagedSseEnabled', 'yes'],
  ])('rejects %s=%s with InvalidAttributeValue', async (name, value) => {
    expect(await actionError(create('q', { [name]: value }))).toEqual(invalidAttribute(name));
  });

  it('accepts the bounds of every range, stored without leading zeros', async () => {
    const low = {
      DelaySeconds: '0',
      MaximumMessageSize: '1024',
      MessageRetentionPeriod: '60',
      ReceiveMessageWaitTimeSeconds: '0',
      VisibilityTimeout: '00',
    };
    const high = {
      DelaySeconds: '900',
      MaximumMessageSize: '1048576',
      MessageRetentionPeriod: '1209600',
      ReceiveMessageWaitTimeSeconds: '20',
      VisibilityTimeout: '43200',
    };
    await create('low', low);
    await create('high', high);
    expect(await attributesOf('low')).toMatchObject({ ...low, VisibilityTimeout: '0' });
    expect(await attributesOf('high')).toMatchObject(high);
  });

  it('rejects a Policy that is not a JSON object', async () => {
    expect(await actionError(create('q', { Policy: '[1]' }))).toEqual({
      code: 'InvalidAttributeValue',
      message: 'Invalid value for the parameter Policy. Reason: Policy must be a JSON object.',
    });
  });

  // SQS calls FifoQueue and ContentBasedDeduplication unknown on a standard queue, and says that the
  // high-throughput pair needs FifoQueue=true (recorded against SQS).
  const needsFifo = (name: string) => ({
    code: 'InvalidAttributeName',
    message: `You can specify the ${name} only when FifoQueue is set to true.`,
  });
  it.each([
    ['FifoQueue', 'false', unknownAttribute('FifoQueue')],
    ['ContentBasedDeduplication', 'true', unknownAttribute('ContentBasedDeduplication')],
    ['DeduplicationScope', 'queue', needsFifo('DeduplicationScope')],
    ['FifoThroughputLimit', 'perQueue', needsFifo('FifoThroughputLimit')],
  ])('rejects the FIFO-only attribute %s=%s on a standard queue', async (name, value, expected) => {
    expect(await actionError(create('q', { [name]: value }))).toEqual(expected);
    expect(t.store.calls).toEqual([]);
  });

  it('allows FifoThroughputLimit=perMessageGroupId only with DeduplicationScope=messageGroup', async () => {
    const err = await actionError(
      create('f.fifo', { FifoQueue: 'true', DeduplicationScope: 'queue', FifoThroughputLimit: 'perMessageGroupId' }),
    );
    expect(err).toEqual({
      code: 'InvalidAttributeValue',
      message:
        'Invalid value for the parameter FifoThroughputLimit. Reason: The perMessageGroupId value is allowed only when the value for DeduplicationScope is messageGroup.',
    });
    const high = { FifoQueue: 'true', DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' };
    expect((await create('h.fifo', high)).QueueUrl).toBe(t.url('h.fifo'));
  });

  // SQS-REFERENCE §1.3: perMessageGroupId needs DeduplicationScope=messageGroup, whose default is `queue`.
  // The action checks the pair only when both are given, so the queue is created in a mode SQS refuses.
  it('rejects FifoThroughputLimit=perMessageGroupId when DeduplicationScope keeps its default', async () => {
    const err = await actionError(create('f.fifo', { FifoQueue: 'true', FifoThroughputLimit: 'perMessageGroupId' }));
    expect(err.code).toBe('InvalidAttributeValue');
  });

  it('allows one kind of server-side encryption; a KMS key turns SQS-managed SSE off', async () => {
    expect(await actionError(create('q', { KmsMasterKeyId: 'alias/aws/sqs', SqsManagedSseEnabled: 'true' }))).toEqual({
      code: 'InvalidAttributeName',
      message:
        'You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.',
    });
    await create('kms', { KmsMasterKeyId: 'alias/aws/sqs' });
    expect(await attributesOf('kms', ['KmsMasterKeyId', 'SqsManagedSseEnabled'])).toEqual({
      KmsMasterKeyId: 'alias/aws/sqs',
      SqsManagedSseEnabled: 'false',
    });
  });

  it('does not keep KmsDataKeyReusePeriodSeconds at its default 300, and stays idempotent without it', async () => {
    const first = await create('kms', { KmsMasterKeyId: 'k', KmsDataKeyReusePeriodSeconds: '300' });
    expect(await attributesOf('kms', ['KmsDataKeyReusePeriodSeconds'])).toEqual({});
    expect(await create('kms', { KmsMasterKeyId: 'k' })).toEqual(first);
  });

  it('is idempotent with the same attributes and fails with QueueNameExists when one differs', async () => {
    const first = await create('q', { VisibilityTimeout: '60' });
    expect(await create('q', { VisibilityTimeout: '060' })).toEqual(first);
    expect(await actionError(create('q', { VisibilityTimeout: '61' }))).toEqual({
      code: 'QueueNameExists',
      message: 'A queue already exists with the same name and a different value for attribute VisibilityTimeout',
    });
  });

  it('refuses a deleted name for deleteCooldownSeconds (QueueDeletedRecently), then allows it', async () => {
    await create('q');
    await deleteQueue({ QueueUrl: t.url('q') }, t.ctx);
    t.advance(59_999);
    expect(await actionError(create('q'))).toEqual({
      code: 'QueueDeletedRecently',
      message: 'You must wait 60 seconds after deleting a queue before you can create another with the same name.',
    });
    t.advance(1);
    expect(await create('q')).toEqual({ QueueUrl: t.url('q') });
  });

  it('validates tags given at creation', async () => {
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    expect(await actionError(create('q', undefined, many))).toEqual({
      code: 'InvalidParameterValueException',
      message: 'Too many tags: at most 50 are allowed.',
    });
    expect((await actionError(create('q', undefined, { '': 'v' }))).code).toBe('InvalidParameterValueException');
    expect((await actionError(create('q', undefined, { k: 'v'.repeat(257) }))).message).toBe(
      'Tag value for key "k" is invalid. Reason: must be at most 256 characters long.',
    );
    expect(t.store.calls).toEqual([]);
  });
});
