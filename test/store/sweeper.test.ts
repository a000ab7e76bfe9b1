/**
 * The sweeper against a large backlog: 200,000 expired messages are removed in small steps while
 * requests to another queue keep being answered quickly. Prints the worst request latency seen.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Sweeper } from '../../src/background/sweeper.js';
import type { NewMessage, QueueRef } from '../../src/domain.js';
import { createLogger } from '../../src/log.js';
import { STANDARD_DEFAULTS } from '../../src/sqs/queue-attributes.js';
import { RedisMoves } from '../../src/store/redis-moves.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { Scripts } from '../../src/store/scripts.js';
import { deleteKeysOf } from '../helpers/service.js';

const BACKLOG = 200_000;
const T0 = 1_800_000_000_000;

let redis: Redis;
let prefix: string;
beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
  prefix = `sweep-${randomUUID().slice(0, 8)}`;
});
afterAll(async () => {
  await deleteKeysOf(redis, prefix);
  await redis.quit();
});

describe('sweeper', () => {
  it(`removes ${BACKLOG} expired messages in small steps while requests stay fast`, async () => {
    let now = T0;
    const scripts = new Scripts(redis);
    const store = new RedisStore(redis, prefix, scripts);
    const moves = new RedisMoves(redis, scripts, prefix, 'us-east-1');
    const account = '000000000000';
    const old: QueueRef = { account, name: 'backlog' };
    const live: QueueRef = { account, name: 'live' };
    await store.createQueue(old, { ...STANDARD_DEFAULTS, MessageRetentionPeriod: '60' }, {}, {}, now);
    await store.createQueue(live, STANDARD_DEFAULTS, {}, {}, now);
    const body = 'x'.repeat(100);
    for (let i = 0; i < BACKLOG; i += 2000) {
      const batch: NewMessage[] = Array.from({ length: 2000 }, () => ({
        id: randomUUID(),
        size: body.length,
        payload: { body, md5Body: 'm', senderId: 's', sentTimestamp: now },
      }));
      await store.sendMessages(old, batch, now);
    }
    now += 61_000;

    const sweeper = new Sweeper({
      store,
      moves,
      account,
      owner: 'test',
      intervalMs: 1000,
      now: () => now,
      log: createLogger('silent'),
    });
    let sweeping = true;
    const latencies: number[] = [];
    const load = (async () => {
      while (sweeping) {
        const started = performance.now();
        await store.sendMessages(
          live,
          [{ id: randomUUID(), size: 1, payload: { body: 'y', md5Body: 'm', senderId: 's', sentTimestamp: now } }],
          now,
        );
        await store.receiveMessages(live, { now, max: 1, inflightLimit: 120_000 });
        latencies.push(performance.now() - started);
      }
    })();
    const started = performance.now();
    const removed = await sweeper.runOnce();
    const took = performance.now() - started;
    sweeping = false;
    await load;

    latencies.sort((a, b) => a - b);
    const worst = latencies[latencies.length - 1] ?? 0;
    const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? 0;
    console.log(
      `sweeper: ${removed} messages removed in ${took.toFixed(0)} ms; ${latencies.length} send+receive pairs meanwhile, p99 ${p99.toFixed(1)} ms, worst ${worst.toFixed(1)} ms`,
    );
    expect(removed).toBe(BACKLOG);
    expect((await store.getQueue(old, now))?.counts).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
    expect(await redis.hlen(`${prefix}:{${account}/backlog}:body`)).toBe(0);
    expect(latencies.length).toBeGreaterThan(10);
    // A step removes 200 messages; a request waits for at most a few such steps, never the backlog.
    expect(worst).toBeLessThan(250);
  }, 120_000);
});
