/**
 * Setup file of the `unit` project (vitest.config.ts): unit tests use no Redis. Making an ioredis
 * connection or starting a redis-server throws at once, so a unit test that would need Redis fails
 * loudly here instead of passing only where redis-server happens to be installed. Such a test
 * belongs in test/store or test/integration.
 */
import { vi } from 'vitest';

export const NO_REDIS =
  'unit tests run without Redis (test/helpers/no-redis.ts); move this test to test/store or test/integration';

vi.mock('ioredis', async (importOriginal) => {
  const real = await importOriginal<typeof import('ioredis')>();
  class NoRedis {
    constructor() {
      throw new Error(NO_REDIS);
    }
  }
  class NoCluster {
    constructor() {
      throw new Error(NO_REDIS);
    }
  }
  return { ...real, default: NoRedis, Redis: NoRedis, Cluster: NoCluster };
});

vi.mock('node:child_process', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:child_process')>();
  const refuse = <F extends (command: string, ...rest: never[]) => unknown>(fn: F): F =>
    ((command: string, ...rest: never[]) => {
      if (/(^|\/)redis-(server|cli)$/.test(command)) throw new Error(NO_REDIS);
      return fn(command, ...rest);
    }) as F;
  return {
    ...real,
    spawn: refuse(real.spawn),
    execFile: refuse(real.execFile),
    spawnSync: refuse(real.spawnSync),
    execFileSync: refuse(real.execFileSync),
  };
});
