/**
 * Queue attributes, permissions and move task handles as real SQS answers them: error codes and
 * their exact messages, and the listings GetQueueAttributes gives after a change. Each fact was
 * recorded against AWS.
 */
import { describe, expect, it } from 'vitest';
import { errorOf, PROTOCOLS, sqsClient, uniqueName } from '../helpers/clients.js';
import { useTestService } from '../helpers/service.js';

const svc = useTestService();

const arn = (url: string) => `arn:aws:sqs:us-east-1:000000000000:${url.split('/').pop()}`;
const fifoName = (prefix: string) => `${uniqueName(prefix).slice(0, 70)}.fifo`;
const ONE_SSE =
  'You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.';

describe.each(PROTOCOLS)('queue exactness (%s)', (protocol) => {
  const sqs = () => sqsClient(protocol, svc().url);
  const standard = async (Attributes?: Record<string, string>) =>
    (await sqs().createQueue({ QueueName: uniqueName(`xq-${protocol}`), Attributes })).QueueUrl as string;
  const attributes = async (QueueUrl: string) =>
    (await sqs().getQueueAttributes({ QueueUrl, AttributeNames: ['All'] })).Attributes ?? {};
  /**
   * The error of a failing call, as code and message. The pre-JSON SDK models some errors (e.g.
   * SetQueueAttributes' InvalidAttributeName) without a message member and reports "UnknownError";
   * the message sent on the wire is then kept in the error's `Error` element.
   */
  const failure = async (call: () => Promise<unknown>) => {
    const err = await errorOf(call);
    const wire = (err as { Error?: { Message?: string } }).Error?.Message;
    return { code: err.code, message: wire ?? err.message };
  };

  describe('FIFO-only attributes', () => {
    it('SetQueueAttributes takes FifoQueue=true on a FIFO queue, refuses false as a change of type, and calls it unknown on a standard queue', async () => {
      const QueueUrl = (
        await sqs().createQueue({ QueueName: fifoName(`xf-${protocol}`), Attributes: { FifoQueue: 'true' } })
      ).QueueUrl as string;
      await sqs().setQueueAttributes({ QueueUrl, Attributes: { FifoQueue: 'true' } });
      expect((await attributes(QueueUrl)).FifoQueue).toBe('true');
      expect(await failure(() => sqs().setQueueAttributes({ QueueUrl, Attributes: { FifoQueue: 'false' } }))).toEqual({
        code: 'InvalidAttributeValue',
        message: 'Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.',
      });
      expect((await attributes(QueueUrl)).FifoQueue).toBe('true');

      const standardUrl = await standard();
      for (const FifoQueue of ['true', 'false']) {
        expect(
          await failure(() => sqs().setQueueAttributes({ QueueUrl: standardUrl, Attributes: { FifoQueue } })),
        ).toEqual({ code: 'InvalidAttributeName', message: 'Unknown Attribute FifoQueue.' });
      }
    });

    it('CreateQueue of a standard queue refuses FifoQueue=false as an unknown attribute', async () => {
      const QueueName = uniqueName(`xnf-${protocol}`);
      expect(await failure(() => sqs().createQueue({ QueueName, Attributes: { FifoQueue: 'false' } }))).toEqual({
        code: 'InvalidAttributeName',
        message: 'Unknown Attribute FifoQueue.',
      });
      expect((await errorOf(() => sqs().getQueueUrl({ QueueName }))).code).toBe('QueueDoesNotExist');
    });

    it.each([
      ['DeduplicationScope', 'queue'],
      ['FifoThroughputLimit', 'perQueue'],
    ])(
      'CreateQueue and SetQueueAttributes of a standard queue refuse %s: it needs FifoQueue=true',
      async (name, value) => {
        const expected = {
          code: 'InvalidAttributeName',
          message: `You can specify the ${name} only when FifoQueue is set to true.`,
        };
        const QueueName = uniqueName(`xds-${protocol}`);
        expect(await failure(() => sqs().createQueue({ QueueName, Attributes: { [name]: value } }))).toEqual(expected);
        const QueueUrl = await standard();
        expect(await failure(() => sqs().setQueueAttributes({ QueueUrl, Attributes: { [name]: value } }))).toEqual(
          expected,
        );
      },
    );

    it('GetQueueAttributes of a standard queue calls FifoQueue and ContentBasedDeduplication unknown', async () => {
      const QueueUrl = await standard();
      for (const name of ['FifoQueue', 'ContentBasedDeduplication'] as const) {
        expect(await failure(() => sqs().getQueueAttributes({ QueueUrl, AttributeNames: [name] }))).toEqual({
          code: 'InvalidAttributeName',
          message: `Unknown Attribute ${name}.`,
        });
      }
      const fifoUrl = (
        await sqs().createQueue({ QueueName: fifoName(`xgf-${protocol}`), Attributes: { FifoQueue: 'true' } })
      ).QueueUrl as string;
      const got = await sqs().getQueueAttributes({
        QueueUrl: fifoUrl,
        AttributeNames: ['FifoQueue', 'ContentBasedDeduplication'],
      });
      expect(got.Attributes).toEqual({ FifoQueue: 'true', ContentBasedDeduplication: 'false' });
    });
  });

  describe('server-side encryption', () => {
    it('a KMS key set on a queue turns SQS-managed SSE off', async () => {
      const QueueUrl = await standard();
      expect((await attributes(QueueUrl)).SqsManagedSseEnabled).toBe('true');
      await sqs().setQueueAttributes({ QueueUrl, Attributes: { KmsMasterKeyId: 'alias/aws/sqs' } });
      expect(await attributes(QueueUrl)).toMatchObject({
        KmsMasterKeyId: 'alias/aws/sqs',
        SqsManagedSseEnabled: 'false',
      });
    });

    it('SqsManagedSseEnabled=true set on a queue with a KMS key drops the key: one kind of SSE at a time', async () => {
      const QueueUrl = await standard({ KmsMasterKeyId: 'alias/aws/sqs', KmsDataKeyReusePeriodSeconds: '600' });
      await sqs().setQueueAttributes({ QueueUrl, Attributes: { SqsManagedSseEnabled: 'true' } });
      const after = await attributes(QueueUrl);
      expect(after.SqsManagedSseEnabled).toBe('true');
      expect(after.KmsMasterKeyId).toBeUndefined();
      expect(after.KmsDataKeyReusePeriodSeconds).toBeUndefined();
    });

    it('KmsMasterKeyId="" with KmsDataKeyReusePeriodSeconds=300 (its default) removes both from the listing', async () => {
      const QueueUrl = await standard({ KmsMasterKeyId: 'alias/aws/sqs', KmsDataKeyReusePeriodSeconds: '600' });
      expect(await attributes(QueueUrl)).toMatchObject({
        KmsMasterKeyId: 'alias/aws/sqs',
        KmsDataKeyReusePeriodSeconds: '600',
        SqsManagedSseEnabled: 'false',
      });
      await sqs().setQueueAttributes({
        QueueUrl,
        Attributes: { KmsMasterKeyId: '', KmsDataKeyReusePeriodSeconds: '300' },
      });
      const after = await attributes(QueueUrl);
      expect(after.KmsMasterKeyId).toBeUndefined();
      expect(after.KmsDataKeyReusePeriodSeconds).toBeUndefined();
    });

    it('refuses a KMS key with SqsManagedSseEnabled=true as InvalidAttributeName, in CreateQueue and SetQueueAttributes', async () => {
      const Attributes = { KmsMasterKeyId: 'alias/aws/sqs', SqsManagedSseEnabled: 'true' };
      const expected = { code: 'InvalidAttributeName', message: ONE_SSE };
      expect(await failure(() => sqs().createQueue({ QueueName: uniqueName(`xsse-${protocol}`), Attributes }))).toEqual(
        expected,
      );
      const QueueUrl = await standard();
      expect(await failure(() => sqs().setQueueAttributes({ QueueUrl, Attributes }))).toEqual(expected);
      expect((await attributes(QueueUrl)).KmsMasterKeyId).toBeUndefined();
    });
  });

  describe('permissions', () => {
    it('AddPermission writes the policy SQS writes: Version 2008-10-17 and the SQSDefaultPolicy Id', async () => {
      const QueueUrl = await standard();
      await sqs().addPermission({ QueueUrl, Label: 'send', AWSAccountIds: ['111122223333'], Actions: ['SendMessage'] });
      const { Policy } = (await sqs().getQueueAttributes({ QueueUrl, AttributeNames: ['Policy'] })).Attributes ?? {};
      const queueArn = arn(QueueUrl);
      expect(Policy).toBe(
        `{"Version":"2008-10-17","Id":"${queueArn}/SQSDefaultPolicy","Statement":[{"Sid":"send","Effect":"Allow",` +
          `"Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"SQS:SendMessage","Resource":"${queueArn}"}]}`,
      );
    });

    it('RemovePermission of a label the policy does not have is InvalidParameterValue', async () => {
      const QueueUrl = await standard();
      await sqs().addPermission({ QueueUrl, Label: 'send', AWSAccountIds: ['111122223333'], Actions: ['SendMessage'] });
      expect(await failure(() => sqs().removePermission({ QueueUrl, Label: 'other' }))).toEqual({
        code: 'InvalidParameterValue',
        message: "Value other for parameter Label is invalid. Reason: can't find label.",
      });
    });
  });

  describe('message move tasks', () => {
    it('CancelMessageMoveTask of a string that is no task handle is InvalidParameterValue', async () => {
      expect(await failure(() => sqs().cancelMessageMoveTask({ TaskHandle: 'foobared' }))).toEqual({
        code: 'InvalidParameterValue',
        message: 'Value for parameter TaskHandle is invalid.',
      });
      // A well-formed handle of a task that does not exist stays ResourceNotFoundException.
      const dlq = await standard();
      const TaskHandle = Buffer.from(JSON.stringify({ taskId: 'no-such-task', sourceArn: arn(dlq) })).toString(
        'base64',
      );
      expect((await errorOf(() => sqs().cancelMessageMoveTask({ TaskHandle }))).code).toBe('ResourceNotFoundException');
    });
  });
});
