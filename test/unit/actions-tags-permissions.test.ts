/**
 * Tags and permissions against the in-memory store: validation, limits, the generated policy,
 * and how store outcomes become SQS errors.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { addPermission } from '../../src/actions/add-permission.js';
import type { ActionContext } from '../../src/actions/context.js';
import { createQueue } from '../../src/actions/create-queue.js';
import { type ActionName, runAction } from '../../src/actions/dispatch.js';
import { getQueueAttributes } from '../../src/actions/get-queue-attributes.js';
import { listQueueTags } from '../../src/actions/list-queue-tags.js';
import { removePermission } from '../../src/actions/remove-permission.js';
import { sendMessage } from '../../src/actions/send-message.js';
import { tagQueue } from '../../src/actions/tag-queue.js';
import { untagQueue } from '../../src/actions/untag-queue.js';
import { invalid, QDNE } from '../helpers/action-calls.js';
import { actionError, type TestContext, testContext } from '../helpers/action-context.js';

const arn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;

let t: TestContext;
beforeEach(async () => {
  t = testContext();
  await createQueue({ QueueName: 'q' }, t.ctx);
});

describe('TagQueue, UntagQueue, ListQueueTags', () => {
  it('adds, overwrites (case-sensitive keys), removes and lists tags', async () => {
    const QueueUrl = t.url('q');
    expect(await listQueueTags({ QueueUrl }, t.ctx)).toEqual({});
    await tagQueue({ QueueUrl, Tags: { team: 'a', Team: 'b' } }, t.ctx);
    await tagQueue({ QueueUrl, Tags: { team: 'c', env: 'ci' } }, t.ctx);
    expect(await listQueueTags({ QueueUrl }, t.ctx)).toEqual({ Tags: { team: 'c', Team: 'b', env: 'ci' } });
    await untagQueue({ QueueUrl, TagKeys: ['team', 'absent'] }, t.ctx);
    expect(await listQueueTags({ QueueUrl }, t.ctx)).toEqual({ Tags: { Team: 'b', env: 'ci' } });
  });

  it('refuses to go past 50 tags on the queue (the store counts the merged set)', async () => {
    const QueueUrl = t.url('q');
    const tags = (from: number, n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${from + i}`, '']));
    await tagQueue({ QueueUrl, Tags: tags(0, 50) }, t.ctx);
    await tagQueue({ QueueUrl, Tags: tags(0, 10) }, t.ctx); // overwrites, still 50
    expect(await actionError(tagQueue({ QueueUrl, Tags: tags(50, 1) }, t.ctx))).toEqual(
      invalid('Too many tags added for queue q: at most 50 are allowed.'),
    );
  });

  it.each([
    [{ ['k'.repeat(129)]: 'v' }, `Tag key "${'k'.repeat(129)}" is invalid. Reason: must be 1 to 128 characters long.`],
    [{ k: 'v'.repeat(257) }, 'Tag value for key "k" is invalid. Reason: must be at most 256 characters long.'],
    [{ k: 'bad\u0000' }, 'Tag "k" contains characters outside the allowed set.'],
  ])('rejects invalid tags before touching the store (%#)', async (Tags, message) => {
    t.store.calls.length = 0;
    expect(await actionError(tagQueue({ QueueUrl: t.url('q'), Tags }, t.ctx))).toEqual(invalid(message));
    expect(t.store.calls).toEqual([]);
  });

  it('is QueueDoesNotExist for an unknown queue', async () => {
    const QueueUrl = t.url('nope');
    expect(await actionError(tagQueue({ QueueUrl, Tags: { a: 'b' } }, t.ctx))).toEqual(QDNE);
    expect(await actionError(untagQueue({ QueueUrl, TagKeys: ['a'] }, t.ctx))).toEqual(QDNE);
    expect(await actionError(listQueueTags({ QueueUrl }, t.ctx))).toEqual(QDNE);
  });
});

describe('AddPermission and RemovePermission', () => {
  const add = (Label: string, AWSAccountIds = ['123456789012'], Actions = ['SendMessage']) =>
    addPermission({ QueueUrl: t.url('q'), Label, AWSAccountIds, Actions }, t.ctx);
  const policy = async () =>
    (await getQueueAttributes({ QueueUrl: t.url('q'), AttributeNames: ['Policy'] }, t.ctx)).Attributes?.Policy;

  it('writes one statement per label as SQS generates it, and removes it by label', async () => {
    await add('send', ['123456789012'], ['SendMessage', 'ReceiveMessage']);
    expect(JSON.parse((await policy()) ?? '')).toEqual({
      Version: '2008-10-17',
      Id: `${arn('q')}/SQSDefaultPolicy`,
      Statement: [
        {
          Sid: 'send',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::123456789012:root' },
          Action: ['SQS:SendMessage', 'SQS:ReceiveMessage'],
          Resource: arn('q'),
        },
      ],
    });
    await removePermission({ QueueUrl: t.url('q'), Label: 'send' }, t.ctx);
    expect(await policy()).toBeUndefined();
  });

  it.each([
    [
      'a label with a space',
      () => add('a b'),
      'Value a b for parameter Label is invalid. Reason: Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
    ],
    [
      '81-character label',
      () => add('l'.repeat(81)),
      `Value ${'l'.repeat(81)} for parameter Label is invalid. Reason: Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length`,
    ],
    [
      'no accounts',
      () => add('x', []),
      'Value [] for parameter AWSAccountIds is invalid. Reason: At least one account id is required.',
    ],
    [
      'a principal that is not an account',
      () => add('x', ['*']),
      'Value * for parameter AWSAccountIds is invalid. Reason: Must be a 12-digit account id.',
    ],
    [
      'no actions',
      () => add('x', undefined, []),
      'Value [] for parameter Actions is invalid. Reason: At least one action is required.',
    ],
    [
      'an unknown action',
      () => add('x', undefined, ['CreateQueue']),
      'Value CreateQueue for parameter Actions is invalid. Reason: Unknown action.',
    ],
  ])('rejects %s', async (_what, call, message) => {
    expect(await actionError(call())).toEqual(invalid(message));
  });

  it('allows at most 7 actions per statement (OverLimit)', async () => {
    const eight = [
      'SendMessage',
      'ReceiveMessage',
      'DeleteMessage',
      'ChangeMessageVisibility',
      'GetQueueAttributes',
      'GetQueueUrl',
      'PurgeQueue',
      'ListQueueTags',
    ];
    expect(await actionError(add('x', undefined, eight))).toEqual({
      code: 'OverLimit',
      message: '8 actions were found, maximum allowed is 7.',
    });
  });

  it('rejects a label that exists, and removing a label that does not', async () => {
    await add('dup');
    expect(await actionError(add('dup'))).toEqual(
      invalid('Value dup for parameter Label is invalid. Reason: Already exists.'),
    );
    expect(await actionError(removePermission({ QueueUrl: t.url('q'), Label: 'other' }, t.ctx))).toEqual(
      invalid("Value other for parameter Label is invalid. Reason: can't find label."),
    );
  });

  it('retries a concurrent policy edit, and gives up with RequestThrottled after 10 conflicts', async () => {
    const swap = vi.spyOn(t.store, 'swapQueueAttribute').mockResolvedValueOnce('conflict');
    await add('retry');
    expect(swap).toHaveBeenCalledTimes(2);
    swap.mockResolvedValue('conflict');
    expect(await actionError(add('never'))).toEqual({
      code: 'RequestThrottled',
      message: 'The queue policy is being changed concurrently; try again.',
    });
  });

  it('is QueueDoesNotExist for an unknown queue', async () => {
    const input = { QueueUrl: t.url('nope'), Label: 'x', AWSAccountIds: ['123456789012'], Actions: ['SendMessage'] };
    expect(await actionError(addPermission(input, t.ctx))).toEqual(QDNE);
    expect(await actionError(removePermission({ QueueUrl: t.url('nope'), Label: 'x' }, t.ctx))).toEqual(QDNE);
  });
});

describe('the queue-access gate (another account calling)', () => {
  const OTHER = '222222222222';
  /** The context of OTHER running `action`, as the dispatcher makes it. */
  const as = (action: ActionName | undefined, account = OTHER): ActionContext => ({ ...t.ctx, account, action });
  const denied = (permission: string, decision = 'because no resource-based policy allows the') => ({
    code: 'AccessDeniedException',
    message: `User: arn:aws:iam::${OTHER}:root is not authorized to perform: sqs:${permission} on resource: ${arn('q')} ${decision} sqs:${permission} action`,
  });
  const send = (ctx: ActionContext) => runAction('SendMessage', { QueueUrl: t.url('q'), MessageBody: 'x' }, ctx);

  it('refuses with AccessDenied, reading the queue once and writing nothing, until the policy allows', async () => {
    t.store.calls.length = 0;
    expect(await actionError(send(as('SendMessage')))).toEqual(denied('sendmessage'));
    expect(t.store.calls).toEqual(['getQueue']);
    await addPermission({ QueueUrl: t.url('q'), Label: 'b', AWSAccountIds: [OTHER], Actions: ['SendMessage'] }, t.ctx);
    await expect(send(as('SendMessage'))).resolves.toHaveProperty('MessageId');
    // The batch needs the same permission; another action is still refused.
    const batch = { QueueUrl: t.url('q'), Entries: [{ Id: '1', MessageBody: 'x' }] };
    await expect(runAction('SendMessageBatch', batch, as('SendMessageBatch'))).resolves.toHaveProperty('Successful');
    expect(await actionError(runAction('PurgeQueue', { QueueUrl: t.url('q') }, as('PurgeQueue')))).toEqual(
      denied('purgequeue'),
    );
  });

  it('fails closed: an action called without its name in the context is refused whatever the policy says', async () => {
    await addPermission({ QueueUrl: t.url('q'), Label: 'all', AWSAccountIds: [OTHER], Actions: ['*'] }, t.ctx);
    await expect(send(as('SendMessage'))).resolves.toHaveProperty('MessageId');
    expect(await actionError(sendMessage({ QueueUrl: t.url('q'), MessageBody: 'x' }, as(undefined)))).toEqual(
      denied('unknown'),
    );
  });

  it("another account's queue that does not exist, and the caller's own queues, need no policy", async () => {
    const missing = runAction('SendMessage', { QueueUrl: t.url('nope'), MessageBody: 'x' }, as('SendMessage'));
    expect(await actionError(missing)).toEqual({
      code: 'QueueDoesNotExist',
      message: 'The specified queue does not exist or you do not have access to it.',
    });
    t.store.calls.length = 0;
    await expect(send(as('SendMessage', '000000000000'))).resolves.toHaveProperty('MessageId');
    expect(t.store.calls).toEqual(['sendMessages']);
  });
});
