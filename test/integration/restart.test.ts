/**
 * A restart after `kill -9`: the built process finds the redis-server its predecessor left running
 * in the data directory, takes it over (same pid, same data) and is healthy within a second; a
 * later SIGTERM stops that redis-server too. A leftover that does not serve the directory is
 * stopped instead, and a start aborted while redis-server comes up leaves none behind (both at the
 * level of src/embedded-redis.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedRedis } from '../../src/embedded-redis.js';
import { createLogger } from '../../src/log.js';
import {
  alive,
  cleanUp,
  freePort,
  launch,
  launchScope,
  pollUntil,
  redisServersIn,
  sleep,
  sqsCall,
} from '../helpers/launch.js';
import { requireBuild } from '../helpers/process.js';

const { running, dirs, tempDir } = launchScope();
const strays = new Set<ChildProcess>();

const isOk = (a: unknown): boolean => typeof a === 'object' && a !== null && (a as { status: number }).status === 200;

beforeAll(() => requireBuild());
afterAll(async () => {
  for (const c of strays) c.kill('SIGKILL');
  await cleanUp(running, dirs);
});

describe('restart after SIGKILL', () => {
  it('takes over the leftover redis-server: healthy within 1 s, same pid, same data (3 kills)', async () => {
    const dataDir = tempDir('restart');
    let r = launch(await freePort(), { DATA_DIR: dataDir });
    running.add(r);
    await pollUntil(`${r.url}/health`, isOk);
    expect((await sqsCall(r.url, 'CreateQueue', { QueueName: 'kept' })).status).toBe(200);
    const sent = await sqsCall(r.url, 'SendMessage', { QueueUrl: `${r.url}/000000000000/kept`, MessageBody: 'kept' });
    expect(sent.status).toBe(200);
    const redisPid = Number(readFileSync(join(dataDir, 'redis.pid'), 'utf8'));
    const times: number[] = [];
    for (let kill = 0; kill < 3; kill++) {
      r.child.kill('SIGKILL');
      await r.exited;
      running.delete(r);
      expect(alive(redisPid)).toBe(true); // left behind, as after any kill -9

      r = launch(await freePort(), { DATA_DIR: dataDir });
      running.add(r);
      const next = r;
      const { at } = await pollUntil(`${r.url}/health`, (a) => {
        if (next.child.exitCode !== null) throw new Error(`exited:\n${next.output()}`);
        return isOk(a);
      });
      times.push(at - r.startedAt);
      expect(r.output()).toContain(`took over redis-server ${redisPid}`);
      expect(r.output()).not.toContain('started redis-server');
      expect(Number(readFileSync(join(dataDir, 'redis.pid'), 'utf8'))).toBe(redisPid);
      expect(redisServersIn(dataDir)).toEqual([redisPid]);
      // The message is still there (received, then made visible again for the next round).
      const got = await sqsCall(r.url, 'ReceiveMessage', {
        QueueUrl: `${r.url}/000000000000/kept`,
        WaitTimeSeconds: 1,
      });
      const messages = (got.body.Messages ?? []) as { Body: string; ReceiptHandle: string }[];
      expect(messages.map((m) => m.Body)).toEqual(['kept']);
      const back = await sqsCall(r.url, 'ChangeMessageVisibility', {
        QueueUrl: `${r.url}/000000000000/kept`,
        ReceiptHandle: messages[0]?.ReceiptHandle,
        VisibilityTimeout: 0,
      });
      expect(back.status).toBe(200);
    }

    const termAt = performance.now();
    r.child.kill('SIGTERM');
    const exit = await r.exited;
    running.delete(r);
    expect(exit.code).toBe(0);
    expect(alive(redisPid)).toBe(false); // stopped before redsqs exited, not merely signalled
    expect(redisServersIn(dataDir)).toEqual([]);
    console.log(
      `restart after SIGKILL, launch to /health 200: ${times.map(Math.round).join(', ')} ms (redis-server ${redisPid} taken over each time); ` +
        `SIGTERM then stopped it and exited in ${Math.round(exit.at - termAt)} ms`,
    );
    // Within a second; a machine busy with other tests may slow one start down, not all three.
    expect([...times].sort((a, b) => a - b)[1]).toBeLessThan(1_000);
    expect(Math.max(...times)).toBeLessThan(2_000);
    // Stopping the taken-over redis-server (not its child) does not wait for init to reap it.
    expect(exit.at - termAt).toBeLessThan(1_000);
  });
});

describe('src/embedded-redis.ts with a leftover or an abort', () => {
  const lines: string[] = [];
  const log = createLogger('info', (l) => lines.push(l));

  /** A redis-server serving `servesDir`, recorded in `dataDir` as its predecessor's would be. */
  async function leftover(dataDir: string, servesDir: string, recordedPort?: number): Promise<number> {
    const port = await freePort();
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', servesDir, '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore', detached: true },
    );
    strays.add(child);
    const pid = child.pid as number;
    writeFileSync(join(dataDir, 'redis.pid'), `${pid}\n`);
    writeFileSync(join(dataDir, 'redis.json'), JSON.stringify({ pid, port: recordedPort ?? port, persistence: true }));
    const until = performance.now() + 5_000;
    while (redisServersIn(servesDir).length === 0) {
      if (performance.now() > until) throw new Error('the leftover redis-server did not start');
      await sleep(10);
    }
    return pid;
  }

  it.each([
    ['its record names another port', true],
    ['it serves another directory', false],
  ])('stops a leftover rather than take it over when %s', async (_, wrongPort) => {
    const dataDir = tempDir('leftover');
    const elsewhere = tempDir('elsewhere');
    const oldPid = await leftover(dataDir, wrongPort ? dataDir : elsewhere, wrongPort ? await freePort() : undefined);
    const embedded = await startEmbeddedRedis({ dataDir, log });
    try {
      expect(embedded.pid).not.toBe(oldPid);
      expect(alive(oldPid)).toBe(false);
      expect(lines.join('')).toContain(`stopping redis-server ${oldPid}`);
      expect(redisServersIn(dataDir)).toEqual([embedded.pid]);
      expect(Number(readFileSync(join(dataDir, 'redis.pid'), 'utf8'))).toBe(embedded.pid);
    } finally {
      await embedded.stop();
    }
    expect(redisServersIn(dataDir)).toEqual([]);
  });

  it('an abort while redis-server comes up stops it and rejects', async () => {
    const dataDir = tempDir('abort');
    const controller = new AbortController();
    // redis.json is written right after the spawn, before redis-server answers: abort then.
    const watcher = watch(dataDir, (_, name) => {
      if (name === 'redis.json') controller.abort();
    });
    try {
      const error = await startEmbeddedRedis({ dataDir, log, signal: controller.signal }).then(
        (e) => e.stop().then(() => new Error('started although aborted')),
        (err: unknown) => err as Error,
      );
      expect(error.name).toBe('AbortError');
    } finally {
      watcher.close();
    }
    expect(existsSync(join(dataDir, 'redis.json'))).toBe(true); // it did spawn one
    expect(redisServersIn(dataDir)).toEqual([]);
    expect(existsSync(join(dataDir, 'redsqs.pid'))).toBe(false);
  });
});
