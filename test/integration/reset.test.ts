/**
 * POST /_redsqs/reset with two instances of one deployment (one key prefix) and a second
 * deployment on the same Redis: everything of the prefix goes (queues of every account, messages in
 * every state, tombstones, move tasks, the clock), the other prefix is untouched, long polls on the
 * deleted queues end, and names can be reused at once. With an account, only that account goes.
 */
import type { SQS } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, sqsClient, uniqueName } from '../helpers/clients.js';
import { startTestService, type TestService } from '../helpers/service.js';

const OTHER_ACCOUNT = '111111111111';

let a: TestService;
let b: TestService;
let other: TestService;
let otherAccount: TestService;

beforeAll(async () => {
  a = await startTestService({ deleteCooldownSeconds: 60 });
  // The same deployment: same Redis, same prefix.
  b = await startTestService({ keyPrefix: a.config.keyPrefix, deleteCooldownSeconds: 60 });
  otherAccount = await startTestService({ keyPrefix: a.config.keyPrefix, accountId: OTHER_ACCOUNT });
  other = await startTestService();
});

afterAll(async () => {
  await Promise.all([a?.close(), b?.close(), otherAccount?.close(), other?.close()]);
});

async function keysOf(svc: TestService): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await svc.redis.scan(cursor, 'MATCH', `${svc.config.keyPrefix}:*`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found.sort();
}

/** The keys that stay: a lease is taken and let go by each sweep pass, on its own schedule. */
async function lastingKeysOf(svc: TestService): Promise<string[]> {
  return (await keysOf(svc)).filter((k) => !k.startsWith(`${svc.config.keyPrefix}:lease:`));
}

async function post(svc: TestService, path: string, body?: unknown) {
  const res = await fetch(`${svc.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const arnOf = (url: string, account = '000000000000') => `arn:aws:sqs:us-east-1:${account}:${url.split('/').pop()}`;

/** Fills the deployment with every kind of state a reset must remove; returns the queue count. */
async function populate(sqs: SQS, sqsOther: SQS): Promise<{ queues: number; deletedName: string; polled: string }> {
  const std = (await sqs.createQueue({ QueueName: uniqueName('rs-std'), tags: { team: 'x' } })).QueueUrl as string;
  await sqs.sendMessageBatch({
    QueueUrl: std,
    Entries: [
      { Id: 'a', MessageBody: 'ready' },
      { Id: 'b', MessageBody: 'delayed', DelaySeconds: 900 },
      { Id: 'c', MessageBody: 'in flight' },
    ],
  });
  await sqs.receiveMessage({ QueueUrl: std, MaxNumberOfMessages: 1, VisibilityTimeout: 600 });

  const fifo = (
    await sqs.createQueue({
      QueueName: `${uniqueName('rs-fifo')}.fifo`.slice(-80),
      Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' },
    })
  ).QueueUrl as string;
  await sqs.sendMessage({ QueueUrl: fifo, MessageBody: 'f1', MessageGroupId: 'g' });
  await sqs.receiveMessage({ QueueUrl: fifo, ReceiveRequestAttemptId: 'attempt-1' });

  // A dead-letter queue holding a redriven message, and a move task still running (1 msg/s).
  const dlq = (await sqs.createQueue({ QueueName: uniqueName('rs-dlq') })).QueueUrl as string;
  const src = (
    await sqs.createQueue({
      QueueName: uniqueName('rs-src'),
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf(dlq), maxReceiveCount: 1 }) },
    })
  ).QueueUrl as string;
  await sqs.sendMessageBatch({
    QueueUrl: src,
    Entries: Array.from({ length: 5 }, (_, i) => ({ Id: `m${i}`, MessageBody: `m${i}` })),
  });
  await sqs.receiveMessage({ QueueUrl: src, MaxNumberOfMessages: 10, VisibilityTimeout: 0 });
  await sqs.receiveMessage({ QueueUrl: src, MaxNumberOfMessages: 10 });
  await sqs.startMessageMoveTask({ SourceArn: arnOf(dlq), MaxNumberOfMessagesPerSecond: 1 });

  // A deleted queue: its name is blocked for 60 s (a tombstone).
  const deletedName = uniqueName('rs-deleted');
  const deleted = (await sqs.createQueue({ QueueName: deletedName })).QueueUrl as string;
  await sqs.deleteQueue({ QueueUrl: deleted });
  expect((await errorOf(() => sqs.createQueue({ QueueName: deletedName }))).code).toBe('QueueDeletedRecently');

  // A queue of another account in the same deployment.
  const foreign = (await sqsOther.createQueue({ QueueName: uniqueName('rs-acct') })).QueueUrl as string;
  await sqsOther.sendMessage({ QueueUrl: foreign, MessageBody: 'other account' });

  return { queues: 5, deletedName, polled: std };
}

describe('reset', () => {
  it('removes everything of the prefix, on every instance, and nothing of another prefix', async () => {
    const sqsA = sqsClient('json', a.url);
    const sqsB = sqsClient('query', b.url);
    const { queues, deletedName, polled } = await populate(sqsA, sqsClient('json', otherAccount.url));
    const mark = await post(a, '/_redsqs/clock', { advanceMs: 3_600_000 });
    expect(mark.status).toBe(200);

    const elsewhere = sqsClient('json', other.url);
    const kept = (await elsewhere.createQueue({ QueueName: uniqueName('rs-kept') })).QueueUrl as string;
    await elsewhere.sendMessage({ QueueUrl: kept, MessageBody: 'stays' });
    const otherKeys = await lastingKeysOf(other);
    expect(otherKeys.length).toBeGreaterThan(0);
    expect((await keysOf(a)).length).toBeGreaterThan(20);

    // A long poll on the other instance, on a queue the reset deletes: it ends with the queue.
    const drained = await sqsB.receiveMessage({ QueueUrl: polled, MaxNumberOfMessages: 10 });
    // An hour on the clock: the delayed and the in-flight message are visible again too.
    expect(drained.Messages?.map((m) => m.Body).sort()).toEqual(['delayed', 'in flight', 'ready']);
    const pollStarted = Date.now();
    const poll = errorOf(() => sqsB.receiveMessage({ QueueUrl: polled, WaitTimeSeconds: 20 }));
    await new Promise((r) => setTimeout(r, 200));

    const reset = await post(a, '/_redsqs/reset');
    expect(reset).toEqual({ status: 200, body: { deletedQueues: queues } });

    expect(await keysOf(a)).toEqual([]);
    expect(await lastingKeysOf(other)).toEqual(otherKeys);
    expect((await poll).code).toBe('QueueDoesNotExist');
    expect(Date.now() - pollStarted).toBeLessThan(5_000);

    // The clock is back to real time on both instances.
    for (const svc of [a, b]) {
      const clock = (await (await fetch(`${svc.url}/_redsqs/clock`)).json()) as Record<string, unknown>;
      expect(clock.frozen).toBe(false);
      expect(Math.abs(clock.offsetMs as number)).toBeLessThan(1_000);
    }
    expect((await sqsB.listQueues({})).QueueUrls ?? []).toEqual([]);
    // The tombstone went too: the name is free at once.
    expect((await sqsB.createQueue({ QueueName: deletedName })).QueueUrl).toContain(deletedName);
    await post(a, '/_redsqs/reset');
    expect(await keysOf(a)).toEqual([]);
    expect((await elsewhere.receiveMessage({ QueueUrl: kept })).Messages?.[0]?.Body).toBe('stays');
  });

  it('with an account, removes that account only', async () => {
    const mine = sqsClient('json', a.url);
    const theirs = sqsClient('json', otherAccount.url);
    const myQueue = (await mine.createQueue({ QueueName: uniqueName('rs-mine') })).QueueUrl as string;
    await mine.sendMessage({ QueueUrl: myQueue, MessageBody: 'mine' });
    const theirQueues = [uniqueName('rs-t1'), uniqueName('rs-t2')];
    for (const QueueName of theirQueues) await theirs.createQueue({ QueueName });
    await theirs.deleteQueue({ QueueUrl: `${otherAccount.url}/${OTHER_ACCOUNT}/${theirQueues[1]}` });
    await post(a, '/_redsqs/clock', { advanceMs: 1_000 });
    // A long poll served by another instance than the one that resets: it ends with its queue.
    const polled = `${otherAccount.url}/${OTHER_ACCOUNT}/${theirQueues[0]}`;
    const pollStarted = Date.now();
    const poll = errorOf(() => theirs.receiveMessage({ QueueUrl: polled, WaitTimeSeconds: 20 }));
    await new Promise((r) => setTimeout(r, 200));

    expect(await post(b, '/_redsqs/reset', { account: OTHER_ACCOUNT })).toEqual({
      status: 200,
      body: { deletedQueues: 1 },
    });
    expect((await poll).code).toBe('QueueDoesNotExist');
    expect(Date.now() - pollStarted).toBeLessThan(3_000);
    const left = await keysOf(a);
    expect(left.filter((k) => k.includes(OTHER_ACCOUNT))).toEqual([]);
    expect(left.some((k) => k.includes(`{000000000000/${myQueue.split('/').pop()}}`))).toBe(true);
    expect((await mine.receiveMessage({ QueueUrl: myQueue })).Messages?.[0]?.Body).toBe('mine');
    // An account's reset leaves the deployment's clock alone.
    const clock = (await (await fetch(`${a.url}/_redsqs/clock`)).json()) as Record<string, number>;
    expect(clock.offsetMs).toBeGreaterThanOrEqual(1_000);
    await post(a, '/_redsqs/reset');
  });

  it('DeleteQueue on one instance ends the long polls on the queue on another', async () => {
    const name = uniqueName('rs-del');
    const { QueueUrl } = await sqsClient('json', a.url).createQueue({ QueueName: name });
    const started = Date.now();
    const poll = errorOf(() => sqsClient('query', b.url).receiveMessage({ QueueUrl, WaitTimeSeconds: 20 }));
    await new Promise((r) => setTimeout(r, 200));
    await sqsClient('json', a.url).deleteQueue({ QueueUrl });
    expect((await poll).code).toBe('QueueDoesNotExist');
    expect(Date.now() - started).toBeLessThan(3_000);
    await post(a, '/_redsqs/reset');
  });

  it("leaves alone a deployment whose prefix starts with this one's", async () => {
    const nested = await startTestService({ keyPrefix: `${a.config.keyPrefix}:ci` });
    try {
      const sqs = sqsClient('json', nested.url);
      const { QueueUrl } = await sqs.createQueue({ QueueName: uniqueName('rs-nested') });
      await sqs.sendMessage({ QueueUrl, MessageBody: 'nested' });
      await post(nested, '/_redsqs/clock', { advanceMs: 5_000 });
      await sqsClient('json', a.url).createQueue({ QueueName: uniqueName('rs-outer') });
      const before = await lastingKeysOf(nested);
      expect(before.some((k) => k.endsWith(':clock'))).toBe(true);

      expect(await post(a, '/_redsqs/reset')).toEqual({ status: 200, body: { deletedQueues: 1 } });
      expect(await lastingKeysOf(nested)).toEqual(before);
      expect((await sqs.receiveMessage({ QueueUrl })).Messages?.[0]?.Body).toBe('nested');
      // Its clock was not reset either.
      expect(
        ((await (await fetch(`${nested.url}/_redsqs/clock`)).json()) as { offsetMs: number }).offsetMs,
      ).toBeGreaterThanOrEqual(5_000);
    } finally {
      await nested.close();
    }
  });

  it('refuses bodies it does not understand', async () => {
    for (const body of [{ account: '123' }, { account: 123456789012 }, { accounts: ['000000000000'] }, [1]]) {
      const res = await post(a, '/_redsqs/reset', body);
      expect(res.status).toBe(400);
      expect(res.body.__type).toMatch(/#InvalidParameterValue/);
    }
    const bad = await fetch(`${a.url}/_redsqs/reset`, { method: 'POST', body: '{not json' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Record<string, unknown>).__type).toMatch(/#InvalidParameterValue/);
  });
});
