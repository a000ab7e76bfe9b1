/**
 * The global setup of the `redis` project (store and integration tests, vitest.config.ts): starts
 * one throwaway redis-server (no persistence) for the run, unless REDIS_URL points at one already.
 * Vitest runs it only when a file of that project is part of the run, so the unit tests need no
 * redis-server. Tests isolate themselves with their own key prefixes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { freePort } from './launch.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

let child: ChildProcess | undefined;

export async function setup(project: TestProject): Promise<void> {
  if (process.env.REDIS_URL) {
    project.provide('redisUrl', process.env.REDIS_URL);
    return;
  }
  // A free port can be taken by another process before redis-server binds it: then try another.
  let last = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const started = await startOn(port);
    if (started === true) {
      project.provide('redisUrl', `redis://127.0.0.1:${port}`);
      return;
    }
    last = started;
  }
  throw new Error(`cannot start redis-server for the tests: ${last}`);
}

/** True once redis-server answers on `port`, else why not (its own output included). */
async function startOn(port: number): Promise<true | string> {
  let output = '';
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  server.stdout?.on('data', (c: Buffer) => {
    output = (output + c.toString()).slice(-4_000);
  });
  server.stderr?.on('data', (c: Buffer) => {
    output = (output + c.toString()).slice(-4_000);
  });
  const exited = new Promise<string>((done) => server.once('exit', (code) => done(`exited (${code}): ${output}`)));
  const spawned = await new Promise<true | string>((done) => {
    server.once('spawn', () => done(true));
    server.once('error', (err) => done(`${err.message}; run scripts/setup.sh`));
  });
  if (spawned !== true) return spawned;
  const { Redis } = await import('ioredis');
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: (n) => (n > 100 ? null : 50) });
  probe.on('error', () => undefined); // retried above; the outcome is what counts
  const answered = probe.connect().then(
    () => true as const,
    (err: Error) => `no answer on port ${port}: ${err.message}; ${output}`,
  );
  const outcome = await Promise.race([answered, exited]);
  probe.disconnect();
  if (outcome === true) {
    child = server;
    // Its output is no longer needed; keep the pipes from filling.
    server.stdout?.resume();
    server.stderr?.resume();
    return true;
  }
  server.kill('SIGKILL');
  return outcome;
}

export async function teardown(): Promise<void> {
  child?.kill('SIGTERM');
}
