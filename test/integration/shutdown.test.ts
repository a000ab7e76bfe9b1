/**
 * A bounded stop and a Redis that goes away, against the built process: with its Redis hung
 * (SIGSTOP) or gone (SIGKILL), /health says 503 within about a second and SQS calls answer
 * ServiceUnavailable at once, both recovering by themselves; a SIGTERM with Redis hung ends within
 * REDSQS_SHUTDOWN_TIMEOUT_SECONDS; a handler that never settles holds the stop only until that
 * deadline (exit 1), and a second signal exits at once (128 + signal); the embedded redis-server
 * goes with it each time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Answer,
  cleanUp,
  freePort,
  get,
  gone,
  type Launched,
  launch,
  launchScope,
  pollUntil,
  redisServersIn,
  sleep,
  sqsCall,
} from '../helpers/launch.js';
import { requireBuild } from '../helpers/process.js';

const { running, dirs, tempDir } = launchScope();

const statusOf = (a: Answer): number | string => (typeof a === 'object' ? a.status : a);
const bodyOf = (a: Answer): unknown => (typeof a === 'object' ? JSON.parse(a.body) : a);

async function healthy(r: Launched): Promise<void> {
  await pollUntil(`${r.url}/health`, (a) => {
    if (r.child.exitCode !== null) throw new Error(`exited:\n${r.output()}`);
    return statusOf(a) === 200;
  });
}

async function start(env: Record<string, string>, dataDir = tempDir('data')): Promise<Launched> {
  const r = launch(await freePort(), { DATA_DIR: dataDir, ...env });
  running.add(r);
  await healthy(r);
  return r;
}

/** A redis-server the test owns (loopback, no persistence), started on `port`, answering PING. */
async function ownRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const until = performance.now() + 5_000;
  for (;;) {
    const pong = await new Promise<boolean>((done) => {
      const probe = spawn('redis-cli', ['-p', String(port), 'PING'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      probe.stdout.on('data', (c: Buffer) => {
        out += c.toString();
      });
      probe.once('exit', () => done(out.includes('PONG')));
      probe.once('error', () => done(false));
    });
    if (pong) return child;
    if (performance.now() > until || child.exitCode !== null) throw new Error(`redis-server on ${port} did not start`);
    await sleep(20);
  }
}

const listQueues = async (url: string) => {
  const t = performance.now();
  const { status, body } = await sqsCall(url, 'ListQueues', {});
  return { status, body, ms: performance.now() - t };
};

beforeAll(() => requireBuild());
afterAll(() => cleanUp(running, dirs));

describe('a Redis that hangs or goes away', () => {
  let port: number;
  let redis: ChildProcess;
  let svc: Launched;
  const env = () => ({
    REDIS_URL: `redis://127.0.0.1:${port}`,
    REDSQS_KEY_PREFIX: `shutdown-${process.pid}`,
    REDSQS_SHUTDOWN_TIMEOUT_SECONDS: '3',
  });

  beforeAll(async () => {
    port = await freePort();
    redis = await ownRedis(port);
    svc = await start(env());
  });
  afterAll(() => {
    redis.kill('SIGCONT');
    redis.kill('SIGKILL');
  });

  it('hung (SIGSTOP): 503 within about a second, ServiceUnavailable at once, back by itself', async () => {
    redis.kill('SIGSTOP');
    const stoppedAt = performance.now();
    const down = await pollUntil(`${svc.url}/health`, (a) => statusOf(a) === 503, { every: 20, ms: 5_000 });
    const detectMs = down.at - stoppedAt;
    expect(bodyOf(down.last)).toMatchObject({ status: 'unavailable', redis: 'down' });
    expect(detectMs).toBeLessThan(1_200);
    // Known down now: SQS requests are answered at once, without waiting on Redis.
    const sqs = await listQueues(svc.url);
    expect(sqs.status).toBe(503);
    expect(String(sqs.body.__type)).toContain('ServiceUnavailable');
    expect(sqs.ms).toBeLessThan(1_000);
    const again = performance.now();
    expect(statusOf(await get(`${svc.url}/health`))).toBe(503);
    expect(performance.now() - again).toBeLessThan(1_000);

    redis.kill('SIGCONT');
    const contAt = performance.now();
    const up = await pollUntil(`${svc.url}/health`, (a) => statusOf(a) === 200, { every: 20, ms: 5_000 });
    expect((await listQueues(svc.url)).status).toBe(200);
    console.log(
      `hung Redis: /health 503 ${Math.round(detectMs)} ms after SIGSTOP, ListQueues ServiceUnavailable in ${Math.round(sqs.ms)} ms; ` +
        `200 again ${Math.round(up.at - contAt)} ms after SIGCONT`,
    );
  });

  it('gone (SIGKILL): 503 within a second, back by itself once Redis is back on its port', async () => {
    redis.kill('SIGKILL');
    const killedAt = performance.now();
    const down = await pollUntil(`${svc.url}/health`, (a) => statusOf(a) === 503, { every: 20, ms: 5_000 });
    expect(down.at - killedAt).toBeLessThan(1_000);
    expect(bodyOf(down.last)).toMatchObject({ status: 'unavailable', redis: 'down' });
    const sqs = await listQueues(svc.url);
    expect(sqs.status).toBe(503);
    expect(String(sqs.body.__type)).toContain('ServiceUnavailable');
    expect(sqs.ms).toBeLessThan(1_000);

    redis = await ownRedis(port);
    const backAt = performance.now();
    const up = await pollUntil(`${svc.url}/health`, (a) => statusOf(a) === 200, { every: 20, ms: 10_000 });
    // Serving again, on the new (empty) Redis.
    const created = await sqsCall(svc.url, 'CreateQueue', { QueueName: 'after-restart' });
    expect(created.status).toBe(200);
    console.log(
      `Redis killed: /health 503 ${Math.round(down.at - killedAt)} ms after SIGKILL; 200 again ${Math.round(up.at - backAt)} ms after it was back`,
    );
  });

  /** SIGTERM with Redis hung: the stop ends within the 3 s deadline; exit code and time. */
  async function stopWhileHung(knownDown: boolean): Promise<{ ms: number; code: number | null }> {
    const r = knownDown ? svc : await start(env());
    const QueueUrl = `${r.url}/000000000000/held`;
    if (!knownDown) expect((await sqsCall(r.url, 'CreateQueue', { QueueName: 'held' })).status).toBe(200);
    redis.kill('SIGSTOP');
    try {
      if (knownDown) await pollUntil(`${r.url}/health`, (a) => statusOf(a) === 503, { every: 20, ms: 5_000 });
      else {
        // Requests in progress on the hung Redis: a send and a long poll.
        for (const [action, input] of [
          ['SendMessage', { QueueUrl, MessageBody: 'stuck' }],
          ['ReceiveMessage', { QueueUrl, WaitTimeSeconds: 20 }],
        ] as const) {
          void sqsCall(r.url, action, input).catch(() => undefined);
        }
        await sleep(50);
      }
      const termAt = performance.now();
      r.child.kill('SIGTERM');
      // While it stops, /health never hangs: a refused connection, or 503 (from a health check
      // that began just before the signal arrived: its PING gives up after 1 s).
      const during = await get(`${r.url}/health`, 1_500);
      expect(during === 'refused' || statusOf(during) === 503, JSON.stringify(during)).toBe(true);
      const exit = await r.exited;
      running.delete(r);
      const ms = exit.at - termAt;
      expect(ms, r.output()).toBeLessThan(3_000 + 300);
      expect([0, 1]).toContain(exit.code);
      return { ms, code: exit.code };
    } finally {
      redis.kill('SIGCONT');
    }
  }

  it('SIGTERM with Redis hung ends within REDSQS_SHUTDOWN_TIMEOUT_SECONDS (3 s)', async () => {
    const fresh = await stopWhileHung(false);
    const known = await stopWhileHung(true);
    console.log(
      `SIGTERM with Redis hung (deadline 3 s): exit ${fresh.code} after ${Math.round(fresh.ms)} ms right after the SIGSTOP, a send and a long poll in progress; ` +
        `exit ${known.code} after ${Math.round(known.ms)} ms once Redis was known down`,
    );
  }, 20_000);
});

describe('the deadline and the second signal', () => {
  /** Embedded Redis; a handler that never settles is running when this returns. */
  async function busy(): Promise<{ r: Launched; dataDir: string; redisPid: number }> {
    const dir = tempDir('deadline');
    const marker = join(dir, 'invoked');
    writeFileSync(
      join(dir, 'hang.mjs'),
      `import { writeFileSync } from 'node:fs';\nexport const handler = () => {\n  writeFileSync(${JSON.stringify(marker)}, 'yes');\n  return new Promise(() => {});\n};\n`,
    );
    const config = join(dir, 'redsqs.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        queues: [{ QueueName: 'hang', Attributes: { VisibilityTimeout: '900' } }],
        functions: [{ FunctionName: 'hang', Handler: 'hang.handler', Timeout: 900 }],
        eventSourceMappings: [{ FunctionName: 'hang', QueueName: 'hang', BatchSize: 1 }],
      }),
    );
    const dataDir = join(dir, 'data');
    const r = await start({ REDSQS_CONFIG: config, REDSQS_SHUTDOWN_TIMEOUT_SECONDS: '2' }, dataDir);
    const sent = await sqsCall(r.url, 'SendMessage', { QueueUrl: `${r.url}/000000000000/hang`, MessageBody: 'x' });
    expect(sent.status).toBe(200);
    const until = performance.now() + 5_000;
    while (!existsSync(marker)) {
      if (performance.now() > until) throw new Error(`the handler was never invoked:\n${r.output()}`);
      await sleep(10);
    }
    const redisPid = Number(readFileSync(join(dataDir, 'redis.pid'), 'utf8'));
    expect(redisServersIn(dataDir)).toEqual([redisPid]);
    return { r, dataDir, redisPid };
  }

  it('a stop held by a handler ends at the deadline with exit 1, and redis-server goes too', async () => {
    const { r, dataDir, redisPid } = await busy();
    const termAt = performance.now();
    r.child.kill('SIGTERM');
    // While the pollers stop (the service still listens), /health says so.
    await sleep(300);
    const during = await get(`${r.url}/health`);
    expect(typeof during === 'object' && during.status, JSON.stringify(during)).toBe(503);
    expect(JSON.parse((during as { body: string }).body)).toMatchObject({ status: 'stopping' });
    const exit = await r.exited;
    running.delete(r);
    const ms = exit.at - termAt;
    expect(exit.code).toBe(1);
    expect(r.output()).toContain('still stopping after 2 s: exiting now');
    // It did wait for the invocation, up to the deadline and not beyond.
    expect(ms).toBeGreaterThan(1_900);
    expect(ms).toBeLessThan(2_500);
    expect(await gone(redisPid, 3_000)).toBe(true);
    expect(redisServersIn(dataDir)).toEqual([]);
    console.log(`SIGTERM with a handler that never settles (deadline 2 s): exit 1 after ${Math.round(ms)} ms`);
  });

  it('a second SIGTERM exits at once with 143, and redis-server goes too', async () => {
    const { r, dataDir, redisPid } = await busy();
    r.child.kill('SIGTERM');
    await r.waitFor(/SIGTERM: shutting down/);
    await sleep(200);
    const secondAt = performance.now();
    r.child.kill('SIGTERM');
    const exit = await r.exited;
    running.delete(r);
    expect(exit.code).toBe(143);
    expect(r.output()).toContain('SIGTERM again: exiting now');
    expect(exit.at - secondAt).toBeLessThan(300);
    expect(await gone(redisPid, 3_000)).toBe(true);
    expect(redisServersIn(dataDir)).toEqual([]);
  });
});
