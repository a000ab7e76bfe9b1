/** Starts the real service on an ephemeral port against the test Redis, under a unique key prefix. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, inject } from 'vitest';
import { type Config, DEFAULTS } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { type Service, startService } from '../../src/service.js';

export interface TestService {
  service: Service;
  url: string;
  config: Config;
  redis: Redis;
  close(): Promise<void>;
}

export async function startTestService(
  overrides: Partial<Config> = {},
  now?: () => number,
  background = true,
): Promise<TestService> {
  const redisUrl = inject('redisUrl');
  const config: Config = {
    ...DEFAULTS,
    port: 0,
    host: '127.0.0.1',
    keyPrefix: `test-${randomUUID().slice(0, 8)}`,
    logLevel: 'warn',
    ...overrides,
  };
  const service = await startService({
    config,
    redisUrl,
    // Readable lines through process.stderr.write, where tests may watch for warnings.
    log: createLogger(config.logLevel, { format: 'pretty', write: (line) => process.stderr.write(line) }),
    background,
    ...(now ? { now } : {}),
  });
  const redis = new Redis(redisUrl);
  return {
    service,
    url: service.url,
    config,
    redis,
    async close() {
      await service.close();
      await deleteKeysOf(redis, config.keyPrefix);
      await redis.quit();
    },
  };
}

/** Starts a service before the file's tests and stops it after; call the result for the service. */
export function useTestService(...args: Parameters<typeof startTestService>): () => TestService {
  let svc: TestService | undefined;
  beforeAll(async () => {
    svc = await startTestService(...args);
  });
  afterAll(async () => {
    await svc?.close();
  });
  return () => {
    if (!svc) throw new Error('the test service is not started yet');
    return svc;
  };
}

/** Two instances on one Redis and one key prefix, as several redsqs serve the same queues. */
export async function startTwoInstances(): Promise<{ a: TestService; b: TestService; close(): Promise<void> }> {
  const a = await startTestService();
  const b = await startTestService({ keyPrefix: a.config.keyPrefix });
  return {
    a,
    b,
    async close() {
      // b's keys are a's: a's close removes them.
      await b.service.close();
      await b.redis.quit();
      await a.close();
    },
  };
}

/** Deletes a test's keys by their prefix (never FLUSHALL: other test files share the Redis). */
export async function deleteKeysOf(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}
