/**
 * Lambda-style pollers end to end: the real process started with --config, real handler modules
 * (JavaScript and TypeScript) and the outcomes an AWS SQS event source mapping has.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQS } from '@aws-sdk/client-sqs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sqsClient } from '../helpers/clients.js';
import { runToExit } from '../helpers/process.js';

const MAIN = new URL('../../dist/main.js', import.meta.url);
const prefix = `lambda-${randomUUID().slice(0, 8)}`;
const dir = mkdtempSync(join(tmpdir(), 'redsqs-lambda-'));
const results = join(dir, 'results.jsonl');
let child: ChildProcess;
let url = '';
let output = '';
let sqs: SQS;

interface Invocation {
  fn: string;
  bodies: string[];
  ids: string[];
  concurrent?: number;
  at: number;
}

const arn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function invocations(fn: string): Invocation[] {
  if (!existsSync(results)) return [];
  return readFileSync(results, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Invocation)
    .filter((i) => i.fn === fn);
}

async function until<T>(what: string, probe: () => T | Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}\n${output}`);
    await sleep(100);
  }
}

const queueUrl = (name: string) => `${url}/000000000000/${name}`;
async function counts(name: string) {
  const a = (await sqs.getQueueAttributes({ QueueUrl: queueUrl(name), AttributeNames: ['All'] })).Attributes ?? {};
  return { visible: Number(a.ApproximateNumberOfMessages), inflight: Number(a.ApproximateNumberOfMessagesNotVisible) };
}
async function send(name: string, bodies: string[], group?: string) {
  for (let i = 0; i < bodies.length; i += 10) {
    await sqs.sendMessageBatch({
      QueueUrl: queueUrl(name),
      Entries: bodies.slice(i, i + 10).map((MessageBody, k) => ({
        Id: `e${k}`,
        MessageBody,
        ...(group ? { MessageGroupId: group, MessageDeduplicationId: randomUUID() } : {}),
      })),
    });
  }
}

/** A handler module: records each invocation, then does `body` (JS source using `event`). */
function handler(file: string, body: string): void {
  mkdirSync(join(dir, 'handlers'), { recursive: true });
  writeFileSync(
    join(dir, 'handlers', file),
    `import { appendFileSync } from 'node:fs';
let active = 0;
const record = (fn, event, extra = {}) => appendFileSync(process.env.LAMBDA_RESULTS, JSON.stringify({ fn, at: Date.now(), ids: event.Records.map((r) => r.messageId), bodies: event.Records.map((r) => r.body), ...extra }) + '\\n');
export const handler = async (event, context) => { active++; try { ${body} } finally { active--; } };
`,
  );
}

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error('dist/main.js is missing: run `npm run build` (npm test does it)');
  handler('ok.mjs', 'record("ok", event);');
  handler('throws.mjs', 'record("throws", event); throw new Error("boom");');
  handler(
    'partial.mjs',
    'record("partial", event); return { batchItemFailures: event.Records.filter((r) => r.body.startsWith("fail")).map((r) => ({ itemIdentifier: r.messageId })) };',
  );
  handler(
    'malformed.mjs',
    'record("malformed", event); return { batchItemFailures: [{ itemIdentifier: "not-in-batch" }] };',
  );
  handler('slow.mjs', 'record("slow", event); await new Promise((r) => setTimeout(r, 2500));');
  handler('filtered.mjs', 'record("filtered", event);');
  handler('window.mjs', 'record("window", event);');
  handler('conc.mjs', 'record("conc", event, { concurrent: active }); await new Promise((r) => setTimeout(r, 250));');
  handler(
    'fifo.mjs',
    `globalThis.failedOnce ??= new Set();
     const failures = [];
     const done = [];
     for (const r of event.Records) {
       // The first try of each ":2" message fails; only that one is reported, as a careless handler would.
       if (r.body.endsWith(":2") && !globalThis.failedOnce.has(r.body)) { globalThis.failedOnce.add(r.body); failures.push({ itemIdentifier: r.messageId }); }
       else done.push(r.body);
     }
     record("fifo", event, { done });
     return { batchItemFailures: failures };`,
  );
  // A TypeScript handler importing another TypeScript module without an extension.
  writeFileSync(join(dir, 'handlers', 'greet.ts'), "export const greet = (name: string): string => 'hello ' + name;\n");
  writeFileSync(
    join(dir, 'handlers', 'typed.ts'),
    `import { appendFileSync } from 'node:fs';
import { greet } from './greet';
interface SqsEvent { Records: { messageId: string; body: string }[] }
export const handler = async (event: SqsEvent): Promise<void> => {
  const bodies: string[] = event.Records.map((r) => greet(r.body));
  appendFileSync(process.env.LAMBDA_RESULTS as string, JSON.stringify({ fn: 'typed', at: Date.now(), ids: event.Records.map((r) => r.messageId), bodies }) + '\\n');
};
`,
  );
  const q = (QueueName: string, Attributes: Record<string, string> = {}) => ({ QueueName, Attributes });
  const fn = (name: string, file: string, Timeout = 1) => ({
    FunctionName: name,
    Handler: `handlers/${file}.handler`,
    Timeout,
  });
  const map = (FunctionName: string, QueueName: string, extra: object = {}) => ({ FunctionName, QueueName, ...extra });
  const report = { FunctionResponseTypes: ['ReportBatchItemFailures'] };
  const config = {
    queues: [
      q('ok-q'),
      q('throws-q', {
        VisibilityTimeout: '1',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn('throws-dlq'), maxReceiveCount: 2 }),
      }),
      q('throws-dlq'),
      q('partial-q'),
      q('malformed-q'),
      q('slow-q'),
      q('filtered-q'),
      q('window-q'),
      q('conc-q'),
      q('fifo-q.fifo', { FifoQueue: 'true', VisibilityTimeout: '1' }),
      q('typed-q'),
      q('tight-q', { VisibilityTimeout: '2' }),
    ],
    functions: [
      fn('ok', 'ok'),
      fn('throws', 'throws'),
      fn('partial', 'partial'),
      fn('malformed', 'malformed'),
      fn('slow', 'slow'),
      fn('filtered', 'filtered'),
      fn('window', 'window'),
      fn('conc', 'conc'),
      fn('fifo', 'fifo'),
      fn('typed', 'typed'),
      fn('tight', 'ok'),
    ],
    eventSourceMappings: [
      map('ok', 'ok-q'),
      map('throws', 'throws-q'),
      map('partial', 'partial-q', { ...report, BatchSize: 20, MaximumBatchingWindowInSeconds: 1 }),
      map('malformed', 'malformed-q', { ...report, BatchSize: 20, MaximumBatchingWindowInSeconds: 1 }),
      map('slow', 'slow-q'),
      map('filtered', 'filtered-q', {
        FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ body: { type: ['order'] } }) }] },
      }),
      map('window', 'window-q', { BatchSize: 50, MaximumBatchingWindowInSeconds: 2 }),
      map('conc', 'conc-q', { BatchSize: 1, ScalingConfig: { MaximumConcurrency: 2 } }),
      map('fifo', 'fifo-q.fifo', { ...report, BatchSize: 10 }),
      { FunctionName: 'typed', EventSourceArn: arn('typed-q') },
      map('tight', 'tight-q', { MaximumBatchingWindowInSeconds: 2 }),
    ],
  };
  writeFileSync(join(dir, 'redsqs.config.json'), JSON.stringify(config, null, 2));
  child = spawn(process.execPath, [MAIN.pathname, '--config', join(dir, 'redsqs.config.json')], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      REDIS_URL: inject('redisUrl'),
      REDSQS_KEY_PREFIX: prefix,
      LOG_LEVEL: 'info',
      LAMBDA_RESULTS: results,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (c: Buffer) => {
    output += c.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  await until(
    'the service',
    () => /listening on \S+: (http:\/\/[\d.]+:\d+)/.exec(output)?.[1],
    (v) => v !== undefined,
  );
  url = /listening on \S+: (http:\/\/[\d.]+:\d+)/.exec(output)?.[1] as string;
  await until(
    'the pollers',
    () => (output.match(/poller: \S+ <- /g) ?? []).length,
    (n) => n === 11,
  );
  sqs = sqsClient('json', url);
}, 30_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
  const redis = new Redis(inject('redisUrl'));
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.unlink(...keys);
  await redis.quit();
  rmSync(dir, { recursive: true, force: true });
});

describe('Lambda-style pollers', () => {
  it('warns of a visibility timeout shorter than the function timeout plus the batching window, and only then', () => {
    const warnings = output.split('\n').filter((line) => line.includes('plus batching window'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(
      'queue visibility timeout (2 s) is less than function timeout plus batching window (3 s) of tight',
    );
  });

  it('deletes a batch the handler finished, and gives it the Lambda event shape', async () => {
    await sqs.sendMessage({
      QueueUrl: queueUrl('ok-q'),
      MessageBody: 'hi',
      MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } },
    });
    await until(
      'the ok handler',
      () => invocations('ok'),
      (i) => i.length === 1,
    );
    await until(
      'the delete',
      () => counts('ok-q'),
      (c) => c.visible === 0 && c.inflight === 0,
    );
  });

  it('redelivers after a throw and sends the message to the dead-letter queue after maxReceiveCount', async () => {
    await send('throws-q', ['poison']);
    await until(
      'the dead-letter queue',
      () => counts('throws-dlq'),
      (c) => c.visible === 1,
      20_000,
    );
    expect(invocations('throws')).toHaveLength(2);
    expect(output).toMatch(/invoke throws: 1 message\(s\) from throws-q: failed in \d+ ms \(Error: boom\)/);
  });

  it('with ReportBatchItemFailures keeps exactly the failed messages', async () => {
    await send('partial-q', ['ok-1', 'fail-1', 'ok-2', 'fail-2', 'ok-3']);
    const [inv] = await until(
      'the partial handler',
      () => invocations('partial'),
      (i) => i.length >= 1,
    );
    expect(inv?.bodies).toHaveLength(5);
    await until(
      'the deletes',
      () => counts('partial-q'),
      (c) => c.inflight === 2 && c.visible === 0,
    );
  });

  it('fails the whole batch when the response is malformed', async () => {
    await send('malformed-q', ['a', 'b', 'c']);
    await until(
      'the malformed handler',
      () => invocations('malformed'),
      (i) => i.length >= 1,
    );
    await sleep(300);
    expect(await counts('malformed-q')).toEqual({ visible: 0, inflight: 3 });
    expect(output).toContain('itemIdentifier not-in-batch is not a message of the batch');
  });

  it('treats a handler that runs past its Timeout as failed', async () => {
    await send('slow-q', ['slow']);
    await until(
      'the timeout',
      () => output,
      (o) => o.includes('Task timed out after 1.00 seconds'),
      10_000,
    );
    expect(await counts('slow-q')).toEqual({ visible: 0, inflight: 1 });
  });

  it('deletes messages that match no filter without invoking the function', async () => {
    await send('filtered-q', [JSON.stringify({ type: 'refund' }), JSON.stringify({ type: 'order' })]);
    await until(
      'the filtered handler',
      () => invocations('filtered'),
      (i) => i.length >= 1,
    );
    await until(
      'both gone',
      () => counts('filtered-q'),
      (c) => c.visible === 0 && c.inflight === 0,
    );
    expect(invocations('filtered').flatMap((i) => i.bodies)).toEqual([JSON.stringify({ type: 'order' })]);
  });

  it('collects messages for the batching window', async () => {
    await send(
      'window-q',
      Array.from({ length: 30 }, (_, i) => `w${i}`),
    );
    const done = await until(
      'the window handler',
      () => invocations('window'),
      (i) => i.flatMap((x) => x.bodies).length === 30,
      10_000,
    );
    expect(done[0]?.bodies.length).toBe(30);
  });

  it('never runs more than MaximumConcurrency invocations at once', async () => {
    await send(
      'conc-q',
      Array.from({ length: 12 }, (_, i) => `c${i}`),
    );
    const all = await until(
      '12 invocations',
      () => invocations('conc'),
      (i) => i.length === 12,
      15_000,
    );
    const peak = Math.max(...all.map((i) => i.concurrent ?? 0));
    expect(peak).toBe(2);
  });

  it('keeps FIFO order per group through failures', async () => {
    await send('fifo-q.fifo', ['a:1', 'a:2', 'a:3', 'a:4'], 'a');
    await send('fifo-q.fifo', ['b:1', 'b:2', 'b:3'], 'b');
    await until(
      'both groups',
      () => counts('fifo-q.fifo'),
      (c) => c.visible === 0 && c.inflight === 0,
      15_000,
    );
    // The handler reports only the failed ":2" message; the poller keeps the rest of that group's
    // batch too, so after the retry the group is processed from ":2" on, in order.
    const all = invocations('fifo') as (Invocation & { done: string[] })[];
    const doneOf = (g: string) => all.flatMap((i) => i.done).filter((b) => b.startsWith(`${g}:`));
    expect(all.flatMap((i) => i.bodies).filter((b) => b === 'a:2')).toHaveLength(2);
    expect(doneOf('a').slice(-3)).toEqual(['a:2', 'a:3', 'a:4']);
    expect(doneOf('b').slice(-2)).toEqual(['b:2', 'b:3']);
  });

  it('runs a TypeScript handler (importing TypeScript) named by EventSourceArn', async () => {
    await send('typed-q', ['world']);
    const [inv] = await until(
      'the typed handler',
      () => invocations('typed'),
      (i) => i.length === 1,
    );
    expect(inv?.bodies).toEqual(['hello world']);
  });
});

describe('configuration errors', () => {
  it('refuses a bad file with a message naming the field', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        functions: [{ FunctionName: 'f', Handler: 'x.handler' }],
        eventSourceMappings: [{ FunctionName: 'f', QueueName: 'q', BatchSize: 100 }],
      }),
    );
    const { code, stderr: err } = await runToExit(
      { PORT: '0', HOST: '127.0.0.1', REDIS_URL: inject('redisUrl'), REDSQS_KEY_PREFIX: `${prefix}-bad` },
      ['--config', bad],
    );
    expect(code).toBe(2);
    expect(err).toContain(
      'eventSourceMappings[0].BatchSize: above 10 needs MaximumBatchingWindowInSeconds of at least 1',
    );
  });

  it('refuses a poller file that cannot be read before it starts anything', async () => {
    const missing = join(dir, 'missing.json');
    const { code, stderr } = await runToExit(
      { PORT: '0', HOST: '127.0.0.1', REDIS_URL: inject('redisUrl'), REDSQS_KEY_PREFIX: `${prefix}-missing` },
      ['--config', missing],
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/^redsqs: cannot read \S*missing\.json: no such file \(ENOENT\)/);
    expect(stderr.split(missing).length - 1).toBe(1);
  });
});
