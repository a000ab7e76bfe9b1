/**
 * peekMessages (peek-messages.lua): every message of a queue with its state, read without changing
 * anything. The behaviour both stores share runs against the Redis store and the fake store, so the
 * fake cannot drift; what only Redis has (the outbox, retention, the keys themselves) runs on Redis.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { NewMessage, QueueRef } from '../../src/domain.js';
import { FIFO_DEFAULTS, STANDARD_DEFAULTS } from '../../src/sqs/queue-attributes.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { encodeRedrive } from '../../src/store/redrive-fields.js';
import type { PeekedMessage, PeekOptions, Store } from '../../src/store/store.js';
import { FakeStore } from '../helpers/fake-store.js';

const T0 = 1_800_000_000_000;
const ACCOUNT = '000000000000';
const std: QueueRef = { account: ACCOUNT, name: 'q' };
const fifo: QueueRef = { account: ACCOUNT, name: 'q.fifo' };

function message(body: string, extra: Partial<NewMessage> & { group?: string } = {}): NewMessage {
  const { group, ...rest } = extra;
  return {
    id: randomUUID(),
    size: body.length,
    payload: { body, md5Body: 'x', senderId: 's', sentTimestamp: T0, ...(group ? { groupId: group } : {}) },
    ...(group ? { dedupId: randomUUID() } : {}),
    ...rest,
  };
}

let redis: Redis;
beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  const keys = await redis.keys('peek-*');
  if (keys.length > 0) await redis.unlink(...keys);
  await redis.quit();
});

const stores: [string, () => Store][] = [
  ['redis', () => new RedisStore(redis, `peek-${randomUUID().slice(0, 8)}`)],
  ['fake', () => new FakeStore()],
];

/** The peek as {body: state} plus the fields a test looks at, sorted by body. */
const byBody = (messages: PeekedMessage[]) =>
  Object.fromEntries(
    [...messages]
      .sort((a, b) => a.payload.body.localeCompare(b.payload.body))
      .map((m) => [m.payload.body, { state: m.state, locked: m.groupLocked, count: m.receiveCount }]),
  );

describe.each(stores)('peekMessages (%s store)', (_name, make) => {
  let store: Store;
  const peek = async (q: QueueRef, options: Partial<PeekOptions> = {}) => {
    const r = await store.peekMessages(q, { now: T0, ...options });
    if (!r) throw new Error('no queue');
    return r;
  };
  const receive = async (q: QueueRef, now: number, max: number, visibilityMs: number) => {
    const r = await store.receiveMessages(q, { now, max, visibilityMs, inflightLimit: 120_000 });
    if (!r) throw new Error('no queue');
    return r;
  };

  beforeEach(async () => {
    store = make();
    await store.createQueue(std, STANDARD_DEFAULTS, {}, {}, T0);
    await store.createQueue(fifo, { ...FIFO_DEFAULTS, ContentBasedDeduplication: 'false' }, {}, {}, T0);
  });

  it('is undefined for a queue that does not exist', async () => {
    expect(await store.peekMessages({ account: ACCOUNT, name: 'nope' }, { now: T0 })).toBeUndefined();
  });

  it('shows ready, delayed and in-flight messages with their state, counts and times', async () => {
    const flying = message('flying');
    await store.sendMessages(std, [flying], T0);
    const got = await receive(std, T0, 1, 30_000);
    expect(got.status).toBe('ok');
    await store.sendMessages(std, [message('ready'), message('later', { delayMs: 5_000 })], T0 + 10);
    const { messages, more } = await peek(std, { now: T0 + 20 });
    expect(more).toBe(false);
    expect(byBody(messages)).toEqual({
      flying: { state: 'inflight', locked: false, count: 1 },
      later: { state: 'delayed', locked: false, count: 0 },
      ready: { state: 'available', locked: false, count: 0 },
    });
    const m = (body: string) => messages.find((x) => x.payload.body === body) as PeekedMessage;
    expect(m('flying')).toMatchObject({ id: flying.id, visibleAtMs: T0 + 30_000, firstReceiveTimestamp: T0 });
    expect(m('later')).toMatchObject({ visibleAtMs: T0 + 5_010, firstReceiveTimestamp: 0 });
    expect(m('ready').visibleAtMs).toBeUndefined();
    expect(m('ready').firstReceiveTimestamp).toBe(0);
    expect(Number(m('ready').sequenceNumber)).toBeGreaterThan(Number(m('flying').sequenceNumber));
  });

  it('counts an in-flight message past its visibility timeout and a delayed one past its delay as available', async () => {
    await store.sendMessages(std, [message('was-flying')], T0);
    await receive(std, T0, 1, 1_000);
    await store.sendMessages(std, [message('was-delayed', { delayMs: 1_000 })], T0);
    expect(byBody((await peek(std, { now: T0 + 999 })).messages)).toEqual({
      'was-delayed': { state: 'delayed', locked: false, count: 0 },
      'was-flying': { state: 'inflight', locked: false, count: 1 },
    });
    expect(byBody((await peek(std, { now: T0 + 1_000 })).messages)).toEqual({
      'was-delayed': { state: 'available', locked: false, count: 0 },
      'was-flying': { state: 'available', locked: false, count: 1 },
    });
  });

  it('changes nothing: the next receive sees the messages exactly as before', async () => {
    await store.sendMessages(std, [message('a'), message('b')], T0);
    await receive(std, T0, 1, 1_000);
    for (let i = 0; i < 3; i++) await peek(std, { now: T0 + 500 });
    expect((await store.getQueue(std, T0 + 500))?.counts).toEqual({ visible: 1, notVisible: 1, delayed: 0 });
    const next = await receive(std, T0 + 2_000, 10, 1_000);
    if (next.status !== 'ok') throw new Error('nothing received');
    const seen = Object.fromEntries(
      next.messages.map((m) => [m.payload.body, [m.receiveCount, m.firstReceiveTimestamp]]),
    );
    expect(seen).toEqual({ a: [2, T0], b: [1, T0 + 2_000] });
  });

  it('leaves out in-flight or delayed messages when asked', async () => {
    await store.sendMessages(std, [message('flying')], T0);
    await receive(std, T0, 1, 30_000);
    await store.sendMessages(std, [message('ready'), message('later', { delayMs: 5_000 })], T0);
    const bodies = async (options: Partial<PeekOptions>) => Object.keys(byBody((await peek(std, options)).messages));
    expect(await bodies({ inflight: false, delayed: false })).toEqual(['ready']);
    expect(await bodies({ inflight: true, delayed: false })).toEqual(['flying', 'ready']);
    expect(await bodies({ inflight: false, delayed: true })).toEqual(['later', 'ready']);
  });

  it('reads at most `limit` messages, available ones first, and says when it left some out', async () => {
    await store.sendMessages(std, [message('f1'), message('f2')], T0);
    await receive(std, T0, 2, 30_000);
    await store.sendMessages(std, [message('r1'), message('r2'), message('d1', { delayMs: 9_000 })], T0);
    const two = await peek(std, { limit: 2 });
    expect(Object.keys(byBody(two.messages))).toEqual(['r1', 'r2']);
    expect(two.more).toBe(true);
    const four = await peek(std, { limit: 4, delayed: false });
    expect(Object.keys(byBody(four.messages))).toEqual(['f1', 'f2', 'r1', 'r2']);
    expect(four.more).toBe(false);
    expect((await peek(std, { limit: 5 })).more).toBe(false);
    expect((await peek(std, { limit: 4 })).more).toBe(true);
  });

  it('FIFO: marks the available messages of a group held by one in flight; other groups are free', async () => {
    await store.sendMessages(fifo, [message('g1-a', { group: 'g1' }), message('g1-b', { group: 'g1' })], T0);
    await store.sendMessages(fifo, [message('g2-a', { group: 'g2' })], T0);
    const got = await receive(fifo, T0, 1, 10_000);
    expect(got.status === 'ok' && got.messages[0]?.payload.body).toBe('g1-a');
    expect(byBody((await peek(fifo)).messages)).toEqual({
      'g1-a': { state: 'inflight', locked: false, count: 1 },
      'g1-b': { state: 'available', locked: true, count: 0 },
      'g2-a': { state: 'available', locked: false, count: 0 },
    });
    // Once the visibility timeout is over, the group is free again, with its head back in front.
    expect(byBody((await peek(fifo, { now: T0 + 10_000 })).messages)).toEqual({
      'g1-a': { state: 'available', locked: false, count: 1 },
      'g1-b': { state: 'available', locked: false, count: 0 },
      'g2-a': { state: 'available', locked: false, count: 0 },
    });
  });
});

describe('peekMessages on Redis only', () => {
  let prefix: string;
  let store: RedisStore;
  const meta = (q: QueueRef) => `${prefix}:{${q.account}/${q.name}}:meta`;

  beforeEach(async () => {
    prefix = `peek-${randomUUID().slice(0, 8)}`;
    store = new RedisStore(redis, prefix);
    await store.createQueue(std, { ...STANDARD_DEFAULTS, MessageRetentionPeriod: '60' }, {}, {}, T0);
    await store.createQueue(fifo, { ...FIFO_DEFAULTS, ContentBasedDeduplication: 'false' }, {}, {}, T0);
  });

  /** Every key of the test prefix with its full contents. */
  async function snapshot(): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const key of (await redis.keys(`${prefix}:*`)).sort()) {
      const type = await redis.type(key);
      if (type === 'hash') out[key] = await redis.hgetall(key);
      else if (type === 'zset') out[key] = await redis.zrange(key, 0, -1, 'WITHSCORES');
      else if (type === 'set') out[key] = (await redis.smembers(key)).sort();
      else if (type === 'string') out[key] = await redis.get(key);
      else out[key] = type;
      out[`${key} ttl`] = await redis.pttl(key);
    }
    return out;
  }

  it('writes no key at all, on standard and FIFO queues', async () => {
    await store.sendMessages(std, [message('a'), message('b'), message('c', { delayMs: 9_000 })], T0);
    await store.receiveMessages(std, { now: T0, max: 1, visibilityMs: 1_000, inflightLimit: 10 });
    await store.sendMessages(fifo, [message('f1', { group: 'g' }), message('f2', { group: 'g' })], T0);
    await store.receiveMessages(fifo, { now: T0, max: 1, visibilityMs: 1_000, inflightLimit: 10 });
    const before = await snapshot();
    // At T0 + 2000 the in-flight messages are due: a receive would move them, a peek must not.
    for (const q of [std, fifo])
      expect((await store.peekMessages(q, { now: T0 + 2_000 }))?.messages).toHaveLength(q === std ? 3 : 2);
    expect(await snapshot()).toEqual(before);
  });

  it('leaves out messages in the outbox; a FIFO group stays held by one', async () => {
    await store.sendMessages(fifo, [message('moving', { group: 'g' }), message('behind', { group: 'g' })], T0);
    await store.receiveMessages(fifo, { now: T0, max: 1, visibilityMs: 1_000, inflightLimit: 10 });
    await redis.hset(meta(fifo), encodeRedrive({ maxReceiveCount: 1, deadLetterQueue: 'dlq.fifo' }));
    // The next receive finds `moving` received once already: it goes to the outbox, `behind` waits.
    const r = await store.receiveMessages(fifo, { now: T0 + 1_000, max: 1, inflightLimit: 10 });
    expect(r?.status === 'empty' && r.moved).toBe(1);
    const peeked = await store.peekMessages(fifo, { now: T0 + 1_000 });
    expect(byBody(peeked?.messages ?? [])).toEqual({ behind: { state: 'available', locked: true, count: 0 } });
  });

  it('leaves out messages past the retention period, which no receive returns', async () => {
    await store.sendMessages(std, [message('old')], T0 - 61_000);
    await store.sendMessages(std, [message('new')], T0);
    expect(Object.keys(byBody((await store.peekMessages(std, { now: T0 }))?.messages ?? []))).toEqual(['new']);
  });

  it('reads large queues in slices', async () => {
    const many = Array.from({ length: 1_200 }, (_, i) => message(`m${String(i).padStart(4, '0')}`));
    for (let i = 0; i < many.length; i += 100) await store.sendMessages(std, many.slice(i, i + 100), T0);
    const all = await store.peekMessages(std, { now: T0, limit: 5_000 });
    expect(all?.messages).toHaveLength(1_200);
    expect(all?.more).toBe(false);
    const capped = await store.peekMessages(std, { now: T0 });
    expect(capped?.messages).toHaveLength(1_000);
    expect(capped?.more).toBe(true);
  });
});
