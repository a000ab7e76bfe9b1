/**
 * startRedsqs (the library's way in for test suites) and redsqsAt (steering over HTTP): a
 * throwaway instance with its own redis-server, ready when the call returns, the test profile by
 * default, its clock, reset, and a stop that leaves no process and no directory behind.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { redsqsAt } from '../../src/client.js';
import { startRedsqs } from '../../src/testing.js';
import { errorOf, sqsClient } from '../helpers/clients.js';

/** redis-servers whose working directory is a redsqs- temporary directory (startRedsqs's). */
function throwawayRedis(): Map<number, string> {
  const found = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (
        cwd.startsWith(join(tmpdir(), 'redsqs-')) &&
        readFileSync(`/proc/${entry}/cmdline`, 'utf8').startsWith('redis-server')
      ) {
        found.set(Number(entry), cwd);
      }
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

const handlersDir = mkdtempSync(join(tmpdir(), 'redsqs-api-handlers-'));
afterAll(() => rmSync(handlersDir, { recursive: true, force: true }));

describe('startRedsqs', () => {
  it('starts a ready throwaway instance and stops it without leftovers', async () => {
    const before = throwawayRedis();
    const started = performance.now();
    const redsqs = await startRedsqs();
    console.log(`startRedsqs: ready in ${Math.round(performance.now() - started)} ms`);
    const mine = [...throwawayRedis()].filter(([pid]) => !before.has(pid));
    expect(mine).toHaveLength(1);
    const [[pid, dir]] = mine as [[number, string]];

    expect(redsqs.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${redsqs.url}/health`)).status).toBe(200);
    const sqs = sqsClient('json', redsqs.url);
    const { QueueUrl } = await sqs.createQueue({ QueueName: 'orders' });
    expect(QueueUrl).toBe(redsqs.queueUrl('orders'));
    await sqs.sendMessage({ QueueUrl, MessageBody: 'hello' });
    const got = await sqs.receiveMessage({ QueueUrl, VisibilityTimeout: 120 });
    expect(got.Messages?.[0]?.Body).toBe('hello');

    // The clock, in-process: two minutes pass at once.
    const view = await redsqs.clock.advance(120_000);
    expect(view.offsetMs).toBeGreaterThanOrEqual(120_000);
    expect(redsqs.clock.now()).toBeGreaterThanOrEqual(Date.now() + 119_000);
    expect((await sqs.receiveMessage({ QueueUrl })).Messages?.[0]?.Body).toBe('hello');

    // The test profile: no delete cool-down, so a suite can recreate its queues.
    await sqs.deleteQueue({ QueueUrl });
    await sqs.createQueue({ QueueName: 'orders' });
    expect(await redsqs.reset()).toEqual({ deletedQueues: 1 });
    expect(Math.abs(redsqs.clock.now() - Date.now())).toBeLessThan(1_000);

    await redsqs.stop();
    await redsqs.stop(); // a second stop is harmless
    expect(throwawayRedis().has(pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    await expect(fetch(`${redsqs.url}/health`)).rejects.toThrow();
  });

  it('takes a partial configuration', async () => {
    const redsqs = await startRedsqs({ accountId: '123456789012', deleteCooldownSeconds: 60, region: 'eu-west-1' });
    try {
      const sqs = sqsClient('json', redsqs.url);
      const { QueueUrl } = await sqs.createQueue({ QueueName: 'q' });
      expect(QueueUrl).toBe(`${redsqs.url}/123456789012/q`);
      const { Attributes } = await sqs.getQueueAttributes({ QueueUrl, AttributeNames: ['QueueArn'] });
      expect(Attributes?.QueueArn).toBe('arn:aws:sqs:eu-west-1:123456789012:q');
      await sqs.deleteQueue({ QueueUrl });
      expect((await errorOf(() => sqs.createQueue({ QueueName: 'q' }))).code).toBe('QueueDeletedRecently');
      // The cool-down runs on the clock too.
      await redsqs.clock.advance(60_000);
      await sqs.createQueue({ QueueName: 'q' });
    } finally {
      await redsqs.stop();
    }
  });

  it('creates the queues of a configuration file and runs its handlers before it returns', async () => {
    writeFileSync(
      join(handlersDir, 'record.mjs'),
      'export const handler = async (event) => { globalThis.__apiRecords = [...(globalThis.__apiRecords ?? []), ...event.Records.map((r) => r.body)]; };\n',
    );
    const file = join(handlersDir, 'redsqs.config.json');
    writeFileSync(
      file,
      JSON.stringify({
        queues: [{ QueueName: 'jobs' }],
        functions: [{ FunctionName: 'record', Handler: 'record.handler' }],
        eventSourceMappings: [{ FunctionName: 'record', QueueName: 'jobs' }],
      }),
    );
    const redsqs = await startRedsqs({ pollerConfig: file });
    try {
      const sqs = sqsClient('query', redsqs.url);
      await sqs.sendMessage({ QueueUrl: redsqs.queueUrl('jobs'), MessageBody: 'job 1' });
      const until = Date.now() + 5_000;
      const records = () => (globalThis as { __apiRecords?: string[] }).__apiRecords ?? [];
      while (records().length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(records()).toEqual(['job 1']);
      // A reset creates the configured queue again before it returns, and the poller goes on.
      expect(await redsqs.reset()).toEqual({ deletedQueues: 1 });
      await sqs.sendMessage({ QueueUrl: redsqs.queueUrl('jobs'), MessageBody: 'job 2' });
      while (records().length === 1 && Date.now() < until + 5_000) await new Promise((r) => setTimeout(r, 20));
      expect(records()).toEqual(['job 1', 'job 2']);
      // Its pollers are watched as run.ts's are: figures, metrics and the event stream.
      const stats = async () =>
        ((await (await fetch(`${redsqs.url}/_redsqs/pollers`)).json()) as { pollers: { invocations: number }[] })
          .pollers;
      while ((await stats())[0]?.invocations !== 2 && Date.now() < until + 10_000)
        await new Promise((r) => setTimeout(r, 20));
      expect(await stats()).toMatchObject([{ function: 'record', queue: 'jobs', invocations: 2 }]);
      const metrics = await (await fetch(`${redsqs.url}/metrics`)).text();
      expect(metrics).toMatch(/^redsqs_poller_invocations_total\{[^}]*outcome="ok"[^}]*\} 2$/m);
      const stream = await fetch(`${redsqs.url}/_redsqs/events?type=invocation`);
      const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
      await reader.read(); // the stream is open: events from now on reach it
      await sqs.sendMessage({ QueueUrl: redsqs.queueUrl('jobs'), MessageBody: 'job 3' });
      let text = '';
      while (!text.includes('"outcome":"ok"')) text += new TextDecoder().decode((await reader.read()).value);
      expect(text).toMatch(/event: invocation\n/);
      await reader.cancel();
    } finally {
      await redsqs.stop();
    }
  });

  it('refuses a bad configuration file before starting anything', async () => {
    const file = join(handlersDir, 'bad.config.json');
    writeFileSync(file, JSON.stringify({ queues: [{ QueueName: 'q', Attributes: { VisibilityTimeout: '99999' } }] }));
    const before = throwawayRedis();
    await expect(startRedsqs({ pollerConfig: file })).rejects.toThrow(/queues\[0\] \(q\): .*VisibilityTimeout/);
    expect([...throwawayRedis().keys()].filter((p) => !before.has(p))).toEqual([]);
  });
});

describe('redsqsAt', () => {
  it('moves the clock and resets over HTTP, and says what it refused', async () => {
    const redsqs = await startRedsqs();
    try {
      const control = redsqsAt(redsqs.url);
      const frozen = await control.clock.freeze();
      expect(frozen.frozen).toBe(true);
      await new Promise((r) => setTimeout(r, 30));
      expect((await control.clock.get()).now).toBe(frozen.now);
      expect((await control.clock.set(new Date(frozen.now + 1_000))).now).toBe(frozen.now + 1_000);
      await expect(control.clock.set(frozen.now)).rejects.toThrow(/400 .*cannot go backwards/);
      expect((await control.clock.unfreeze()).frozen).toBe(false);
      await sqsClient('json', redsqs.url).createQueue({ QueueName: 'a' });
      expect(await control.reset()).toEqual({ deletedQueues: 1 });
      expect(() => redsqsAt(undefined)).toThrow(/needs the endpoint/);
    } finally {
      await redsqs.stop();
    }
  });
});
