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
    log: createLogger(config.logLevel),
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
      // Clean up by prefix; never FLUSHALL.
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.keyPrefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.unlink(...keys);
      } while (cursor !== '0');
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
