/**
 * The move handoff at each point a crash can interrupt it: after the message entered the outbox,
 * after the destination accepted it, and after the destination's copy was already consumed.
 * Each time the next drain must leave the message in exactly one place.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { QueueRef } from '../../src/domain.js';
import { STANDARD_DEFAULTS } from '../../src/sqs/queue-attributes.js';
import { KeyCache, queueKeys } from '../../src/store/keys.js';
import type { MovedBatch } from '../../src/store/moves.js';
import { RedisMoves } from '../../src/store/redis-moves.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { encodeRedrive } from '../../src/store/redrive-fields.js';
import { acceptMoved } from '../../src/store/scripts/moves.js';
import { Scripts } from '../../src/store/scripts.js';

const T0 = 1_800_000_000_000;
let redis: Redis;
let scripts: Scripts;
let store: RedisStore;
let moves: RedisMoves;
let prefix: string;
const src: QueueRef = { account: '000000000000', name: 'src' };
const dlq: QueueRef = { account: '000000000000', name: 'dlq' };

beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
  scripts = new Scripts(redis);
});
afterAll(async () => {
  const keys = await redis.keys('moves-*');
  if (keys.length > 0) await redis.unlink(...keys);
  await redis.quit();
});
beforeEach(async () => {
  prefix = `moves-${randomUUID().slice(0, 8)}`;
  store = new RedisStore(redis, prefix, scripts);
  moves = new RedisMoves(redis, scripts, prefix, 'us-east-1');
  await store.createQueue(dlq, STANDARD_DEFAULTS, {}, {}, T0);
  await store.createQueue(
    src,
    { ...STANDARD_DEFAULTS, ...encodeRedrive({ maxReceiveCount: 1, deadLetterQueue: 'dlq' }) },
    {},
    {},
    T0,
  );
});

/** Sends one message and receives it twice, so the second receive puts it in the outbox. */
async function redriven(): Promise<string> {
  const id = randomUUID();
  await store.sendMessages(
    src,
    [{ id, size: 1, payload: { body: 'b', md5Body: 'm', senderId: 's', sentTimestamp: T0 } }],
    T0,
  );
  await store.receiveMessages(src, { now: T0, max: 1, visibilityMs: 0, inflightLimit: 120_000 });
  const second = await store.receiveMessages(src, { now: T0, max: 1, inflightLimit: 120_000 });
  expect(second).toMatchObject({ status: 'empty', moved: 1 });
  return id;
}

const where = async (id: string) => ({
  src: await redis.hexists(queueKeys(prefix, src).body, id),
  srcOutbox: (await redis.zscore(queueKeys(prefix, src).outbox, id)) !== null ? 1 : 0,
  dlq: await redis.hexists(queueKeys(prefix, dlq).body, id),
});

/** What the mover's second step does, run alone: the destination accepts the message. */
async function acceptOnly(id: string): Promise<void> {
  const payload = { body: 'b', md5Body: 'm', senderId: 's', sentTimestamp: T0 };
  const entry = (await redis.hget(queueKeys(prefix, src).outboxDest, id)) as string;
  const token = entry.split('|')[1];
  await acceptMoved(scripts, new KeyCache(prefix).get(dlq), {
    now: T0,
    messages: [{ id, payload, sentAt: T0, group: '', moveKey: `src#${token}` }],
  });
}

describe('move handoff', () => {
  it('a crash after the outbox step: the drain moves the message', async () => {
    const id = await redriven();
    expect(await where(id)).toEqual({ src: 1, srcOutbox: 1, dlq: 0 });
    expect((await moves.drainOutbox(src, T0 + 10)).moved).toBe(1);
    expect(await where(id)).toEqual({ src: 0, srcOutbox: 0, dlq: 1 });
  });

  it('a crash after the destination accepted: the drain does not store it twice', async () => {
    const id = await redriven();
    await acceptOnly(id);
    expect(await where(id)).toEqual({ src: 1, srcOutbox: 1, dlq: 1 });
    await moves.drainOutbox(src, T0 + 10);
    expect(await where(id)).toEqual({ src: 0, srcOutbox: 0, dlq: 1 });
    expect((await store.getQueue(dlq, T0 + 10))?.counts.visible).toBe(1);
  });

  it('a crash after the destination accepted and its copy was consumed: the drain does not revive it', async () => {
    const id = await redriven();
    await acceptOnly(id);
    await store.deleteMessages(dlq, [{ id, token: '' }], T0 + 10);
    await moves.drainOutbox(src, T0 + 10);
    expect(await where(id)).toEqual({ src: 0, srcOutbox: 0, dlq: 0 });
  });

  it('a second redrive of the same message, after a move back, is a new move', async () => {
    const id = await redriven();
    await moves.drainOutbox(src, T0 + 10);
    // Back to the source, as a move task does (here by hand), then redriven again within the hour.
    const receipt = await store.receiveMessages(dlq, { now: T0 + 20, max: 1, inflightLimit: 120_000 });
    if (receipt?.status !== 'ok') throw new Error('not in the dead-letter queue');
    await store.deleteMessages(dlq, [{ id, token: receipt.messages[0]?.token as string }], T0 + 20);
    await store.sendMessages(
      src,
      [{ id, size: 1, payload: { body: 'b', md5Body: 'm', senderId: 's', sentTimestamp: T0 } }],
      T0 + 30,
    );
    await store.receiveMessages(src, { now: T0 + 30, max: 1, visibilityMs: 0, inflightLimit: 120_000 });
    await store.receiveMessages(src, { now: T0 + 30, max: 1, inflightLimit: 120_000 });
    expect((await moves.drainOutbox(src, T0 + 40)).moved).toBe(1);
    expect(await where(id)).toEqual({ src: 0, srcOutbox: 0, dlq: 1 });
  });

  it('two drains at once hand each message over once and count it once', async () => {
    const id = await redriven();
    const [a, b] = await Promise.all([moves.drainOutbox(src, T0 + 10), moves.drainOutbox(src, T0 + 10)]);
    expect(a.moved + b.moved).toBe(1);
    expect(await where(id)).toEqual({ src: 0, srcOutbox: 0, dlq: 1 });
  });

  it('reports what a drain handed over to its caller and to observers, once across concurrent drains', async () => {
    const seen: MovedBatch[] = [];
    const stop = moves.observe({ moved: (b) => seen.push(b) });
    const id = await redriven();
    const [a, b] = await Promise.all([moves.drainOutbox(src, T0 + 10), moves.drainOutbox(src, T0 + 10)]);
    const expected = { source: src, target: dlq, kind: 'dead-letter', messages: [{ id, movedId: id }], at: T0 + 10 };
    expect([...a.batches, ...b.batches]).toEqual([expected]);
    expect(seen).toEqual([expected]);
    stop();
    await moves.drainOutbox(src, T0 + 20);
    const again = await redriven();
    expect((await moves.drainOutbox(src, T0 + 30)).batches).toMatchObject([{ messages: [{ id: again }] }]);
    expect(seen).toHaveLength(1);
  });

  it('reports a move back to the source with the new id the message has there', async () => {
    const id = await redriven();
    await moves.drainOutbox(src, T0 + 10);
    expect(await moves.claimForMove(dlq, T0 + 20, 10, '')).toBe(1);
    const { batches } = await moves.drainOutbox(dlq, T0 + 20);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({ source: dlq, target: src, kind: 'move', messages: [{ id }] });
    const movedId = batches[0]?.messages[0]?.movedId as string;
    expect(movedId).not.toBe(id);
    expect(await redis.hexists(queueKeys(prefix, src).body, movedId)).toBe(1);
  });

  it('a destination that no longer exists: the message goes back to its queue', async () => {
    const id = await redriven();
    await store.deleteQueue(dlq, 0, 0);
    const drained = await moves.drainOutbox(src, T0 + 10);
    expect(drained).toMatchObject({ returned: 1, batches: [] });
    expect(await where(id)).toEqual({ src: 1, srcOutbox: 0, dlq: 0 });
    expect((await store.getQueue(src, T0 + 10))?.counts.visible).toBe(1);
  });
});

describe('move task records', () => {
  for (const fifo of [false, true]) {
    it(`keeps the 10 most recent tasks of a ${fifo ? 'FIFO' : 'standard'} queue through many starts`, async () => {
      const q: QueueRef = { account: '000000000000', name: fifo ? 'tasks.fifo' : 'tasks' };
      await store.createQueue(q, { ...STANDARD_DEFAULTS, ...(fifo ? { FifoQueue: 'true' } : {}) }, {}, {}, T0);
      for (let i = 0; i < 12; i++) {
        const task = {
          TaskHandle: `h${i}`,
          Status: 'RUNNING' as const,
          SourceArn: `arn:aws:sqs:us-east-1:000000000000:${q.name}`,
          ApproximateNumberOfMessagesMoved: 0,
          ApproximateNumberOfMessagesToMove: 0,
          StartedTimestamp: T0 + i,
        };
        const started = await moves.startTask(q, T0 + i, `task-${i}`, task);
        expect(started).toMatchObject({ TaskHandle: `h${i}`, Status: 'RUNNING' });
        expect(await moves.updateTask(q, `task-${i}`, { status: 'COMPLETED' })).toMatchObject({ Status: 'COMPLETED' });
      }
      const kept = (await moves.listTasks(q)).map((t) => t.TaskHandle).sort();
      expect(kept).toEqual(['h10', 'h11', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7', 'h8', 'h9']);
    });
  }
});
