/**
 * `npm start`: npm runs the script through a shell; the script execs node, so the signal npm
 * forwards reaches redsqs, which stops cleanly and takes its redis-server with it. (Without the
 * exec, killing npm left node and redis-server running.)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { alive, freePort, gone, sleep } from '../helpers/launch.js';
import { requireBuild } from '../helpers/process.js';

const dir = mkdtempSync(join(tmpdir(), 'redsqs-npm-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await sleep(20);
  }
  return check();
}

it('a SIGTERM to `npm start` stops redsqs and its redis-server', async () => {
  requireBuild();
  const port = await freePort();
  const npm = spawn('npm', ['start', '--silent'], {
    cwd: new URL('../../', import.meta.url),
    env: { ...process.env, PORT: String(port), DATA_DIR: dir, LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
  let health: { pid?: number } = {};
  const ready = await until(async () => {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      health = (await res.json()) as { pid?: number };
      return res.status === 200;
    } catch {
      return false;
    }
  }, 20_000);
  expect(ready).toBe(true);
  const node = health.pid as number;
  const redis = Number(readFileSync(join(dir, 'redis.pid'), 'utf8'));
  expect(node).not.toBe(npm.pid);
  expect(alive(node) && alive(redis)).toBe(true);

  npm.kill('SIGTERM');
  await exited;
  expect(await gone(node, 10_000)).toBe(true);
  expect(await gone(redis, 5_000)).toBe(true);
}, 40_000);

it('a Ctrl-C to the terminal (SIGINT to the whole process group) stops it cleanly, not as a second signal', async () => {
  requireBuild();
  const port = await freePort();
  const data = mkdtempSync(join(tmpdir(), 'redsqs-npm-group-'));
  // Its own process group, as a terminal's foreground job: npm, the shell npm runs and node.
  const npm = spawn('npm', ['start', '--silent'], {
    cwd: new URL('../../', import.meta.url),
    env: { ...process.env, PORT: String(port), DATA_DIR: data, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  npm.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  npm.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
  try {
    expect(await until(async () => /ready in/.test(output), 20_000)).toBe(true);
    const redis = Number(readFileSync(join(data, 'redis.pid'), 'utf8'));
    // The terminal signals every process of the group; npm forwards the signal to node as well.
    process.kill(-(npm.pid as number), 'SIGINT');
    await exited;
    expect(await until(async () => /\bstopped\b/.test(output), 10_000), output).toBe(true);
    expect(output).toContain('SIGINT: shutting down');
    expect(output).not.toContain('again: exiting now');
    expect(await gone(redis, 5_000)).toBe(true);
  } finally {
    if (npm.exitCode === null) process.kill(-(npm.pid as number), 'SIGKILL');
    rmSync(data, { recursive: true, force: true });
  }
}, 40_000);
