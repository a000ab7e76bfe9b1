/**
 * Starts one throwaway redis-server (no persistence) for the whole test run, unless REDIS_URL
 * points at one already. Tests isolate themselves with their own key prefixes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => done(typeof a === 'object' && a ? a.port : 0));
    });
  });
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
