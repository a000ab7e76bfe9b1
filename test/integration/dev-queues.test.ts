/**
 * The dashboard's developer routes over real HTTP, against the real Redis, with two instances of
 * two accounts on one key prefix: GET /_redsqs/queues (every account's queues, counts, the age of
 * the oldest message on the service's clock, dead-letter lineage both ways), GET /_redsqs/messages
 * (the peek with state and visibleAt; LocalStack's /_aws/sqs/messages keeps its shape), DELETE
 * /_redsqs/messages/<id> and GET /_redsqs/pollers; their 400s, 404s, and 404 when the developer
 * endpoints are off.
 */
import type { SQS } from '@aws-sdk/client-sqs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { QueueRow } from '../../src/dev/queues.js';
import { PollerStatsRecorder } from '../../src/store/redis-poller-stats.js';
import { sqsClient } from '../helpers/clients.js';
import { startTestService, type TestService, useTestService } from '../helpers/service.js';

const OTHER = '111111111111';
const svc = useTestService();
let other: TestService;
let sqs: SQS;
let otherSqs: SQS;

async function getJson<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${svc().url}${path}`, init);
  return { status: res.status, body: (await res.json()) as T };
}

const queuesNow = async () =>
  (await getJson<{ now: number; account: string; accounts: string[]; queues: QueueRow[] }>('/_redsqs/queues')).body;
const rowOf = async (account: string, name: string) =>
  (await queuesNow()).queues.find((q) => q.account === account && q.name === name);
const messagesPath = (url: string) => `/_redsqs/messages?QueueUrl=${encodeURIComponent(url)}`;

beforeAll(async () => {
  other = await startTestService({ keyPrefix: svc().config.keyPrefix, accountId: OTHER });
  sqs = sqsClient('json', svc().url);
  otherSqs = sqsClient('json', other.url);
});

afterAll(async () => {
  await other?.close();
});

describe('GET /_redsqs/queues', () => {
  it("lists every account's queues with counts, the oldest message's age, and dead-letter lineage both ways", async () => {
    const empty = await queuesNow();
    expect(empty.account).toBe('000000000000');
    expect(empty.accounts).toEqual(['000000000000']);
    expect(empty.queues).toEqual([]);

    const dlq = (await sqs.createQueue({ QueueName: 'jobs-dlq' })).QueueUrl as string;
    const jobs = (
      await sqs.createQueue({
        QueueName: 'jobs',
        Attributes: {
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:jobs-dlq',
            maxReceiveCount: 4,
          }),
        },
      })
    ).QueueUrl as string;
    await sqs.createQueue({ QueueName: 'ticks.fifo', Attributes: { FifoQueue: 'true' } });
    const theirs = (await otherSqs.createQueue({ QueueName: 'theirs' })).QueueUrl as string;
    await sqs.sendMessage({ QueueUrl: jobs, MessageBody: 'a' });
    await sqs.sendMessage({ QueueUrl: jobs, MessageBody: 'b', DelaySeconds: 60 });
    await sqs.sendMessage({ QueueUrl: jobs, MessageBody: 'c' });
    await sqs.receiveMessage({ QueueUrl: jobs, MaxNumberOfMessages: 1 });
    await otherSqs.sendMessage({ QueueUrl: theirs, MessageBody: 'x' });

    const all = await queuesNow();
    expect(all.accounts).toEqual(['000000000000', OTHER]);
    expect(all.queues.map((q) => `${q.account}/${q.name}`)).toEqual([
      '000000000000/jobs',
      '000000000000/jobs-dlq',
      '000000000000/ticks.fifo',
      `${OTHER}/theirs`,
    ]);
    const row = all.queues[0] as QueueRow;
    expect(row).toMatchObject({
      url: jobs,
      arn: 'arn:aws:sqs:us-east-1:000000000000:jobs',
      fifo: false,
      visible: 1,
      delayed: 1,
      inFlight: 1,
      deadLetterQueue: { name: 'jobs-dlq', url: dlq, maxReceiveCount: 4 },
      sources: [],
    });
    expect(row.ageOfOldestSeconds).toBeGreaterThanOrEqual(0);
    expect(row.attributes.VisibilityTimeout).toBe('30');
    expect(all.queues[1]).toMatchObject({ deadLetterQueue: null, sources: [{ name: 'jobs', url: jobs }] });
    expect(all.queues[1]?.ageOfOldestSeconds).toBeNull();
    expect(all.queues[2]).toMatchObject({ fifo: true, visible: 0 });
    // Another account's queue, with its own URL (this request's host) and counts.
    expect(all.queues[3]).toMatchObject({ account: OTHER, url: `${svc().url}/${OTHER}/theirs`, visible: 1 });
    expect(theirs.endsWith(`/${OTHER}/theirs`)).toBe(true);
  });

  it("tells the oldest message's age on the service's clock, which the clock route moves", async () => {
    const before = (await rowOf('000000000000', 'jobs'))?.ageOfOldestSeconds ?? -1;
    const moved = await fetch(`${svc().url}/_redsqs/clock`, { method: 'POST', body: '{"advanceMs": 3600000}' });
    expect(moved.status).toBe(200);
    const after = (await rowOf('000000000000', 'jobs'))?.ageOfOldestSeconds ?? -1;
    expect(after - before).toBeGreaterThanOrEqual(3600);
    expect(after - before).toBeLessThan(3600 + 60);
    // The other instance follows the same clock.
    expect((await rowOf(OTHER, 'theirs'))?.ageOfOldestSeconds).toBeGreaterThanOrEqual(3600);
  });
});

describe('GET /_redsqs/messages', () => {
  it('peeks with each message state and when in-flight and delayed ones become visible, receiving nothing', async () => {
    const url = `${svc().url}/000000000000/peeked`;
    await sqs.createQueue({ QueueName: 'peeked' });
    await sqs.sendMessage({
      QueueUrl: url,
      MessageBody: 'flying',
      MessageAttributes: { bin: { DataType: 'Binary', BinaryValue: Buffer.from('hi') } },
    });
    const got = await sqs.receiveMessage({ QueueUrl: url, VisibilityTimeout: 120 });
    await sqs.sendMessage({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 90 });
    await sqs.sendMessage({ QueueUrl: url, MessageBody: 'here' });
    const { status, body } = await getJson<{
      now: number;
      truncated: boolean;
      queue: { account: string; name: string; url: string };
      messages: {
        MessageId: string;
        Body: string;
        state: string;
        visibleAt: number | null;
        Attributes: Record<string, string>;
        MessageAttributes?: Record<string, { DataType: string; BinaryValue?: string }>;
        ReceiptHandle?: string;
      }[];
    }>(messagesPath(url));
    expect(status).toBe(200);
    expect(body.queue).toEqual({ account: '000000000000', name: 'peeked', url });
    expect(body.truncated).toBe(false);
    expect(body.messages.map((m) => [m.Body, m.state])).toEqual([
      ['flying', 'inflight'],
      ['here', 'available'],
      ['later', 'delayed'],
    ]);
    const [flying, here, later] = body.messages;
    expect(flying?.MessageId).toBe(got.Messages?.[0]?.MessageId);
    // On the service's clock (moved an hour ahead above): received then, visible 120 s later.
    expect(flying?.visibleAt).toBeGreaterThan(body.now + 110_000);
    expect(flying?.visibleAt).toBeLessThanOrEqual(body.now + 120_000);
    expect(later?.visibleAt).toBeGreaterThan(body.now + 80_000);
    expect(later?.visibleAt).toBeLessThanOrEqual(body.now + 90_000);
    expect(here?.visibleAt).toBeNull();
    expect(flying?.Attributes.ApproximateReceiveCount).toBe('1');
    expect(flying?.MessageAttributes?.bin).toEqual({
      DataType: 'Binary',
      BinaryValue: Buffer.from('hi').toString('base64'),
    });
    expect(flying?.ReceiptHandle).toBeUndefined();
    // Nothing was received: peeked again, the same.
    const again = await getJson<typeof body>(messagesPath(url));
    expect(again.body.messages[0]?.Attributes.ApproximateReceiveCount).toBe('1');

    // LocalStack's endpoint keeps its shape: no state or visibleAt of ours.
    const ls = await fetch(`${svc().url}/_aws/sqs/messages?ShowInvisible=true&ShowDelayed=true`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({ QueueUrl: url }),
    });
    const lsBody = (await ls.json()) as { Messages: Record<string, unknown>[] };
    expect(lsBody.Messages).toHaveLength(3);
    for (const m of lsBody.Messages) {
      expect(Object.keys(m).sort()).toEqual(expect.not.arrayContaining(['state', 'visibleAt', 'groupLocked']));
      expect(m.ReceiptHandle).toBe('SQS/BACKDOOR/ACCESS');
    }
  });

  it("peeks another account's queue (the SQS API of this instance does not serve it)", async () => {
    const url = `${svc().url}/${OTHER}/theirs`;
    const { status, body } = await getJson<{ messages: { Body: string }[] }>(messagesPath(url));
    expect(status).toBe(200);
    expect(body.messages.map((m) => m.Body)).toEqual(['x']);
  });

  it('answers 400 for a missing or malformed QueueUrl or limit, 404 for an unknown queue', async () => {
    const cases: [string, number, string][] = [
      ['/_redsqs/messages', 400, 'InvalidParameterValue'],
      ['/_redsqs/messages?QueueUrl=', 400, 'InvalidParameterValue'],
      ['/_redsqs/messages?QueueUrl=nonsense', 400, 'InvalidParameterValue'],
      [`${messagesPath(`${svc().url}/000000000000/peeked`)}&limit=0`, 400, 'InvalidParameterValue'],
      [`${messagesPath(`${svc().url}/000000000000/peeked`)}&limit=abc`, 400, 'InvalidParameterValue'],
      [messagesPath(`${svc().url}/000000000000/nope`), 404, 'QueueDoesNotExist'],
      [messagesPath(`${svc().url}/222222222222/nope`), 404, 'QueueDoesNotExist'],
      [messagesPath(`${svc().url}/000000000000/bad name!`), 404, 'QueueDoesNotExist'],
    ];
    for (const [path, want, code] of cases) {
      const { status, body } = await getJson<{ __type: string; message: string }>(path);
      expect([path, status]).toEqual([path, want]);
      expect(body.__type).toContain(code);
      expect(body.message).not.toBe('');
    }
    const limited = await getJson<{ truncated: boolean; messages: unknown[] }>(
      `${messagesPath(`${svc().url}/000000000000/peeked`)}&limit=1`,
    );
    expect(limited.body).toMatchObject({ truncated: true, messages: [expect.anything()] });
  });
});

describe('DELETE /_redsqs/messages/<message id>', () => {
  it('deletes one message in any state, and the counts follow', async () => {
    const url = `${svc().url}/000000000000/peeked`;
    const listed = await getJson<{ messages: { MessageId: string; Body: string }[] }>(messagesPath(url));
    const flying = listed.body.messages.find((m) => m.Body === 'flying')?.MessageId as string;
    const del = (id: string, queueUrl = url) =>
      getJson<{ deleted?: string; __type?: string }>(
        `/_redsqs/messages/${encodeURIComponent(id)}?QueueUrl=${encodeURIComponent(queueUrl)}`,
        { method: 'DELETE' },
      );
    expect(await del(flying)).toEqual({ status: 200, body: { deleted: flying } });
    expect(await rowOf('000000000000', 'peeked')).toMatchObject({ visible: 1, inFlight: 0, delayed: 1 });
    const gone = await del(flying);
    expect(gone.status).toBe(404);
    expect(gone.body.__type).toContain('MessageDoesNotExist');
    expect((await del('x', `${svc().url}/000000000000/nope`)).status).toBe(404);
    expect((await del('x', 'nonsense')).status).toBe(400);
    expect((await del('x', '')).status).toBe(400);
    expect((await del('y'.repeat(200))).status).toBe(400);
  });

  it("deletes another account's message, and an in-flight FIFO message's delete frees its group", async () => {
    const theirs = `${svc().url}/${OTHER}/theirs`;
    const [m] = (await getJson<{ messages: { MessageId: string }[] }>(messagesPath(theirs))).body.messages;
    const res = await fetch(`${svc().url}/_redsqs/messages/${m?.MessageId}?QueueUrl=${encodeURIComponent(theirs)}`, {
      method: 'DELETE',
    });
    expect(res.status).toBe(200);
    expect(await rowOf(OTHER, 'theirs')).toMatchObject({ visible: 0, inFlight: 0, delayed: 0 });

    const fifo = `${svc().url}/000000000000/ticks.fifo`;
    for (const body of ['t1', 't2']) {
      await sqs.sendMessage({ QueueUrl: fifo, MessageBody: body, MessageGroupId: 'g', MessageDeduplicationId: body });
    }
    const first = await sqs.receiveMessage({ QueueUrl: fifo, VisibilityTimeout: 300 });
    expect(first.Messages?.map((x) => x.Body)).toEqual(['t1']);
    expect((await sqs.receiveMessage({ QueueUrl: fifo })).Messages ?? []).toEqual([]);
    const id = first.Messages?.[0]?.MessageId as string;
    const freed = await fetch(`${svc().url}/_redsqs/messages/${id}?QueueUrl=${encodeURIComponent(fifo)}`, {
      method: 'DELETE',
    });
    expect(freed.status).toBe(200);
    expect((await sqs.receiveMessage({ QueueUrl: fifo })).Messages?.map((x) => x.Body)).toEqual(['t2']);
  });
});

describe('GET /_redsqs/pollers', () => {
  it('lists what a recorder wrote of each mapping: counts, the last invocation and the last error', async () => {
    expect(await getJson('/_redsqs/pollers')).toEqual({ status: 200, body: { pollers: [] } });
    const redis = new Redis(inject('redisUrl'));
    try {
      const recorder = new PollerStatsRecorder(redis, svc().config.keyPrefix);
      const mapping = {
        function: 'worker',
        queue: 'jobs',
        queueArn: 'arn:aws:sqs:us-east-1:000000000000:jobs',
        batchSize: 5,
        windowSeconds: 0,
        concurrency: 2,
        reportBatchItemFailures: true,
      };
      recorder.mappingStarted(mapping);
      const at = Date.now();
      recorder.invoked({
        function: 'worker',
        queue: 'jobs',
        invocationId: 'i1',
        records: 3,
        outcome: 'ok',
        retried: 0,
        durationMs: 12,
        at,
      });
      recorder.invoked({
        function: 'worker',
        queue: 'jobs',
        invocationId: 'i2',
        records: 2,
        outcome: 'failed',
        retried: 2,
        durationMs: 7,
        error: 'boom',
        at: at + 1,
      });
      recorder.filtered({ function: 'worker', queue: 'jobs', records: 4 });
      // A report for a mapping that never started is ignored.
      recorder.invoked({
        function: 'ghost',
        queue: 'jobs',
        invocationId: 'i3',
        records: 1,
        outcome: 'ok',
        retried: 0,
        durationMs: 1,
        at,
      });
      await recorder.flush();
      const { body } = await getJson<{ pollers: Record<string, unknown>[] }>('/_redsqs/pollers');
      expect(body.pollers).toEqual([
        {
          ...mapping,
          startedAt: expect.any(Number),
          updatedAt: expect.any(Number),
          invocations: 2,
          ok: 1,
          partial: 0,
          failed: 1,
          records: 5,
          retried: 2,
          filtered: 4,
          lastInvocation: { at: at + 1, durationMs: 7, outcome: 'failed', records: 2 },
          lastError: { at: at + 1, message: 'boom' },
        },
      ]);
      // The other instance reads the same figures.
      const there = (await (await fetch(`${other.url}/_redsqs/pollers`)).json()) as { pollers: unknown[] };
      expect(there.pollers).toEqual(body.pollers);
    } finally {
      await redis.quit();
    }
  });
});

describe('with the developer endpoints off', () => {
  it('answers 404 on every route', async () => {
    const off = await startTestService({ devEndpoints: false });
    try {
      const routes: [string, string][] = [
        ['GET', '/_redsqs/queues'],
        ['GET', '/_redsqs/messages?QueueUrl=x'],
        ['DELETE', '/_redsqs/messages/abc?QueueUrl=x'],
        ['GET', '/_redsqs/pollers'],
      ];
      for (const [method, path] of routes) {
        const res = await fetch(`${off.url}${path}`, { method });
        expect([path, res.status]).toEqual([path, 404]);
        expect(((await res.json()) as { error: string }).error).toContain('developer endpoint');
      }
    } finally {
      await off.close();
    }
  });
});
