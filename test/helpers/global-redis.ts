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
  const port = await freePort();
  child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  await new Promise<void>((done, fail) => {
    child?.once('spawn', done);
    child?.once('error', (err) =>
      fail(new Error(`cannot start redis-server for the tests (${err.message}); run scripts/setup.sh`)),
    );
  });
  const { Redis } = await import('ioredis');
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: (n) => (n > 100 ? null : 50) });
  await probe.connect();
  await probe.quit();
  project.provide('redisUrl', `redis://127.0.0.1:${port}`);
}

export async function teardown(): Promise<void> {
  child?.kill('SIGTERM');
}
