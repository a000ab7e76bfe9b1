/**
 * GET /_redsqs/events: two instances on one Redis, a listener on B, everything done through A (the
 * AWS SDK, and pollers running against A): every event type arrives at B. Filters, bad filters,
 * the route switched off, no publishing while nobody listens (and again after the last listener
 * left), and a shutdown that an open stream does not hold up.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { invocationEvents } from '../../src/events/sources.js';
import type { ServiceEvent } from '../../src/events/types.js';
import { PollerActivity, startPollers } from '../../src/lambda/index.js';
import { createLogger } from '../../src/log.js';
import { sqsClient, uniqueName } from '../helpers/clients.js';
import { startTestService, startTwoInstances, type TestService } from '../helpers/service.js';

let a: TestService;
let b: TestService;
let close = async (): Promise<void> => undefined;
beforeAll(async () => {
  ({ a: a, b: b, close } = await startTwoInstances());
});
afterAll(() => close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Received {
  id: string;
  type: string;
  data: ServiceEvent;
}

interface Stream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Everything the response carried, as text. */
  raw(): string;
  events: Received[];
  /** The first event (already received or still to come) that `match` accepts. */
  next(match: (e: ServiceEvent) => boolean, ms?: number): Promise<ServiceEvent>;
  /** Resolves when the server ends the response. */
  ended: Promise<void>;
  close(): void;
}

/** Opens the stream; resolves once the response has begun (the server says everyone publishes then). */
function openStream(base: string, query = ''): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/_redsqs/events${query}`, (res) => {
      let text = '';
      let pending = '';
      const events: Received[] = [];
      const waiters: { match: (e: ServiceEvent) => boolean; done: (e: ServiceEvent) => void }[] = [];
      let endedResolve = (): void => undefined;
      const ended = new Promise<void>((r) => {
        endedResolve = r;
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        pending += chunk;
        let cut = pending.indexOf('\n\n');
        while (cut >= 0) {
          const block = pending.slice(0, cut);
          pending = pending.slice(cut + 2);
          cut = pending.indexOf('\n\n');
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const i = line.indexOf(': ');
            if (i > 0) fields[line.slice(0, i)] = line.slice(i + 2);
          }
          if (fields.data === undefined) continue;
          const e = { id: fields.id ?? '', type: fields.event ?? '', data: JSON.parse(fields.data) as ServiceEvent };
          events.push(e);
          for (const w of [...waiters]) {
            if (w.match(e.data)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.done(e.data);
            }
          }
        }
      });
      res.on('end', endedResolve);
      res.on('close', endedResolve);
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        raw: () => text,
        events,
        next(match, ms = 10_000) {
          const found = events.find((e) => match(e.data));
          if (found) return Promise.resolve(found.data);
          return new Promise((done, fail) => {
            const timer = setTimeout(() => {
              fail(new Error(`no such event within ${ms} ms; got ${JSON.stringify(events.map((e) => e.data))}`));
            }, ms);
            waiters.push({
              match,
              done: (e) => {
                clearTimeout(timer);
                done(e);
              },
            });
          });
        },
        ended,
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const via = (url: string | undefined, target: TestService) => (url as string).replace(a.url, target.url);

describe('the event stream', () => {
  it('shows every event type of instance A (and of pollers against it) to a listener on instance B', async () => {
    const stream = await openStream(b.url);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(stream.raw()).toContain('retry: ');
    const sqs = sqsClient('json', a.url);
    try {
      const dlqName = uniqueName('ev-dlq');
      const srcName = uniqueName('ev-src');
      const dlq = (await sqs.createQueue({ QueueName: dlqName })).QueueUrl as string;
      const dlqArn = (await sqs.getQueueAttributes({ QueueUrl: dlq, AttributeNames: ['QueueArn'] })).Attributes
        ?.QueueArn as string;
      const src = (
        await sqs.createQueue({
          QueueName: srcName,
          Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) },
        })
      ).QueueUrl as string;
      const created = await stream.next((e) => e.type === 'queue-created' && e.queue === srcName);
      expect(created).toMatchObject({ account: a.config.accountId });
      expect(Number.isNaN(Date.parse(created.time))).toBe(false);
      // CreateQueue of an existing queue creates nothing.
      await sqs.createQueue({ QueueName: dlqName });

      const { MessageId } = await sqs.sendMessage({ QueueUrl: src, MessageBody: 'to the dlq' });
      expect(await stream.next((e) => e.type === 'sent' && e.messageId === MessageId)).toMatchObject({
        queue: srcName,
      });
      const first = (await sqs.receiveMessage({ QueueUrl: src, VisibilityTimeout: 60 })).Messages?.[0];
      expect(await stream.next((e) => e.type === 'received' && e.messageId === MessageId)).toMatchObject({
        receiveCount: 1,
      });
      await sqs.changeMessageVisibility({ QueueUrl: src, ReceiptHandle: first?.ReceiptHandle, VisibilityTimeout: 0 });
      expect(await stream.next((e) => e.type === 'visibility-changed' && e.messageId === MessageId)).toMatchObject({
        visibilityTimeout: 0,
      });
      // Its second receive is past maxReceiveCount: it goes to the dead-letter queue.
      await sqs.receiveMessage({ QueueUrl: src });
      expect(await stream.next((e) => e.type === 'dead-lettered' && e.messageId === MessageId)).toMatchObject({
        queue: srcName,
        source: srcName,
        target: dlqName,
        newMessageId: MessageId,
      });

      // A move task takes it back to its source, under a new id.
      await sqs.startMessageMoveTask({ SourceArn: dlqArn });
      const moved = await stream.next((e) => e.type === 'moved' && e.messageId === MessageId, 15_000);
      expect(moved).toMatchObject({ queue: dlqName, source: dlqName, target: srcName });
      expect(moved.type === 'moved' && moved.newMessageId).not.toBe(MessageId);

      const batch = await sqs.sendMessageBatch({
        QueueUrl: via(src, b),
        Entries: [
          { Id: '1', MessageBody: 'one' },
          { Id: '2', MessageBody: 'two' },
        ],
      });
      const got = (await sqs.receiveMessage({ QueueUrl: src, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }))
        .Messages;
      const mine = got?.find((m) => m.MessageId === batch.Successful?.[0]?.MessageId);
      await sqs.deleteMessage({ QueueUrl: src, ReceiptHandle: mine?.ReceiptHandle });
      await stream.next((e) => e.type === 'deleted' && e.messageId === mine?.MessageId);
      await sqs.purgeQueue({ QueueUrl: src });
      await stream.next((e) => e.type === 'purged' && e.queue === srcName);
      await sqs.deleteQueue({ QueueUrl: src });
      await stream.next((e) => e.type === 'queue-deleted' && e.queue === srcName);

      // Each message its own event, with the stream's id and the event type as the SSE event.
      for (const { MessageId: id } of batch.Successful ?? []) {
        await stream.next((e) => e.type === 'sent' && e.messageId === id);
      }
      const ids = stream.events.map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(stream.events.every((e) => e.type === e.data.type)).toBe(true);
      expect(stream.events.filter((e) => e.data.type === 'queue-created' && e.data.queue === dlqName)).toHaveLength(1);

      // Poller invocations, reported as run.ts wires them.
      const dir = mkdtempSync(join(tmpdir(), 'redsqs-events-'));
      const activity = new PollerActivity();
      activity.observe(invocationEvents(a.service.events, a.config.accountId));
      const fnQueue = uniqueName('ev-fn');
      writeFileSync(
        join(dir, 'fn.mjs'),
        "export const handler = async (event) => { if (event.Records.some((r) => r.body === 'fail')) throw new Error('boom'); };\n",
      );
      writeFileSync(
        join(dir, 'config.json'),
        JSON.stringify({
          queues: [{ QueueName: fnQueue, Attributes: { VisibilityTimeout: '30' } }],
          functions: [{ FunctionName: 'fn', Handler: 'fn.handler', Timeout: 3 }],
          eventSourceMappings: [{ FunctionName: 'fn', QueueName: fnQueue }],
        }),
      );
      // The SDK's warning about Node 22, and the pollers' own log lines, are not this test's output.
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
      const log = createLogger('error');
      const pollers = await startPollers({ config: join(dir, 'config.json'), endpoint: a.url, activity, log });
      try {
        const fnUrl = (await sqs.getQueueUrl({ QueueName: fnQueue })).QueueUrl;
        await sqs.sendMessage({ QueueUrl: fnUrl, MessageBody: 'fine' });
        expect(await stream.next((e) => e.type === 'invocation' && e.queue === fnQueue)).toMatchObject({
          function: 'fn',
          outcome: 'ok',
          records: 1,
          retried: 0,
        });
        await sqs.sendMessage({ QueueUrl: fnUrl, MessageBody: 'fail' });
        expect(
          await stream.next((e) => e.type === 'invocation' && e.queue === fnQueue && e.outcome === 'failed'),
        ).toMatchObject({ error: expect.stringContaining('boom'), retried: 1 });
      } finally {
        await pollers.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    } finally {
      stream.close();
    }
  }, 40_000);

  it('filters by queue and by type', async () => {
    const sqs = sqsClient('json', a.url);
    const one = uniqueName('ev-one');
    const two = uniqueName('ev-two');
    const byQueue = await openStream(b.url, `?queue=${one}`);
    const byType = await openStream(b.url, `?type=deleted,sent&queue=${one},${two}`);
    const all = await openStream(b.url, `?queue=${one},${two}`);
    try {
      const u1 = (await sqs.createQueue({ QueueName: one })).QueueUrl;
      const u2 = (await sqs.createQueue({ QueueName: two })).QueueUrl;
      const s1 = await sqs.sendMessage({ QueueUrl: u1, MessageBody: 'a' });
      const s2 = await sqs.sendMessage({ QueueUrl: u2, MessageBody: 'b' });
      const r = (await sqs.receiveMessage({ QueueUrl: u2 })).Messages?.[0];
      await sqs.deleteMessage({ QueueUrl: u2, ReceiptHandle: r?.ReceiptHandle });
      // The unfiltered stream has seen the last event: so have the others, from the same batches.
      await all.next((e) => e.type === 'deleted' && e.messageId === s2.MessageId);
      await byQueue.next((e) => e.type === 'sent' && e.messageId === s1.MessageId);
      await byType.next((e) => e.type === 'deleted' && e.messageId === s2.MessageId);
      expect(all.events.map((e) => `${e.data.type} ${e.data.queue}`)).toEqual([
        `queue-created ${one}`,
        `queue-created ${two}`,
        `sent ${one}`,
        `sent ${two}`,
        `received ${two}`,
        `deleted ${two}`,
      ]);
      expect(byQueue.events.map((e) => `${e.data.type} ${e.data.queue}`)).toEqual([
        `queue-created ${one}`,
        `sent ${one}`,
      ]);
      expect(byType.events.map((e) => `${e.data.type} ${e.data.queue}`)).toEqual([
        `sent ${one}`,
        `sent ${two}`,
        `deleted ${two}`,
      ]);
    } finally {
      for (const s of [byQueue, byType, all]) s.close();
    }
  });

  it("reports the developer routes' changes too: the dashboard's delete of one message", async () => {
    const sqs = sqsClient('json', a.url);
    const name = uniqueName('ev-dev');
    const stream = await openStream(b.url, `?queue=${name}&type=deleted`);
    try {
      const { QueueUrl } = await sqs.createQueue({ QueueName: name });
      const { MessageId } = await sqs.sendMessage({ QueueUrl, MessageBody: 'x' });
      const res = await fetch(
        `${a.url}/_redsqs/messages/${MessageId}?QueueUrl=${encodeURIComponent(QueueUrl as string)}`,
        { method: 'DELETE' },
      );
      expect(res.status).toBe(200);
      expect(await stream.next((e) => e.type === 'deleted')).toMatchObject({ queue: name, messageId: MessageId });
    } finally {
      stream.close();
    }
  });

  it('answers a bad filter with a 400 that lists the types', async () => {
    const bad = await fetch(`${b.url}/_redsqs/events?type=sent,exploded`);
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { message: string };
    expect(body.message).toContain('exploded');
    expect(body.message).toContain('dead-lettered');
    for (const query of ['?queue=', '?queue=not%20a%20queue', '?types=sent']) {
      const res = await fetch(`${b.url}/_redsqs/events${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/json/);
    }
  });

  it('publishes nothing while nobody listens, and stops again after the last listener left', async () => {
    // A prefix of its own: no listener of the other tests keeps this deployment publishing.
    const x = await startTestService();
    const y = await startTestService({ keyPrefix: x.config.keyPrefix });
    const raw = new Redis(inject('redisUrl'));
    const seen: string[] = [];
    raw.on('message', (_channel: string, message: string) => seen.push(message));
    try {
      await raw.subscribe(`${x.config.keyPrefix}:events`);
      const sqs = sqsClient('json', x.url);
      const q = (await sqs.createQueue({ QueueName: uniqueName('quiet') })).QueueUrl;
      await sqs.sendMessage({ QueueUrl: q, MessageBody: 'unheard' });
      await sqs.receiveMessage({ QueueUrl: q });
      await sleep(200);
      expect(x.service.events.stats()).toMatchObject({ active: false, published: 0 });
      expect(seen).toEqual([]);

      const stream = await openStream(y.url);
      expect(x.service.events.stats().active).toBe(true);
      const { MessageId } = await sqs.sendMessage({ QueueUrl: q, MessageBody: 'heard' });
      await stream.next((e) => e.type === 'sent' && e.messageId === MessageId);
      expect(x.service.events.stats().published).toBeGreaterThan(0);
      expect(seen.length).toBeGreaterThan(0);
      stream.close();

      // The listeners key lives 5 s after its last renewal.
      const until = Date.now() + 10_000;
      while (x.service.events.stats().active && Date.now() < until) await sleep(100);
      expect(x.service.events.stats().active).toBe(false);
      const published = x.service.events.stats().published;
      seen.length = 0;
      await sqs.sendMessage({ QueueUrl: q, MessageBody: 'unheard again' });
      await sleep(200);
      expect(x.service.events.stats().published).toBe(published);
      expect(seen).toEqual([]);
    } finally {
      await raw.quit();
      await y.service.close();
      await y.redis.quit();
      await x.close();
    }
  }, 20_000);

  it('is a developer endpoint: 404 when they are off', async () => {
    const off = await startTestService({ devEndpoints: false });
    try {
      const res = await fetch(`${off.url}/_redsqs/events`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: string }).error).toContain('developer endpoint');
    } finally {
      await off.close();
    }
  });

  it('ends open streams at service.close(), which does not wait for them', async () => {
    const c = await startTestService({ keyPrefix: `test-${randomUUID().slice(0, 8)}` });
    const stream = await openStream(c.url);
    const started = Date.now();
    await c.close();
    await stream.ended;
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
