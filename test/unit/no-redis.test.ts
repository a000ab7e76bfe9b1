/**
 * Unit tests use no Redis (vitest.config.ts, project `unit`): no redis-server is started for them,
 * and the setup file test/helpers/no-redis.ts makes every way to reach Redis throw.
 */
import { spawn } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';
import { connectRedis } from '../../src/store/connect.js';
import config from '../../vitest.config.js';
import { NO_REDIS } from '../helpers/no-redis.js';

/** The inline project of vitest.config.ts with this name. */
function project(name: string): { globalSetup?: unknown; setupFiles?: unknown; include?: string[] } {
  const found = (config.test?.projects ?? []).find(
    (p) => typeof p === 'object' && 'test' in p && p.test?.name === name,
  );
  if (typeof found !== 'object' || !('test' in found) || !found.test) throw new Error(`no project ${name}`);
  return found.test as { globalSetup?: unknown; setupFiles?: unknown; include?: string[] };
}

describe('unit tests without Redis', () => {
  it('are a project with no global setup, in a config whose root has none (Vitest runs that for every run)', () => {
    expect(config.test?.globalSetup).toBeUndefined();
    expect(project('unit')).toMatchObject({
      include: ['test/unit/**/*.test.ts'],
      setupFiles: ['test/helpers/no-redis.ts'],
    });
    expect(project('unit').globalSetup).toBeUndefined();
    expect(project('redis').globalSetup).toEqual(['test/helpers/global-redis.ts']);
  });

  it('get no Redis URL from a global setup', () => {
    expect(inject('redisUrl')).toBeUndefined();
  });

  it('cannot connect to Redis, alone or as a cluster', () => {
    expect(() => connectRedis('redis://127.0.0.1:6379')).toThrow(NO_REDIS);
    expect(() => connectRedis(['127.0.0.1:7000'])).toThrow(NO_REDIS);
  });

  it('cannot start a redis-server', () => {
    expect(() => spawn('redis-server', ['--version'])).toThrow(NO_REDIS);
    expect(() => spawn('/usr/bin/redis-server', ['--version'])).toThrow(NO_REDIS);
  });
});
