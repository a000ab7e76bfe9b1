/**
 * A truthful start, against the built process: /health says "starting" (or nothing listens) until
 * every queue of the configuration file exists and its pollers run; a SIGTERM or SIGINT at any
 * moment of the start leaves no process behind; a bad file exits 2 before the port opens; and the
 * command line's own answers (--version, an unknown flag, a flag without its value).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Answer,
  childrenOf,
  cleanUp,
  freePort,
  gone,
  type Launched,
  launch,
  launchScope,
  pollUntil,
  redisServersIn,
  sleep,
  sqsCall,
  summary,
} from '../helpers/launch.js';
import { MAIN, requireBuild } from '../helpers/process.js';

const ARN = 'arn:aws:sqs:us-east-1:000000000000:';
const { running, dirs, tempDir } = launchScope();

interface QueueDef {
  QueueName: string;
  Attributes: Record<string, string>;
  tags?: Record<string, string>;
}

/** 30 queues: standard and FIFO, some redriving to dead-letter queues listed after them, some tagged. */
function queueDefs(): QueueDef[] {
  const queues: QueueDef[] = [];
  for (let i = 0; i < 28; i++) {
    const fifo = i % 3 === 2;
    const q: QueueDef = fifo
      ? {
          QueueName: `ready-${i}.fifo`,
          Attributes: { FifoQueue: 'true', ContentBasedDeduplication: i % 2 === 0 ? 'true' : 'false' },
        }
      : { QueueName: `ready-${i}`, Attributes: { VisibilityTimeout: String(30 + i) } };
    if (i % 4 === 0 || i % 4 === 1) {
      const dlq = fifo ? 'ready-dlq.fifo' : 'ready-dlq';
      q.Attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: ARN + dlq, maxReceiveCount: 2 + (i % 5) });
    }
    if (i % 5 === 0) q.tags = { team: `t${i}`, env: 'ci' };
    queues.push(q);
  }
  queues.push({ QueueName: 'ready-dlq', Attributes: { MessageRetentionPeriod: '1209600' } });
  queues.push({ QueueName: 'ready-dlq.fifo', Attributes: { FifoQueue: 'true' } });
  return queues;
}

/** A config file with the 30 queues and one function mapped to ready-1; the handler appends bodies to `out`. */
function writeConfig(dir: string, out: string): string {
  writeFileSync(
    join(dir, 'echo.mjs'),
    `import { appendFileSync } from 'node:fs';\nexport const handler = async (event) => {\n  for (const r of event.Records) appendFileSync(${JSON.stringify(out)}, r.body + '\\n');\n};\n`,
  );
  const path = join(dir, 'redsqs.config.json');
  writeFileSync(
    path,
    JSON.stringify({
      queues: queueDefs(),
      functions: [{ FunctionName: 'echo', Handler: 'echo.handler' }],
      eventSourceMappings: [{ FunctionName: 'echo', QueueName: 'ready-1' }],
    }),
  );
  return path;
}

const isOk = (a: Answer): boolean => typeof a === 'object' && a.status === 200;
const isStarting = (a: Answer): boolean =>
  typeof a === 'object' && a.status === 503 && /^\{"status":"starting"/.test(a.body);

/** Every configured queue exists with its attributes and tags (checked right at the first 200). */
async function expectAllQueues(url: string): Promise<void> {
  for (const q of queueDefs()) {
    const got = await sqsCall(url, 'GetQueueUrl', { QueueName: q.QueueName });
    expect(got.status, `${q.QueueName}: ${JSON.stringify(got.body)}`).toBe(200);
    const QueueUrl = got.body.QueueUrl as string;
    expect(QueueUrl).toBe(`${url}/000000000000/${q.QueueName}`);
    const attrs = (await sqsCall(url, 'GetQueueAttributes', { QueueUrl, AttributeNames: ['All'] })).body
      .Attributes as Record<string, string>;
    for (const [name, value] of Object.entries(q.Attributes)) {
      if (name === 'RedrivePolicy') {
        const want = JSON.parse(value) as { deadLetterTargetArn: string; maxReceiveCount: number };
        const have = JSON.parse(attrs.RedrivePolicy ?? '{}') as {
          deadLetterTargetArn: string;
          maxReceiveCount: unknown;
        };
        expect(have.deadLetterTargetArn).toBe(want.deadLetterTargetArn);
        expect(Number(have.maxReceiveCount)).toBe(want.maxReceiveCount);
      } else expect(attrs[name], `${q.QueueName} ${name}`).toBe(value);
    }
    if (q.tags) expect((await sqsCall(url, 'ListQueueTags', { QueueUrl })).body.Tags).toEqual(q.tags);
  }
}

async function waitForFile(path: string, text: string, ms = 5_000): Promise<void> {
  const until = performance.now() + ms;
  while (!(existsSync(path) && readFileSync(path, 'utf8').includes(text))) {
    if (performance.now() > until) throw new Error(`${path} never contained "${text}"`);
    await sleep(10);
  }
}

/** SIGTERM, exit 0, and its redis-server gone with it. */
async function stopCleanly(r: Launched, dataDir: string): Promise<void> {
  r.child.kill('SIGTERM');
  expect((await r.exited).code).toBe(0);
  running.delete(r);
  expect(redisServersIn(dataDir)).toEqual([]);
}

/** When the test saw each start-up line, in ms after launch (to aim the signals of the next test). */
const seen = { redis: [] as number[], listening: [] as number[], ready: [] as number[] };

function noteLineTimes(r: Launched): void {
  const note = (pattern: RegExp, into: number[]) =>
    r.waitFor(pattern).then(
      () => into.push(performance.now() - r.startedAt),
      () => undefined,
    );
  void note(/started redis-server/, seen.redis);
  void note(/listening on/, seen.listening);
  void note(/ready in \d+ ms/, seen.ready);
}

beforeAll(() => requireBuild());
afterAll(() => cleanUp(running, dirs));

describe('readiness', () => {
  /** Launches, polls /health every ~5 ms from the start, runs `atFirst200` at once; ms to the first 200. */
  async function firstHealthy(
    env: Record<string, string>,
    dataDir: string,
    atFirst200: (url: string) => Promise<void>,
  ) {
    const r = launch(await freePort(), { DATA_DIR: dataDir, ...env });
    running.add(r);
    noteLineTimes(r);
    const { answers, at } = await pollUntil(`${r.url}/health`, (a) => {
      if (r.child.exitCode !== null) throw new Error(`exited before a 200:\n${r.output()}`);
      return isOk(a);
    });
    await atFirst200(r.url);
    const before = answers.slice(0, -1);
    // Before the 200: nothing listening yet, or "starting"; never a timeout, never another status.
    for (const a of before) expect(a === 'refused' || isStarting(a), JSON.stringify(a)).toBe(true);
    return { r, ms: at - r.startedAt, starting: before.filter(isStarting).length };
  }

  it('answers 200 only once every configured queue exists and the pollers run (10 starts)', async () => {
    const withConfig: number[] = [];
    let starting = 0;
    for (let run = 0; run < 10; run++) {
      const dir = tempDir('ready');
      const out = join(dir, 'handled.txt');
      const config = writeConfig(dir, out);
      const {
        r,
        ms,
        starting: n,
      } = await firstHealthy({ REDSQS_CONFIG: config }, join(dir, 'data'), (url) => expectAllQueues(url));
      withConfig.push(ms);
      starting += n;
      // The poller was started before the 200: a message sent now reaches the handler.
      const sent = await sqsCall(r.url, 'SendMessage', {
        QueueUrl: `${r.url}/000000000000/ready-1`,
        MessageBody: `run ${run}`,
      });
      expect(sent.status).toBe(200);
      await waitForFile(out, `run ${run}`);
      await stopCleanly(r, join(dir, 'data'));
    }
    // The window between the port opening and the queues being in place was seen, and answered 503.
    expect(starting).toBeGreaterThan(0);

    const without: number[] = [];
    for (let run = 0; run < 5; run++) {
      const dir = tempDir('ready-bare');
      const { r, ms } = await firstHealthy({}, dir, async () => undefined);
      without.push(ms);
      await stopCleanly(r, dir);
    }
    console.log(
      `launch to first 200 on /health: with the 30-queue config ${summary(withConfig)}; without a config ${summary(without)}; ` +
        `503 "starting" answers seen with the config: ${starting}`,
    );
  }, 90_000);
});

describe('a reset with a configuration file', () => {
  it('creates the configured queues again, empty, before it answers; the pollers go on', async () => {
    const dir = tempDir('reset');
    const out = join(dir, 'handled.txt');
    const r = launch(await freePort(), { DATA_DIR: join(dir, 'data'), REDSQS_CONFIG: writeConfig(dir, out) });
    running.add(r);
    await pollUntil(`${r.url}/health`, isOk);
    const kept = `${r.url}/000000000000/ready-3`;
    expect((await sqsCall(r.url, 'SendMessage', { QueueUrl: kept, MessageBody: 'before' })).status).toBe(200);

    const reset = await fetch(`${r.url}/_redsqs/reset`, { method: 'POST' });
    expect(await reset.json()).toEqual({ deletedQueues: queueDefs().length });
    await expectAllQueues(r.url);
    const left = await sqsCall(r.url, 'ReceiveMessage', { QueueUrl: kept, WaitTimeSeconds: 0 });
    expect(left.body.Messages ?? []).toEqual([]);

    const mapped = `${r.url}/000000000000/ready-1`;
    await sqsCall(r.url, 'SendMessage', { QueueUrl: mapped, MessageBody: 'after the reset' });
    const until = performance.now() + 8_000;
    while (!(existsSync(out) && readFileSync(out, 'utf8').includes('after the reset'))) {
      if (performance.now() > until) throw new Error(`the poller did not go on after the reset:\n${r.output()}`);
      await sleep(20);
    }
    expect(r.output()).not.toMatch(/ERROR/);
  }, 30_000);
});

describe('a signal at any moment of the start', () => {
  type Phase = 'before redis' | 'starting service' | 'creating queues' | 'ready';
  const phaseOf = (out: string): Phase =>
    /ready in \d+ ms/.test(out)
      ? 'ready'
      : /listening on/.test(out)
        ? 'creating queues'
        : /started redis-server/.test(out)
          ? 'starting service'
          : 'before redis';

  /** A moment of the start: ms after launch, or ms after a line of its output. */
  type Moment = number | { line: RegExp; plus: number };
  const describeMoment = (m: Moment) => (typeof m === 'number' ? `${m}` : `${m.line.source}+${m.plus}`);

  /** One start interrupted at `when`: exits within the deadline, leaving nothing running. */
  async function interrupt(signal: NodeJS.Signals, when: Moment): Promise<{ phase: Phase; note: string }> {
    const dir = tempDir('interrupt');
    const dataDir = join(dir, 'data');
    const config = writeConfig(dir, join(dir, 'handled.txt'));
    const r = launch(await freePort(), {
      DATA_DIR: dataDir,
      REDSQS_CONFIG: config,
      REDSQS_SHUTDOWN_TIMEOUT_SECONDS: '5',
    });
    running.add(r);
    if (typeof when === 'number') await sleep(Math.max(0, when - (performance.now() - r.startedAt)));
    else {
      await r.waitFor(when.line);
      await sleep(when.plus);
    }
    const children = childrenOf(r.pid);
    const sentAt = performance.now();
    r.child.kill(signal);
    const exit = await r.exited;
    running.delete(r);
    const out = r.output();
    const phase = phaseOf(out);
    const what = `${signal} at ${describeMoment(when)} ms (${phase}):\n${out}`;
    expect(exit.at - sentAt, what).toBeLessThan(5_500);
    // What was there to undo: a child (redis-server) at the signal, or nothing handled it yet.
    let note = children.length > 0 ? 'with a child' : 'no child';
    if (exit.code !== 0) {
      note = 'default action';
      // Only before the handlers exist (node still loading the modules): the default action, with
      // nothing started yet.
      expect(exit.signal, what).toBe(signal);
      expect(phase, what).toBe('before redis');
      expect(children, what).toEqual([]);
    } else if (!out.includes('shutting down')) {
      // main.ts's first handlers, while the modules load: nothing is started yet, so it just exits.
      note = 'while loading';
      expect(phase, what).toBe('before redis');
      expect(children, what).toEqual([]);
    } else expect(out, what).toMatch(new RegExp(`${signal}: shutting down`));
    // Nothing outlives it: not its redis-server, not any child it had at the signal.
    expect(redisServersIn(dataDir), what).toEqual([]);
    for (const pid of children) expect(await gone(pid, 0), `${what}\nchild ${pid} still running`).toBe(true);
    return { phase, note };
  }

  it('SIGTERM at 21 moments of the start, SIGINT at 4: exits in time, no process left', async () => {
    const median = (xs: number[], fallback: number) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? fallback;
    const redisAt = median(seen.redis, 250);
    // 14 moments spread over the whole start (0-700 ms); one aimed just before redis-server starts,
    // two right after it answered (the service connecting), three at the port opening (the
    // configured queues being created), one right after the start ends (on a busy machine the
    // start may outlast the 700 ms).
    const moments: Moment[] = [
      ...Array.from({ length: 14 }, (_, i) => Math.round(i * 50 + Math.random() * 50)),
      Math.round(redisAt * 0.9),
      ...[0, 5].map((plus) => ({ line: /started redis-server/, plus })),
      ...[0, 15, 30].map((plus) => ({ line: /listening on/, plus })),
      { line: /ready in \d+ ms/, plus: 0 },
    ];
    const phases: Record<string, number> = {};
    for (const when of moments) {
      const { phase, note } = await interrupt('SIGTERM', when);
      phases[phase] = (phases[phase] ?? 0) + 1;
      phases[`${phase}, ${note}`] = (phases[`${phase}, ${note}`] ?? 0) + 1;
    }
    for (const when of [50, 280, { line: /listening on/, plus: 10 }, 700]) await interrupt('SIGINT', when);
    console.log(
      `SIGTERM at ${moments.map(describeMoment).join(', ')} ms after launch landed: ${JSON.stringify(phases)} ` +
        `(redis-server line seen ${Math.round(redisAt)} ms after launch)`,
    );
    expect(phases['before redis'] ?? 0).toBeGreaterThan(0);
    expect(phases['creating queues'] ?? 0).toBeGreaterThan(0);
    expect(phases.ready ?? 0).toBeGreaterThan(0);
  }, 90_000);
});

describe('a bad configuration file', () => {
  function writeBad(dir: string, content: object): string {
    writeFileSync(join(dir, 'other.mjs'), 'export const other = async () => undefined;\n');
    const path = join(dir, 'bad.config.json');
    writeFileSync(path, JSON.stringify(content));
    return path;
  }

  const cases: { name: string; file: object; says: string[] }[] = [
    {
      name: 'a bad attribute value',
      file: { queues: [{ QueueName: 'fine' }, { QueueName: 'too-long', Attributes: { VisibilityTimeout: '99999' } }] },
      says: ['queues[1] (too-long)', 'VisibilityTimeout'],
    },
    { name: 'a bad queue name', file: { queues: [{ QueueName: 'no spaces allowed' }] }, says: ['queues[0]'] },
    {
      name: 'a missing handler module',
      file: { functions: [{ FunctionName: 'f', Handler: 'nowhere.handler' }] },
      says: ['functions[0].Handler', 'no module'],
    },
    {
      name: 'a handler module without the export',
      file: { functions: [{ FunctionName: 'f', Handler: 'other.handler' }] },
      says: ['functions[0].Handler', 'no exported function "handler"'],
    },
  ];

  it.each(cases)('$name: exits 2 naming the field, before the port opens', async ({ file, says }) => {
    const dir = tempDir('bad');
    const path = writeBad(dir, file);
    const { r, exit, answers } = await launchToExit({ DATA_DIR: join(dir, 'data'), REDSQS_CONFIG: path });
    expect(exit.code).toBe(2);
    for (const text of says) expect(r.output()).toContain(text);
    expect(r.output()).toContain(path);
    expect(r.output()).not.toContain('listening');
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.filter((a) => a !== 'refused')).toEqual([]);
    // Checked before anything started: no redis-server was ever spawned for it.
    expect(existsSync(join(dir, 'data', 'redis.json'))).toBe(false);
  });
});

/** Launches a start that must fail, polling /health every 5 ms until it exits: what it answered. */
async function launchToExit(env: Record<string, string>) {
  const r = launch(await freePort(), env);
  running.add(r);
  const answers: Answer[] = [];
  const polling = pollUntil(
    `${r.url}/health`,
    (a) => {
      answers.push(a);
      return r.child.exitCode !== null;
    },
    { every: 5 },
  );
  const exit = await r.exited;
  running.delete(r);
  await polling;
  return { r, exit, answers };
}

describe('without redis-server on PATH', () => {
  // The service's modules load while redis-server starts: a redis-server that cannot start must
  // still stop the start before the port opens, and say what to install.
  it('exits 1 with the install hint; the port never opens', async () => {
    const dir = tempDir('no-redis');
    const { r, exit, answers } = await launchToExit({ DATA_DIR: join(dir, 'data'), PATH: join(dir, 'empty') });
    expect(exit.code, r.output()).toBe(1);
    expect(r.output()).toContain('redis-server was not found on PATH');
    expect(r.output()).not.toContain('listening');
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.filter((a) => a !== 'refused')).toEqual([]);
  });
});

describe('the command line', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [MAIN.pathname, ...args], { encoding: 'utf8' });

  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const r = run('--version');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`redsqs ${version}\n`);
  });

  it('refuses an unknown flag, and a flag without its value', () => {
    const unknown = run('--bogus', '1');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown flag --bogus');
    const bare = run('--port');
    expect(bare.status).toBe(2);
    expect(bare.stderr).toContain('--port needs a value');
  });
});
