/**
 * The real process with `--workers 2`: one primary with the embedded redis-server, two worker
 * processes sharing one port. Requests reach both workers, a long poll on one is woken by a send
 * through the other, a worker that dies is replaced, and SIGTERM answers open long polls and
 * leaves no process behind; so does a primary killed outright.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sqsClient } from '../helpers/clients.js';
import { getOn, pinnedClient as pinnedOn } from '../helpers/pinned.js';
import { type RunningService, requireBuild, runToExit, startProcess, stopProcess } from '../helpers/process.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Running, and not merely a zombie: an orphan exits at once but is reaped when init gets to it. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function gone(pid: number, ms = 5_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (alive(pid) && Date.now() < until) await sleep(50);
  return !alive(pid);
}

function parentOf(pid: number): number {
  return Number(/^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
}

/** GET /health, on `agent`'s pooled connection or, without one, on a connection of its own. */
async function health(url: string, agent: Agent | false = false): Promise<{ status: string; pid: number }> {
  return JSON.parse((await getOn(url, '/health', agent)).body);
}

const pinnedClient = (url: string) => pinnedOn(url, new Agent({ keepAlive: true, maxSockets: 1 }));

/** The worker pids the primary names in its "listening" line. */
function workerPids(r: RunningService): number[] {
  const m = /listening on .*\(2 workers: pids (\d+), (\d+);/.exec(r.output());
  if (!m) throw new Error(`no worker pids in:\n${r.output()}`);
  return [Number(m[1]), Number(m[2])];
}

const startWorkers = (dataDir: string) => startProcess({ DATA_DIR: dataDir, REDIS_URL: '' }, ['--workers', '2']);

let dataDir: string;
let running: RunningService | undefined;
const agents: Agent[] = [];
beforeAll(() => {
  requireBuild();
  dataDir = mkdtempSync(join(tmpdir(), 'redsqs-workers-'));
});
afterEach(async () => {
  for (const a of agents.splice(0)) a.destroy();
  if (running) await stopProcess(running.child);
  running = undefined;
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('redsqs --workers 2', () => {
  it('serves from two workers on one port, wakes long polls across them and stops cleanly', async () => {
    const r = await startWorkers(dataDir);
    running = r;
    const primary = r.child.pid as number;
    const workers = workerPids(r);
    expect(new Set(workers).size).toBe(2);
    for (const pid of workers) expect(parentOf(pid)).toBe(primary);
    expect(r.output()).toMatch(/INFO \[w1\] worker ready/);
    expect(r.output()).toMatch(/INFO \[w2\] worker ready/);
    const redisPid = Number(readFileSync(join(dataDir, 'redis.pid'), 'utf8'));

    // The SQS basics, through whichever worker the SDK's connections reach.
    const sqs = sqsClient('json', r.url);
    const { QueueUrl } = await sqs.createQueue({ QueueName: 'shared' });
    await sqs.sendMessage({ QueueUrl, MessageBody: 'hello' });
    const [message] = (await sqs.receiveMessage({ QueueUrl, WaitTimeSeconds: 1 })).Messages ?? [];
    expect(message?.Body).toBe('hello');
    await sqs.deleteMessage({ QueueUrl, ReceiptHandle: message?.ReceiptHandle });

    // Each new connection goes to a worker; both workers answer.
    const answered = await Promise.all(Array.from({ length: 12 }, () => health(r.url)));
    expect(answered.every((h) => h.status === 'ok')).toBe(true);
    expect(new Set(answered.map((h) => h.pid))).toEqual(new Set(workers));

    // Two clients pinned to different workers: a send on one wakes a long poll on the other.
    const first = await pinnedClient(r.url);
    agents.push(first.agent);
    let second = await pinnedClient(r.url);
    agents.push(second.agent);
    for (let i = 0; second.pid === first.pid && i < 10; i++) {
      second = await pinnedClient(r.url);
      agents.push(second.agent);
    }
    expect(second.pid).not.toBe(first.pid);
    const { QueueUrl: wakeUrl } = await first.sqs.createQueue({ QueueName: 'wake' });
    const started = Date.now();
    const polled = first.sqs.receiveMessage({ QueueUrl: wakeUrl, WaitTimeSeconds: 10 });
    await sleep(300);
    await second.sqs.sendMessage({ QueueUrl: wakeUrl, MessageBody: 'from the other worker' });
    expect((await polled).Messages?.[0]?.Body).toBe('from the other worker');
    expect(Date.now() - started).toBeLessThan(3_000);
    // Still the same connection, so the poll was indeed served by the first worker.
    expect((await health(r.url, first.agent)).pid).toBe(first.pid);

    // SIGTERM: the open long poll is answered, then workers and redis-server are gone.
    const { QueueUrl: emptyUrl } = await first.sqs.createQueue({ QueueName: 'empty' });
    const stopStarted = Date.now();
    const open = first.sqs.receiveMessage({ QueueUrl: emptyUrl, WaitTimeSeconds: 20 });
    await sleep(300);
    expect(await stopProcess(r.child)).toBe(0);
    running = undefined;
    expect((await open).Messages ?? []).toEqual([]);
    expect(Date.now() - stopStarted).toBeLessThan(10_000);
    for (const pid of [...workers, redisPid]) expect(alive(pid), `pid ${pid} is still running`).toBe(false);
    expect(r.output()).toContain('SIGTERM: shutting down');
    expect(r.output()).toContain('stopped');
  });

  it('workers leave SIGINT and SIGTERM to the primary, which stops everything in order', async () => {
    const r = await startWorkers(dataDir);
    running = r;
    const workers = workerPids(r);
    // As a whole-group signal (Ctrl-C) reaches them too: they go on serving until the primary says.
    for (const pid of workers) {
      process.kill(pid, 'SIGINT');
      process.kill(pid, 'SIGTERM');
    }
    await sleep(500);
    for (const pid of workers) expect(alive(pid)).toBe(true);
    const answered = await Promise.all(Array.from({ length: 12 }, () => health(r.url)));
    expect(new Set(answered.map((h) => h.pid))).toEqual(new Set(workers));
    expect(r.output()).not.toMatch(/unexpectedly/);
    expect(await stopProcess(r.child, 'SIGINT')).toBe(0);
    running = undefined;
    for (const pid of workers) expect(await gone(pid)).toBe(true);
    expect(r.output()).toContain('SIGINT: shutting down');
  });

  it('replaces a worker that dies, and workers exit when the primary is killed', async () => {
    const r = await startWorkers(dataDir);
    running = r;
    const [victim, survivor] = workerPids(r) as [number, number];
    process.kill(victim, 'SIGKILL');
    let replacement: number | undefined;
    for (let i = 0; i < 100 && replacement === undefined; i++) {
      await sleep(100);
      const m =
        /ERROR worker w\d \(pid (\d+)\) was killed by SIGKILL unexpectedly; started worker w3 \(pid (\d+)\)/.exec(
          r.output(),
        );
      if (m && /\[w3\] worker ready/.test(r.output())) {
        expect(Number(m[1])).toBe(victim);
        replacement = Number(m[2]);
      }
    }
    expect(replacement, r.output()).toBeDefined();
    const answered = await Promise.all(Array.from({ length: 12 }, () => health(r.url)));
    expect(new Set(answered.map((h) => h.pid))).toEqual(new Set([survivor, replacement]));

    // The primary killed outright cannot stop anything: its workers notice and exit on their own.
    const redisPid = Number(readFileSync(join(dataDir, 'redis.pid'), 'utf8'));
    await stopProcess(r.child, 'SIGKILL');
    running = undefined;
    expect(await gone(survivor)).toBe(true);
    expect(await gone(replacement as number)).toBe(true);
    // Its redis-server stays (the next start on this directory stops it); this test stops it.
    if (alive(redisPid)) process.kill(redisPid, 'SIGTERM');
    expect(await gone(redisPid)).toBe(true);
  });

  it.each([
    [['--workers', '0'], {}],
    [['--workers', 'abc'], {}],
    [[], { REDSQS_WORKERS: '1.5' }],
  ])('refuses workers %j %j with exit code 2', async (args, env) => {
    const { code, stderr } = await runToExit({ PORT: '0', ...env }, args);
    expect(code).toBe(2);
    expect(stderr).toMatch(/REDSQS_WORKERS \(--workers\) must be "auto" or an integer from 1 to \d+, got "/);
  });
});
