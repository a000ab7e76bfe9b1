/** startService, the library's start: a start that fails leaves nothing open behind it. */
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { expect, inject, it } from 'vitest';
import { DEFAULTS } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startService } from '../../src/service.js';

it('closes its Redis connections when its port is taken', async () => {
  const redisUrl = inject('redisUrl');
  const redis = new Redis(redisUrl);
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const { port } = busy.address() as { port: number };
  const clients = async () =>
    String(await redis.client('LIST'))
      .split('\n')
      .filter(Boolean).length;
  const before = await clients();
  try {
    await expect(
      startService({
        config: { ...DEFAULTS, port, host: '127.0.0.1', keyPrefix: 'test-busy-port', logLevel: 'silent' },
        redisUrl,
        log: createLogger('silent'),
      }),
    ).rejects.toThrow(/EADDRINUSE/);
    const until = Date.now() + 2_000;
    while ((await clients()) > before && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(await clients()).toBe(before);
  } finally {
    busy.close();
    await redis.quit();
  }
});
