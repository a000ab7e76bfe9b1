/**
 * The logs of the real process: JSON lines with --log-format json (and by default, its standard
 * error being a pipe), readable lines with pretty; a request's entry, a redrive and a filter drop
 * at debug, and a handler's console output attributed to its function and invocation.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQS } from '@aws-sdk/client-sqs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { errorOf, type Protocol, sqsClient } from '../helpers/clients.js';
import { type RunningService, requireBuild, startProcess, stopProcess } from '../helpers/process.js';

type Entry = Record<string, unknown>;

const prefix = `logs-${randomUUID().slice(0, 8)}`;
const dir = mkdtempSync(join(tmpdir(), 'redsqs-logs-'));
const arn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;
const started: ChildProcess[] = [];
let svc: RunningService;

/** Every line of the output that is a JSON object (all of them, in json format). */
function entries(r: RunningService = svc): Entry[] {
  return r
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Entry);
}

async function entry(what: string, match: (e: Entry) => boolean, ms = 10_000): Promise<Entry> {
  const end = Date.now() + ms;
  for (;;) {
    const found = entries().find(match);
    if (found) return found;
    if (Date.now() > end) throw new Error(`no log entry for ${what}:\n${svc.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function start(env: Record<string, string>, args: string[]): Promise<RunningService> {
  const r = await startProcess({ REDIS_URL: inject('redisUrl'), REDSQS_KEY_PREFIX: prefix, ...env }, args);
  started.push(r.child);
  return r;
}

beforeAll(async () => {
  requireBuild();
  mkdirSync(join(dir, 'handlers'));
  // The console line comes after an await: it still belongs to the invocation.
  writeFileSync(
    join(dir, 'handlers', 'echo.mjs'),
    `export const handler = async (event) => {
  await new Promise((r) => setTimeout(r, 5));
  console.log('handling %s', event.Records[0].body);
};
`,
  );
  writeFileSync(join(dir, 'handlers', 'picky.mjs'), 'export const handler = async () => {};\n');
  const config = {
    queues: [
      { QueueName: 'logs-q' },
      {
        QueueName: 'logs-src',
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn('logs-dlq'), maxReceiveCount: 1 }) },
      },
      { QueueName: 'logs-dlq' },
      { QueueName: 'logs-handler-q' },
      { QueueName: 'logs-filter-q' },
    ],
    functions: [
      { FunctionName: 'echo', Handler: 'handlers/echo.handler', Timeout: 3 },
      { FunctionName: 'picky', Handler: 'handlers/picky.handler', Timeout: 3 },
    ],
    eventSourceMappings: [
      { FunctionName: 'echo', QueueName: 'logs-handler-q' },
      {
        FunctionName: 'picky',
        QueueName: 'logs-filter-q',
        FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ body: { type: ['order'] } }) }] },
      },
    ],
  };
  writeFileSync(join(dir, 'redsqs.config.json'), JSON.stringify(config));
  // The helper asks for pretty lines in the environment; the flag wins.
  svc = await start({ LOG_LEVEL: 'debug' }, ['--log-format', 'json', '--config', join(dir, 'redsqs.config.json')]);
}, 30_000);

afterAll(async () => {
  for (const child of started) await stopProcess(child);
  const redis = new Redis(inject('redisUrl'));
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.unlink(...keys);
  await redis.quit();
  rmSync(dir, { recursive: true, force: true });
});

describe('JSON lines', () => {
  it('are all the process writes, each with a level, a time and a message', async () => {
    await entry('the end of the start', (e) => String(e.msg).startsWith('ready in'));
    const lines = svc
      .output()
      .split('\n')
      .filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      const e = JSON.parse(line) as Entry;
      expect(typeof e.level).toBe('string');
      expect(typeof e.time).toBe('string');
      expect(typeof e.msg).toBe('string');
    }
    expect(entries().find((e) => String(e.msg).includes('listening on'))).toMatchObject({ level: 'info' });
  });

  it.each<Protocol>(['json', 'query'])(
    'give each %s request its action, queue, status, duration and request id',
    async (protocol) => {
      const sqs: SQS = sqsClient(protocol, svc.url);
      try {
        const queueUrl = `${svc.url}/000000000000/logs-q`;
        const sent = await sqs.sendMessage({ QueueUrl: queueUrl, MessageBody: 'x' });
        const requestId = sent.$metadata.requestId as string;
        expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
        const ok = await entry('the send', (e) => e.requestId === requestId);
        expect(ok).toMatchObject({ level: 'debug', action: 'SendMessage', queue: 'logs-q', protocol, status: 200 });
        expect(typeof ok.durationMs).toBe('number');
        expect(ok.durationMs as number).toBeGreaterThanOrEqual(0);
        expect(ok).not.toHaveProperty('code');

        const err = await errorOf(() => sqs.getQueueUrl({ QueueName: 'logs-missing' }));
        const failedId = (err as { $metadata?: { requestId?: string } }).$metadata?.requestId as string;
        const failed = await entry('the failed call', (e) => e.requestId === failedId);
        expect(failed).toMatchObject({
          level: 'debug',
          action: 'GetQueueUrl',
          queue: 'logs-missing',
          protocol,
          status: 400,
          code: 'QueueDoesNotExist',
          // What query clients (and JSON clients reading x-amzn-query-error) show.
          queryCode: 'AWS.SimpleQueueService.NonExistentQueue',
        });
      } finally {
        sqs.destroy();
      }
    },
  );

  it('record a redrive to the dead-letter queue at debug', async () => {
    const sqs = sqsClient('json', svc.url);
    try {
      const QueueUrl = `${svc.url}/000000000000/logs-src`;
      const { MessageId } = await sqs.sendMessage({ QueueUrl, MessageBody: 'doomed' });
      const first = await sqs.receiveMessage({ QueueUrl, VisibilityTimeout: 0, WaitTimeSeconds: 1 });
      expect(first.Messages?.[0]?.MessageId).toBe(MessageId);
      // Received once already (maxReceiveCount 1): this receive moves it to logs-dlq.
      const second = await sqs.receiveMessage({ QueueUrl, WaitTimeSeconds: 0 });
      expect(second.Messages ?? []).toEqual([]);
      const moved = await entry('the redrive', (e) => String(e.msg).startsWith('redrive:'));
      expect(moved).toMatchObject({
        level: 'debug',
        kind: 'dead-letter',
        source: 'logs-src',
        target: 'logs-dlq',
        count: 1,
        messageIds: [MessageId],
      });
    } finally {
      sqs.destroy();
    }
  });

  it('record the steps of a move task and the batches it moved at debug', async () => {
    const sqs = sqsClient('json', svc.url);
    try {
      // The message the redrive above put in logs-dlq goes back to logs-src.
      const { TaskHandle } = await sqs.startMessageMoveTask({ SourceArn: arn('logs-dlq') });
      const step = await entry('the move step', (e) => String(e.msg).startsWith('move task ') && e.moved === 1);
      expect(step).toMatchObject({ level: 'debug', source: 'logs-dlq', moved: 1, total: 1, toMove: 1 });
      const batch = await entry('the moved batch', (e) => e.kind === 'move');
      expect(batch).toMatchObject({ level: 'debug', source: 'logs-dlq', target: 'logs-src', count: 1 });
      const done = await entry('the end of the task', (e) => String(e.msg).includes('completed (1 moved)'));
      expect(done).toMatchObject({ level: 'info', status: 'COMPLETED', moved: 1 });
      expect(TaskHandle).toBeTruthy();
    } finally {
      sqs.destroy();
    }
  });

  it("attribute a handler's console output to its function and invocation", async () => {
    const sqs = sqsClient('json', svc.url);
    try {
      await sqs.sendMessage({ QueueUrl: `${svc.url}/000000000000/logs-handler-q`, MessageBody: 'hello-from-test' });
      const line = await entry('the handler line', (e) => e.msg === 'handling hello-from-test');
      expect(line).toMatchObject({ level: 'info', function: 'echo' });
      expect(line.invocation).toMatch(/^[0-9a-f-]{36}$/);
      // The poller's report of that invocation names the same one.
      const report = await entry('the invocation report', (e) => String(e.msg).startsWith('invoke echo:'));
      expect(report).toMatchObject({ function: 'echo', queue: 'logs-handler-q', invocation: line.invocation });
    } finally {
      sqs.destroy();
    }
  });

  it('record messages a filter dropped at debug', async () => {
    const sqs = sqsClient('json', svc.url);
    try {
      const QueueUrl = `${svc.url}/000000000000/logs-filter-q`;
      const { MessageId } = await sqs.sendMessage({ QueueUrl, MessageBody: JSON.stringify({ type: 'refund' }) });
      const dropped = await entry('the filter drop', (e) => String(e.msg).includes('matched no filter'));
      expect(dropped).toMatchObject({
        level: 'debug',
        function: 'picky',
        queue: 'logs-filter-q',
        records: 1,
        messageIds: [MessageId],
      });
    } finally {
      sqs.destroy();
    }
  });
});

describe('the format', () => {
  it('is JSON by default when standard error is not a terminal, readable lines with pretty', async () => {
    const auto = await start({ REDSQS_LOG_FORMAT: '' }, []);
    const listening = entries(auto).find((e) => String(e.msg).includes('listening on'));
    expect(listening).toMatchObject({ level: 'info', pid: auto.child.pid });

    const pretty = await start({ REDSQS_LOG_FORMAT: 'json' }, ['--log-format', 'pretty']);
    const lines = pretty
      .output()
      .split('\n')
      .filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line)).toThrow();
    expect(pretty.output()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO redsqs \S+ listening on /m);
  });
});
