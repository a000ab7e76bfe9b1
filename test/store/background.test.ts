/** Background work shared by instances: one sweeper at a time, and what the sweeper expires. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Sweeper } from '../../src/background/sweeper.js';
import type { NewMessage, QueueRef } from '../../src/domain.js';
import { createLogger } from '../../src/log.js';
import { STANDARD_DEFAULTS } from '../../src/sqs/queue-attributes.js';
import { queueKeys } from '../../src/store/keys.js';
import { RedisMoves } from '../../src/store/redis-moves.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { Scripts } from '../../src/store/scripts.js';

const T0 = 1_800_000_000_000;
let redis: Redis;
const prefix = `bg-${randomUUID().slice(0, 8)}`;
beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.unlink(...keys);
  await redis.quit();
});

const message = (body: string, extra: Partial<NewMessage> = {}): NewMessage => ({
  id: randomUUID(),
  size: body.length,
  payload: { body, md5Body: 'm', senderId: 's', sentTimestamp: T0, groupId: 'g' },
  ...extra,
});

describe('background work', () => {
  let now = T0;
  const scripts = () => new Scripts(redis);
  const store = () => new RedisStore(redis, prefix, scripts());
  const moves = () => new RedisMoves(redis, scripts(), prefix, 'us-east-1');
  const sweeper = (owner: string) =>
    new Sweeper({
      store: store(),
      moves: moves(),
      account: '000000000000',
      owner,
      intervalMs: 1000,
      now: () => now,
      log: createLogger('silent'),
    });

  it('lets one instance sweep at a time (a lease), and another take over when it lapses', async () => {
    const q: QueueRef = { account: '000000000000', name: 'swept' };
    await store().createQueue(q, { ...STANDARD_DEFAULTS, MessageRetentionPeriod: '60' }, {}, {}, now);
    await store().sendMessages(q, [message('a'), message('b')], now);
    now += 61_000;
    const [a, b] = await Promise.all([sweeper('instance-a').runOnce(), sweeper('instance-b').runOnce()]);
    expect([a, b].sort()).toEqual([0, 2]);
    await redis.del(`${prefix}:lease:sweeper`); // as if the holder's lease ran out
    await store().sendMessages(q, [message('c')], now - 61_000);
    expect(await sweeper('instance-b').runOnce()).toBe(1);
  });

  it('expires deduplication ids and receive attempt ids after their 5 minutes', async () => {
    const f: QueueRef = { account: '000000000000', name: 'dedup.fifo' };
    await store().createQueue(f, { ...STANDARD_DEFAULTS, FifoQueue: 'true' }, {}, {}, now);
    await store().sendMessages(f, [message('x', { dedupId: 'd1', contentHash: 'h' })], now);
    await store().receiveMessages(f, { now, max: 1, inflightLimit: 120_000, attemptId: 'att-1' });
    const k = queueKeys(prefix, f);
    expect(await redis.zcard(k.dedup)).toBe(1);
    expect(await redis.zcard(k.attemptExpiry)).toBe(1);
    await redis.del(`${prefix}:lease:sweeper`);
    now += 300_000;
    await sweeper('instance-a').runOnce();
    expect(await redis.zcard(k.dedup)).toBe(0);
    expect(await redis.hlen(k.dedupIds)).toBe(0);
    expect(await redis.zcard(k.attemptExpiry)).toBe(0);
    expect(await redis.hlen(k.attempts)).toBe(0);
  });
});
