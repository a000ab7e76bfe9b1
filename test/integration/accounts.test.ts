/**
 * Accounts, through the real SDK of both wire protocols against one service in unsigned mode:
 * a 12-digit access key id is the caller's account (LocalStack's convention), any other key the
 * default account. Each account sees and uses its own queues; another account's queue is refused as
 * SQS refuses it unless that queue's Policy allows the caller's account the action.
 *
 * What SQS answers, and where that is recorded:
 * - another account's queue, not allowed: AccessDenied (HTTP 403, Sender), "User: <arn> is not
 *   authorized to perform: sqs:sendmessage on resource: <queue arn> because no resource-based policy
 *   allows the sqs:sendmessage action" (microsoft/aspire#3333, a cross-account SendMessage; IAM User
 *   Guide "Troubleshoot access denied error messages" for the explicit-deny wording);
 * - GetQueueUrl of another account's queue the caller may not see, or that does not exist:
 *   AWS.SimpleQueueService.NonExistentQueue "The specified queue does not exist or you do not have
 *   access to it." (spring-cloud-aws#417, php-enqueue/enqueue-dev#685, fluent/fluent-plugin-s3#342);
 * - the permission a batch action needs is its single form's (SQS Developer Guide, "Amazon SQS
 *   batch actions"); cross-account permissions never apply to DeleteQueue, SetQueueAttributes,
 *   TagQueue, ListQueueTags, AddPermission, the move tasks... ("Limitations of Amazon SQS custom
 *   policies").
 */
import { type QueueAttributeName, SQS } from '@aws-sdk/client-sqs';
import { SQS as QuerySQS } from 'client-sqs-query';
import { describe, expect, it } from 'vitest';
import { errorOf, PROTOCOLS, type Protocol, type SdkError, sqsClient, uniqueName } from '../helpers/clients.js';
import { useTestService } from '../helpers/service.js';

const svc = useTestService();

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';

/** A client whose access key id is the account (unsigned mode). */
function clientOf(protocol: Protocol, account: string): SQS {
  const options = {
    endpoint: svc().url,
    region: 'us-east-1',
    credentials: { accessKeyId: account, secretAccessKey: 'secret' },
    maxAttempts: 1,
  };
  return protocol === 'json' ? new SQS(options) : (new QuerySQS(options) as unknown as SQS);
}

const arnOf = (url: string) => {
  const [account, name] = new URL(url).pathname.split('/').slice(1);
  return `arn:aws:sqs:us-east-1:${account}:${name}`;
};

/**
 * An error's code, HTTP status and message. The pre-JSON SDK reports "UnknownError" for some errors
 * an operation does not model (SendMessage's QueueDoesNotExist); the message sent on the wire is
 * then in the error's `Error` element.
 */
function answer(err: SdkError) {
  const wire = (err as { Error?: { Message?: string } }).Error?.Message;
  return { code: err.code, status: err.$metadata?.httpStatusCode, message: wire ?? err.message };
}

/** The AccessDenied answer SQS gives the caller for an action it may not take on the queue. */
function expectAccessDenied(err: SdkError, caller: string, queueUrl: string, permission: string, explicit = false) {
  const action = `sqs:${permission.toLowerCase()}`;
  const why = explicit
    ? 'with an explicit deny in a resource-based policy'
    : `because no resource-based policy allows the ${action} action`;
  expect(answer(err)).toEqual({
    code: 'AccessDenied',
    status: 403,
    message: `User: arn:aws:iam::${caller}:root is not authorized to perform: ${action} on resource: ${arnOf(queueUrl)} ${why}`,
  });
}

function expectNoSuchQueueOrNoAccess(err: SdkError) {
  expect(answer(err)).toEqual({
    code: 'QueueDoesNotExist',
    status: 400,
    message: 'The specified queue does not exist or you do not have access to it.',
  });
}

describe.each(PROTOCOLS)('accounts (%s)', (protocol) => {
  const a = () => clientOf(protocol, A);
  const b = () => clientOf(protocol, B);
  const c = () => clientOf(protocol, C);
  /** A queue of account A with one message in flight (received by A): its URL and the receipt handle. */
  async function queueOfA(prefix: string): Promise<{ url: string; handle: string }> {
    const url = (await a().createQueue({ QueueName: uniqueName(`${prefix}-${protocol}`) })).QueueUrl as string;
    await a().sendMessage({ QueueUrl: url, MessageBody: 'mine' });
    const [m] = (await a().receiveMessage({ QueueUrl: url })).Messages ?? [];
    return { url, handle: m?.ReceiptHandle as string };
  }

  it('each account creates, lists and uses its own queues; one name in two accounts is two queues', async () => {
    const name = uniqueName(`own-${protocol}`);
    const urlA = (await a().createQueue({ QueueName: name })).QueueUrl as string;
    const urlB = (await b().createQueue({ QueueName: name })).QueueUrl as string;
    expect(new URL(urlA).pathname).toBe(`/${A}/${name}`);
    expect(new URL(urlB).pathname).toBe(`/${B}/${name}`);
    expect((await a().listQueues({ QueueNamePrefix: name })).QueueUrls).toEqual([urlA]);
    expect((await b().listQueues({ QueueNamePrefix: name })).QueueUrls).toEqual([urlB]);
    // A key that is not 12 digits is the default account, which has no such queue.
    expect((await sqsClient(protocol, svc().url).listQueues({ QueueNamePrefix: name })).QueueUrls).toBeUndefined();
    expect((await b().getQueueUrl({ QueueName: name })).QueueUrl).toBe(urlB);

    await a().sendMessage({ QueueUrl: urlA, MessageBody: 'for A' });
    expect((await b().receiveMessage({ QueueUrl: urlB })).Messages).toBeUndefined();
    const [m] = (await a().receiveMessage({ QueueUrl: urlA, AttributeNames: ['All'] })).Messages ?? [];
    expect({ body: m?.Body, sender: m?.Attributes?.SenderId }).toEqual({ body: 'for A', sender: A });
    const attrs = await b().getQueueAttributes({ QueueUrl: urlB, AttributeNames: ['QueueArn'] });
    expect(attrs.Attributes?.QueueArn).toBe(`arn:aws:sqs:us-east-1:${B}:${name}`);
  });

  it("another account's queue is refused as SQS refuses it, and stays as it was", async () => {
    const { url, handle } = await queueOfA('theirs');
    const refusals: [string, () => Promise<unknown>][] = [
      ['SendMessage', () => b().sendMessage({ QueueUrl: url, MessageBody: 'x' })],
      ['SendMessage', () => b().sendMessageBatch({ QueueUrl: url, Entries: [{ Id: '1', MessageBody: 'x' }] })],
      ['ReceiveMessage', () => b().receiveMessage({ QueueUrl: url })],
      ['DeleteMessage', () => b().deleteMessage({ QueueUrl: url, ReceiptHandle: handle })],
      ['DeleteMessage', () => b().deleteMessageBatch({ QueueUrl: url, Entries: [{ Id: '1', ReceiptHandle: handle }] })],
      [
        'ChangeMessageVisibility',
        () => b().changeMessageVisibility({ QueueUrl: url, ReceiptHandle: handle, VisibilityTimeout: 0 }),
      ],
      ['GetQueueAttributes', () => b().getQueueAttributes({ QueueUrl: url, AttributeNames: ['All'] })],
      ['PurgeQueue', () => b().purgeQueue({ QueueUrl: url })],
      ['DeleteQueue', () => b().deleteQueue({ QueueUrl: url })],
      ['SetQueueAttributes', () => b().setQueueAttributes({ QueueUrl: url, Attributes: { DelaySeconds: '1' } })],
      ['TagQueue', () => b().tagQueue({ QueueUrl: url, Tags: { k: 'v' } })],
      [
        'AddPermission',
        () => b().addPermission({ QueueUrl: url, Label: 'me', AWSAccountIds: [B], Actions: ['SendMessage'] }),
      ],
    ];
    for (const [permission, call] of refusals) expectAccessDenied(await errorOf(call), B, url, permission);
    const name = new URL(url).pathname.split('/').pop() as string;
    expectNoSuchQueueOrNoAccess(await errorOf(() => b().getQueueUrl({ QueueName: name, QueueOwnerAWSAccountId: A })));
    // Another account's queue that does not exist.
    expectNoSuchQueueOrNoAccess(await errorOf(() => b().sendMessage({ QueueUrl: `${url}-gone`, MessageBody: 'x' })));

    const after = await a().getQueueAttributes({ QueueUrl: url, AttributeNames: ['All'] as QueueAttributeName[] });
    expect(after.Attributes).toMatchObject({ ApproximateNumberOfMessagesNotVisible: '1', DelaySeconds: '0' });
    expect(after.Attributes?.Policy).toBeUndefined();
  });

  it('AddPermission opens SendMessage (and its batch) to one account and nothing else; RemovePermission closes it', async () => {
    const { url, handle } = await queueOfA('shared');
    await a().addPermission({ QueueUrl: url, Label: 'b-sends', AWSAccountIds: [B], Actions: ['SendMessage'] });

    await b().sendMessage({ QueueUrl: url, MessageBody: 'from B' });
    const batch = await b().sendMessageBatch({
      QueueUrl: url,
      Entries: [
        { Id: '1', MessageBody: 'batch 1' },
        { Id: '2', MessageBody: 'batch 2' },
      ],
    });
    expect(batch.Successful?.map((e) => e.Id)).toEqual(['1', '2']);
    for (const [permission, call] of [
      ['ReceiveMessage', () => b().receiveMessage({ QueueUrl: url })],
      ['DeleteMessage', () => b().deleteMessage({ QueueUrl: url, ReceiptHandle: handle })],
      ['GetQueueAttributes', () => b().getQueueAttributes({ QueueUrl: url, AttributeNames: ['All'] })],
      ['PurgeQueue', () => b().purgeQueue({ QueueUrl: url })],
    ] as const) {
      expectAccessDenied(await errorOf(call), B, url, permission);
    }
    expectAccessDenied(
      await errorOf(() => c().sendMessage({ QueueUrl: url, MessageBody: 'x' })),
      C,
      url,
      'SendMessage',
    );

    // The owner gets what B sent, with B as the sender.
    const got = await a().receiveMessage({
      QueueUrl: url,
      MaxNumberOfMessages: 10,
      AttributeNames: ['All'],
    });
    expect((got.Messages ?? []).map((m) => `${m.Body} <- ${m.Attributes?.SenderId}`).sort()).toEqual([
      `batch 1 <- ${B}`,
      `batch 2 <- ${B}`,
      `from B <- ${B}`,
    ]);

    await a().removePermission({ QueueUrl: url, Label: 'b-sends' });
    expectAccessDenied(
      await errorOf(() => b().sendMessage({ QueueUrl: url, MessageBody: 'x' })),
      B,
      url,
      'SendMessage',
    );
  });

  it('a Policy set directly: Allow SQS:* to the account, with a Deny of ReceiveMessage that wins', async () => {
    const { url } = await queueOfA('policy');
    const Resource = arnOf(url);
    const Policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'all', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${B}:root` }, Action: 'SQS:*', Resource },
        { Sid: 'no-receive', Effect: 'Deny', Principal: { AWS: B }, Action: 'sqs:receivemessage', Resource },
      ],
    });
    await a().setQueueAttributes({ QueueUrl: url, Attributes: { Policy } });

    const name = new URL(url).pathname.split('/').pop() as string;
    expect((await b().getQueueUrl({ QueueName: name, QueueOwnerAWSAccountId: A })).QueueUrl).toBe(url);
    await b().sendMessage({ QueueUrl: url, MessageBody: 'x' });
    const attrs = await b().getQueueAttributes({ QueueUrl: url, AttributeNames: ['QueueArn'] });
    expect(attrs.Attributes?.QueueArn).toBe(Resource);
    expectAccessDenied(await errorOf(() => b().receiveMessage({ QueueUrl: url })), B, url, 'ReceiveMessage', true);
    // SQS:* does not reach the actions that never apply across accounts.
    expectAccessDenied(await errorOf(() => b().deleteQueue({ QueueUrl: url })), B, url, 'DeleteQueue');
    // Nor does it list the queue among B's.
    expect((await b().listQueues({ QueueNamePrefix: name })).QueueUrls).toBeUndefined();
  });

  it('a statement with aws:SourceArn does not match a direct call; other condition keys are refused', async () => {
    const { url } = await queueOfA('cond');
    const Resource = arnOf(url);
    const policy = (Condition: object) =>
      JSON.stringify({
        Statement: { Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage', Resource, Condition },
      });
    const fromTopic = policy({ ArnEquals: { 'aws:SourceArn': `arn:aws:sns:us-east-1:${B}:topic` } });
    await a().setQueueAttributes({ QueueUrl: url, Attributes: { Policy: fromTopic } });
    expectAccessDenied(
      await errorOf(() => b().sendMessage({ QueueUrl: url, MessageBody: 'x' })),
      B,
      url,
      'SendMessage',
    );

    const fromNetwork = policy({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } });
    const refused = [
      await errorOf(() => a().setQueueAttributes({ QueueUrl: url, Attributes: { Policy: fromNetwork } })),
      await errorOf(() =>
        a().createQueue({ QueueName: uniqueName(`cond-new-${protocol}`), Attributes: { Policy: fromNetwork } }),
      ),
    ];
    for (const err of refused) {
      expect(answer(err)).toEqual({
        code: 'InvalidAttributeValue',
        status: 400,
        message:
          'Invalid value for the parameter Policy. Reason: Statement 1: condition key aws:SourceIp is not supported (only aws:SourceArn and aws:SourceAccount are evaluated).',
      });
    }
    const kept = await a().getQueueAttributes({ QueueUrl: url, AttributeNames: ['Policy'] });
    expect(kept.Attributes?.Policy).toBe(fromTopic);
  });

  it("a dead-letter queue must be in its source's account; move tasks do not cross accounts", async () => {
    const dlqOfB = (await b().createQueue({ QueueName: uniqueName(`dlq-${protocol}`) })).QueueUrl as string;
    const { url } = await queueOfA('src');
    const RedrivePolicy = JSON.stringify({ deadLetterTargetArn: arnOf(dlqOfB), maxReceiveCount: 3 });
    const err = await errorOf(() => a().setQueueAttributes({ QueueUrl: url, Attributes: { RedrivePolicy } }));
    expect({ code: err.code, message: err.message }).toEqual({
      code: 'InvalidParameterValue',
      message: `Value ${RedrivePolicy} for parameter RedrivePolicy is invalid. Reason: The dead-letter queue must be in the account of the source queue.`,
    });
    const list = await errorOf(() => a().listMessageMoveTasks({ SourceArn: arnOf(dlqOfB) }));
    expectAccessDenied(list, A, dlqOfB, 'ListMessageMoveTasks');
  });
});
