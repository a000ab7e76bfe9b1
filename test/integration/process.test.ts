/**
 * The real process, as `npm start` runs it: embedded redis-server with append-only persistence,
 * health, clean shutdown on SIGTERM (open long polls answered, Redis child stopped) and messages
 * that survive a restart on the same data directory.
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { sqsClient } from '../helpers/clients.js';
import { type RunningService, requireBuild, runToExit, startProcess, stopProcess } from '../helpers/process.js';

/** Processes this file started: stopped in afterAll if a failed assertion left one running. */
const running = new Set<RunningService>();
const start = async (dataDir: string) => {
  const r = await startProcess({ DATA_DIR: dataDir, REDIS_URL: '' });
  running.add(r);
  return r;
};
const stop = (r: RunningService) => {
  running.delete(r);
  return stopProcess(r.child);
};

function processGroup(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let dataDir: string;
beforeAll(() => {
  requireBuild();
  dataDir = mkdtempSync(join(tmpdir(), 'redsqs-process-'));
});
afterAll(async () => {
  // SIGTERM, so that each stops its own redis-server too.
  for (const r of running) if (r.child.exitCode === null) await stopProcess(r.child);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the redsqs process', () => {
  it('serves health, keeps messages across a restart and shuts down cleanly', async () => {
    const first = await start(dataDir);
    const health = await fetch(`${first.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', redis: 'up', pid: first.child.pid, version: VERSION });

    const sqs = sqsClient('json', first.url);
    const { QueueUrl } = await sqs.createQueue({ QueueName: 'durable' });
    await sqs.sendMessage({
      QueueUrl,
      MessageBody: 'survives',
      MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } },
    });

    const empty = await sqs.createQueue({ QueueName: 'empty' });
    const started = Date.now();
    const poll = sqs.receiveMessage({ QueueUrl: empty.QueueUrl, WaitTimeSeconds: 20 });
    await new Promise((r) => setTimeout(r, 200));
    const redisPid = Number(readFileSync(join(dataDir, 'redis.pid'), 'utf8'));
    expect(alive(redisPid)).toBe(true);
    // redis-server has its own process group: a terminal's Ctrl-C reaches redsqs, which stops Redis last.
    expect(processGroup(redisPid)).not.toBe(processGroup(first.child.pid as number));

    const code = await stop(first);
    expect(code).toBe(0);
    expect((await poll).Messages ?? []).toEqual([]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(alive(redisPid)).toBe(false);
    expect(first.output()).toContain('stopped');

    const second = await start(dataDir);
    try {
      const again = sqsClient('json', second.url);
      const url = (await again.getQueueUrl({ QueueName: 'durable' })).QueueUrl;
      const { Messages } = await again.receiveMessage({ QueueUrl: url, MessageAttributeNames: ['All'] });
      expect(Messages?.[0]?.Body).toBe('survives');
      expect(Messages?.[0]?.MessageAttributes?.k?.StringValue).toBe('v');
    } finally {
      expect(await stop(second)).toBe(0);
    }
  });

  it('refuses a bad configuration with a clear message', async () => {
    const { code, stderr } = await runToExit({ PORT: 'abc' });
    expect(code).toBe(2);
    expect(stderr).toContain('PORT must be an integer');
  });
});
