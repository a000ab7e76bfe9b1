/** The Lua scripts against a real Redis, with a fixed clock: the rules that depend on time. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import type { NewMessage, QueueRef } from '../../src/domain.js';
import { STANDARD_DEFAULTS } from '../../src/sqs/queue-attributes.js';
import { RedisAccounts } from '../../src/store/redis-accounts.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { encodeRedrive } from '../../src/store/redrive-fields.js';
import type { ReceiveOptions, StoreReceiveResult } from '../../src/store/store.js';

let redis: Redis;
let store: RedisStore;
let prefix: string;
let q: QueueRef;
const T0 = 1_800_000_000_000;

function message(body: string, delayMs?: number): NewMessage {
  return {
    id: randomUUID(),
    size: body.length,
    payload: { body, md5Body: 'x', senderId: 's', sentTimestamp: T0 },
    ...(delayMs !== undefined ? { delayMs } : {}),
  };
}

beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  const keys = await redis.keys(`store-*`);
  if (keys.length > 0) await redis.unlink(...keys);
  await redis.quit();
});
beforeEach(async () => {
  prefix = `store-${randomUUID().slice(0, 8)}`;
  store = new RedisStore(redis, prefix);
  q = { account: '000000000000', name: 'q' };
  await store.createQueue(q, { ...STANDARD_DEFAULTS, MessageRetentionPeriod: '60' }, {}, {}, T0);
});

type Receipt = { id: string; token: string };

/** A receive from a queue that exists. */
async function receiveFrom(queue: QueueRef, options: ReceiveOptions): Promise<StoreReceiveResult> {
  const r = await store.receiveMessages(queue, options);
  if (!r) throw new Error(`no queue ${queue.name}`);
  return r;
}

const receive = (now: number, max = 10, visibilityMs?: number, inflightLimit = 120_000) =>
  receiveFrom(q, { now, max, inflightLimit, ...(visibilityMs !== undefined ? { visibilityMs } : {}) });

describe('store scripts with a fixed clock', () => {
  it('never returns a message past its retention period, and removes it', async () => {
    await store.sendMessages(q, [message('old')], T0);
    const late = await receive(T0 + 60_001);
    expect(late.status).toBe('empty');
    expect((await store.getQueue(q, T0 + 60_001))?.counts).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
  });

  it('returns a message at exactly its retention period', async () => {
    await store.sendMessages(q, [message('edge')], T0);
    const r = await receive(T0 + 60_000);
    expect(r.status).toBe('ok');
  });

  it('makes a delayed message visible at exactly its delay, and says when', async () => {
    await store.sendMessages(q, [message('d', 5_000)], T0);
    const early = await receive(T0 + 4_999);
    expect(early).toEqual({ status: 'empty', nextVisibleMs: T0 + 5_000, queueWaitSeconds: 0, moved: 0 });
    expect((await receive(T0 + 5_000)).status).toBe('ok');
  });

  it('returns an in-flight message after its visibility timeout, counting receives', async () => {
    await store.sendMessages(q, [message('v')], T0);
    const first = await receive(T0, 1, 10_000);
    expect(first.status === 'ok' && first.messages[0]?.receiveCount).toBe(1);
    expect((await receive(T0 + 9_999)).status).toBe('empty');
    const second = await receive(T0 + 10_000);
    expect(second.status === 'ok' && second.messages[0]?.receiveCount).toBe(2);
    expect(second.status === 'ok' && second.messages[0]?.firstReceiveTimestamp).toBe(T0);
  });

  it('refuses receives past the in-flight limit', async () => {
    await store.sendMessages(q, [message('a'), message('b'), message('c')], T0);
    expect((await receive(T0, 2, 30_000, 2)).status).toBe('ok');
    expect((await receive(T0, 1, 30_000, 2)).status).toBe('over-limit');
  });

  it('limits the total visibility to 12 hours since the receive, in whole seconds', async () => {
    await store.sendMessages(q, [message('x')], T0);
    const r = await receive(T0, 1, 30_000);
    if (r.status !== 'ok') throw new Error('no message');
    const { id, token } = r.messages[0] as { id: string; token: string };
    const limit = 43_200_000;
    expect(await store.changeVisibility(q, [{ id, token, visibilityMs: limit }], T0 + 999, limit)).toEqual(['changed']);
    expect(await store.changeVisibility(q, [{ id, token, visibilityMs: limit }], T0 + 1_000, limit)).toEqual([
      'over-limit',
    ]);
    expect(await store.changeVisibility(q, [{ id, token, visibilityMs: limit - 1_000 }], T0 + 1_000, limit)).toEqual([
      'changed',
    ]);
    // A standard queue takes any handle of the message; one of no message is refused.
    expect(await store.changeVisibility(q, [{ id, token: 'other', visibilityMs: 1 }], T0 + 1_000, limit)).toEqual([
      'changed',
    ]);
    expect(await store.changeVisibility(q, [{ id: randomUUID(), token, visibilityMs: 1 }], T0 + 1_000, limit)).toEqual([
      'no-message',
    ]);
  });

  it('allows one purge per cooldown, measured on the clock', async () => {
    expect(await store.purgeQueue(q, T0, 60_000)).toBe('ok');
    expect(await store.purgeQueue(q, T0 + 59_999, 60_000)).toBe('too-soon');
    expect(await store.purgeQueue(q, T0 + 60_000, 60_000)).toBe('ok');
  });

  it('blocks a deleted name until the tombstone ends, measured on the clock', async () => {
    expect(await store.deleteQueue(q, T0, 60_000)).toBe('ok');
    expect((await store.createQueue(q, STANDARD_DEFAULTS, {}, {}, T0)).status).toBe('deleted-recently');
    expect((await store.createQueue(q, STANDARD_DEFAULTS, {}, {}, T0 + 59_999)).status).toBe('deleted-recently');
    // Redis keeps it longer than the block, in real time, so that a clock standing still finds it.
    expect(await redis.pttl(`${prefix}:{000000000000/q}:deleted`)).toBeGreaterThan(60_000 + 3_500_000);
    expect((await store.createQueue(q, STANDARD_DEFAULTS, {}, {}, T0 + 60_000)).status).toBe('created');
  });

  it("changes a standard message's visibility with its latest handle after the timeout ended", async () => {
    const limit = 43_200_000;
    const [m, n] = [message('m'), message('n')];
    await store.sendMessages(q, [m, n], T0);
    const r = await receive(T0, 2, 10_000);
    if (r.status !== 'ok') throw new Error('no messages');
    const [rm, rn] = r.messages.map((x) => ({ id: x.id, token: x.token })) as [Receipt, Receipt];
    const key = (s: string) => `${prefix}:{000000000000/q}:${s}`;
    // m: its timeout has ended, and it is still an entry of `inflight` (no receive since).
    expect(await store.changeVisibility(q, [{ ...rm, visibilityMs: 30_000 }], T0 + 10_000, limit)).toEqual(['changed']);
    expect(await redis.zscore(key('inflight'), rm.id)).toBe(String(T0 + 40_000));
    // n: a receive that took nothing (max 0) has moved it back to `ready`; the change takes it out.
    expect((await receive(T0 + 10_000, 0)).status).toBe('empty');
    expect(await redis.zscore(key('ready'), rn.id)).toBe('2');
    expect(await store.changeVisibility(q, [{ ...rn, visibilityMs: 0 }], T0 + 10_000, limit)).toEqual(['changed']);
    expect(await redis.zscore(key('ready'), rn.id)).toBe('2');
    expect(await store.changeVisibility(q, [{ ...rn, visibilityMs: 5_000 }], T0 + 10_000, limit)).toEqual(['changed']);
    expect(await redis.zscore(key('ready'), rn.id)).toBeNull();
    expect(await redis.zscore(key('inflight'), rn.id)).toBe(String(T0 + 15_000));
    expect((await store.getQueue(q, T0 + 10_000))?.counts).toEqual({ visible: 0, notVisible: 2, delayed: 0 });
    const again = await receive(T0 + 15_000);
    expect(again.status === 'ok' && again.messages.map((x) => [x.id, x.receiveCount])).toEqual([[rn.id, 2]]);
    // Received again: n's first handle is from an earlier receive, and changes it too (standard queue).
    expect(await store.changeVisibility(q, [{ ...rn, visibilityMs: 5_000 }], T0 + 15_000, limit)).toEqual(['changed']);
    expect(await redis.zscore(key('inflight'), rn.id)).toBe(String(T0 + 20_000));
    // The 12 hours still count from the last receive.
    expect(await store.changeVisibility(q, [{ ...rm, visibilityMs: limit }], T0 + 50_000, limit)).toEqual([
      'over-limit',
    ]);
  });

  it('answers not-inflight for a message on its way to a dead-letter queue', async () => {
    const m = message('redriven');
    await store.sendMessages(q, [m], T0);
    const r = await receive(T0, 1, 1_000);
    if (r.status !== 'ok') throw new Error('no message');
    await redis.hset(`${prefix}:{000000000000/q}:meta`, encodeRedrive({ maxReceiveCount: 1, deadLetterQueue: 'dlq' }));
    expect((await receive(T0 + 1_000)).status).toBe('empty');
    const token = r.messages[0]?.token as string;
    expect(await store.changeVisibility(q, [{ id: m.id, token, visibilityMs: 1 }], T0 + 1_000, 43_200_000)).toEqual([
      'not-inflight',
    ]);
  });

  it('keeps every key of a queue in one hash slot', async () => {
    await store.sendMessages(q, [message('slot')], T0);
    await receive(T0, 1);
    const keys = await redis.keys(`${prefix}:{*`);
    expect(keys.length).toBeGreaterThan(3);
    expect(new Set(keys.map((k) => k.slice(k.indexOf('{'), k.indexOf('}') + 1)))).toEqual(
      new Set(['{000000000000/q}']),
    );
  });
});

describe('batched calls on a standard queue (one multi-member command per key)', () => {
  const bodies = (r: Awaited<ReturnType<typeof receive>>) =>
    r.status === 'ok' ? r.messages.map((m) => m.payload.body) : [];

  it('stores a mixed batch in order: consecutive sequence numbers, too large skipped, delays kept', async () => {
    const big: NewMessage = { ...message('big'), size: 10_000_000 };
    const sent = await store.sendMessages(q, [message('a'), big, message('d', 5_000), message('b')], T0);
    const seqs = sent?.outcomes.map((o) => (o.status === 'stored' ? Number(o.seq) : o.status));
    expect(seqs?.[1]).toBe('too-large');
    const [s1, , s2, s3] = seqs as number[];
    expect([(s2 as number) - (s1 as number), (s3 as number) - (s2 as number)]).toEqual([1, 1]);
    expect((await store.getQueue(q, T0))?.counts).toEqual({ visible: 2, notVisible: 0, delayed: 1 });
    expect(bodies(await receive(T0))).toEqual(['a', 'b']);
    expect(bodies(await receive(T0 + 5_000))).toEqual(['d']);
  });

  it('one receive delivers, expires and redrives messages of the same pop', async () => {
    const [a, b] = [message('a'), message('b')];
    await store.sendMessages(q, [message('expired-1'), message('expired-2')], T0 - 61_000);
    await store.sendMessages(q, [a, b], T0);
    const first = await receive(T0, 10, 10_000);
    expect(bodies(first)).toEqual(['a', 'b']);
    if (first.status !== 'ok') throw new Error('no messages');
    expect(new Set(first.messages.map((m) => m.token)).size).toBe(2);
    expect(first.messages.map((m) => m.receiveCount)).toEqual([1, 1]);
    expect(await redis.hlen(`${prefix}:{000000000000/q}:body`)).toBe(2);

    // a and b come back after their visibility timeout with one receive each; c and d are new.
    await store.sendMessages(q, [message('c'), message('d')], T0 + 5_000);
    await redis.hset(`${prefix}:{000000000000/q}:meta`, encodeRedrive({ maxReceiveCount: 1, deadLetterQueue: 'dlq' }));
    const second = await receive(T0 + 10_000, 10, 10_000);
    expect(bodies(second)).toEqual(['c', 'd']);
    expect(second.status === 'ok' && second.moved).toBe(2);
    expect(await redis.zrange(`${prefix}:{000000000000/q}:outbox`, 0, -1)).toEqual([a.id, b.id]);
    expect(second.status === 'ok' && second.messages.map((m) => m.firstReceiveTimestamp)).toEqual([
      T0 + 10_000,
      T0 + 10_000,
    ]);
  });

  it('deletes a batch whose messages are ready, delayed, in flight, repeated and unknown', async () => {
    const [ready, delayed, inflight] = [message('ready'), message('delayed', 60_000), message('inflight')];
    await store.sendMessages(q, [inflight], T0);
    const got = await receive(T0, 1, 30_000);
    if (got.status !== 'ok') throw new Error('no message');
    const token = got.messages[0]?.token as string;
    await store.sendMessages(q, [ready, delayed], T0);
    const statuses = await store.deleteMessages(
      q,
      [
        { id: ready.id, token: 'never-received' },
        { id: delayed.id, token: 'never-received' },
        { id: inflight.id, token },
        { id: inflight.id, token },
        { id: randomUUID(), token: 'x' },
      ],
      T0,
    );
    expect(statuses).toEqual(['deleted', 'deleted', 'deleted', 'gone', 'gone']);
    expect((await store.getQueue(q, T0))?.counts).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
    for (const key of ['body', 'info']) expect(await redis.hlen(`${prefix}:{000000000000/q}:${key}`)).toBe(0);
    for (const key of ['sent', 'ready', 'delayed', 'inflight']) {
      expect(await redis.zcard(`${prefix}:{000000000000/q}:${key}`)).toBe(0);
    }
  });

  it('deleting a message waiting in the outbox takes it out of the outbox', async () => {
    const m = message('redriven');
    await store.sendMessages(q, [m], T0);
    await receive(T0, 1, 1_000);
    await redis.hset(`${prefix}:{000000000000/q}:meta`, encodeRedrive({ maxReceiveCount: 1, deadLetterQueue: 'dlq' }));
    expect((await receive(T0 + 1_000)).status === 'empty').toBe(true);
    expect(await redis.zcard(`${prefix}:{000000000000/q}:outbox`)).toBe(1);
    expect(await store.deleteMessages(q, [{ id: m.id, token: 'old' }], T0 + 1_000)).toEqual(['deleted']);
    expect(await redis.zcard(`${prefix}:{000000000000/q}:outbox`)).toBe(0);
    expect(await redis.hlen(`${prefix}:{000000000000/q}:outboxdest`)).toBe(0);
  });
});

describe('FIFO store scripts with a fixed clock', () => {
  const f: QueueRef = { account: '000000000000', name: 'q.fifo' };
  const FIVE_MINUTES = 300_000;
  const fifoMessage = (body: string, dedupId: string): NewMessage => ({
    ...message(body),
    dedupId,
    contentHash: 'h',
    payload: { body, md5Body: 'x', senderId: 's', sentTimestamp: T0, groupId: 'g', dedupId },
  });
  const fifoReceive = (now: number, attemptId?: string) =>
    receiveFrom(f, {
      now,
      max: 10,
      inflightLimit: 120_000,
      visibilityMs: 600_000,
      ...(attemptId ? { attemptId } : {}),
    });

  beforeEach(async () => {
    await store.createQueue(f, { ...STANDARD_DEFAULTS, FifoQueue: 'true', DeduplicationScope: 'queue' }, {}, {}, T0);
  });

  it('stores a batch in one call: groups in order, duplicates within the batch, too-large entries skipped, none without a deduplication id', async () => {
    const inGroup = (body: string, group: string, dedupId: string): NewMessage => {
      const m = fifoMessage(body, dedupId);
      return { ...m, payload: { ...m.payload, groupId: group } };
    };
    const big = { ...inGroup('big', 'g1', 'd-big'), size: 10_000_000 };
    const batch = [
      inGroup('a1', 'a', 'd1'),
      inGroup('b1', 'b', 'd2'),
      inGroup('a1 again', 'a', 'd1'),
      big,
      inGroup('a2', 'a', 'd3'),
    ];
    // One entry without a deduplication id refuses the whole call, and nothing is stored.
    const none = { ...inGroup('none', 'b', ''), dedupId: '' };
    const refused = await store.sendMessages(f, [...batch, none], T0);
    expect(refused?.outcomes.map((o) => o.status)).toEqual(Array(batch.length + 1).fill('no-dedup-id'));
    expect((await store.getQueue(f, T0))?.counts).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
    const sent = await store.sendMessages(f, batch, T0);
    const outcomes = sent?.outcomes ?? [];
    expect(outcomes.map((o) => o.status)).toEqual(['stored', 'stored', 'duplicate', 'too-large', 'stored']);
    const seqs = outcomes.map((o) => ('seq' in o ? Number(o.seq) : 0)) as [number, number, number, number, number];
    // The duplicate answers with the first entry's id and sequence number; sequence numbers follow entry order.
    expect(outcomes[2]).toEqual({
      status: 'duplicate',
      id: batch[0]?.id,
      seq: outcomes[0]?.status === 'stored' ? outcomes[0].seq : '',
    });
    expect([seqs[1] - seqs[0], seqs[4] - seqs[1]]).toEqual([1, 1]);
    const got = await fifoReceive(T0);
    expect(got.status === 'ok' && got.messages.map((m) => m.payload.body).sort()).toEqual(['a1', 'a2', 'b1']);
    // A later batch: d1 is still within its window.
    const again = await store.sendMessages(f, [inGroup('a1 later', 'a', 'd1')], T0 + 1_000);
    expect(again?.outcomes[0]).toEqual({ status: 'duplicate', id: batch[0]?.id, seq: String(seqs[0]) });
  });

  it("holds a batch back for the queue's DelaySeconds, then releases every group", async () => {
    const d: QueueRef = { account: '000000000000', name: 'delayed.fifo' };
    await store.createQueue(d, { ...STANDARD_DEFAULTS, FifoQueue: 'true', DelaySeconds: '5' }, {}, {}, T0);
    const m1 = fifoMessage('x', 'x');
    const m2 = { ...fifoMessage('y', 'y'), payload: { ...fifoMessage('y', 'y').payload, groupId: 'other' } };
    await store.sendMessages(d, [m1, m2], T0);
    const early = await receiveFrom(d, { now: T0 + 4_999, max: 10, inflightLimit: 120_000 });
    expect(early.status).toBe('empty');
    const due = await receiveFrom(d, { now: T0 + 5_000, max: 10, inflightLimit: 120_000 });
    expect(due.status === 'ok' && due.messages.map((m) => m.payload.body).sort()).toEqual(['x', 'y']);
  });

  it("one receive drops a group's expired messages and delivers the rest of the group in order", async () => {
    const r: QueueRef = { account: '000000000000', name: 'retained.fifo' };
    await store.createQueue(r, { ...STANDARD_DEFAULTS, FifoQueue: 'true', MessageRetentionPeriod: '60' }, {}, {}, T0);
    await store.sendMessages(r, [fifoMessage('old-1', 'o1'), fifoMessage('old-2', 'o2')], T0 - 61_000);
    await store.sendMessages(r, [fifoMessage('new-1', 'n1'), fifoMessage('new-2', 'n2')], T0);
    const got = await receiveFrom(r, { now: T0, max: 10, inflightLimit: 120_000 });
    expect(got.status === 'ok' && got.messages.map((m) => m.payload.body)).toEqual(['new-1', 'new-2']);
    expect(got.status === 'ok' && new Set(got.messages.map((m) => m.token)).size).toBe(2);
    expect(await redis.hlen(`${prefix}:{000000000000/retained.fifo}:body`)).toBe(2);
    // The group is locked while its messages are in flight.
    expect((await receiveFrom(r, { now: T0, max: 10, inflightLimit: 120_000 })).status).toBe('empty');
  });

  it('deletes a batch across groups: stale and repeated handles refused, each group unlocked once empty', async () => {
    const g = (body: string, group: string): NewMessage => {
      const m = fifoMessage(body, body);
      return { ...m, payload: { ...m.payload, groupId: group } };
    };
    await store.sendMessages(
      f,
      [g('a1', 'a'), g('a2', 'a'), g('b1', 'b'), g('b2', 'b'), g('a3', 'a'), g('b3', 'b')],
      T0,
    );
    // max 10 takes a1, a2, a3 from group a and b1, b2, b3 from group b: both groups are locked.
    const got = await fifoReceive(T0);
    if (got.status !== 'ok') throw new Error('no messages');
    const by = Object.fromEntries(got.messages.map((m) => [m.payload.body, { id: m.id, token: m.token }]));
    const a1 = by.a1 as { id: string; token: string };
    const statuses = await store.deleteMessages(
      f,
      [
        a1,
        by.a2 as { id: string; token: string },
        by.a3 as { id: string; token: string },
        a1,
        { id: (by.b1 as { id: string }).id, token: 'stale' },
        by.b2 as { id: string; token: string },
      ],
      T0,
    );
    expect(statuses).toEqual(['deleted', 'deleted', 'deleted', 'gone', 'expired', 'deleted']);
    expect(await redis.hgetall(`${prefix}:{000000000000/q.fifo}:locked`)).toEqual({ b: '2' });
    // Group a is empty and unlocked; group b keeps b1 and b3 in flight.
    await store.sendMessages(f, [g('a4', 'a'), g('b4', 'b')], T0 + 1);
    const next = await fifoReceive(T0 + 2);
    expect(next.status === 'ok' && next.messages.map((m) => m.payload.body)).toEqual(['a4']);
  });

  it('expires a handle with its visibility timeout, for delete and visibility change alike', async () => {
    const limit = 43_200_000;
    await store.sendMessages(f, [fifoMessage('a', 'd1')], T0);
    const r = await fifoReceive(T0);
    if (r.status !== 'ok') throw new Error('no message');
    const receipt = { id: r.messages[0]?.id as string, token: r.messages[0]?.token as string };
    const end = T0 + 600_000;
    // Due, though still an entry of `inflight`: no receive has moved it back yet.
    expect(await store.deleteMessages(f, [receipt], end)).toEqual(['expired']);
    expect(await store.changeVisibility(f, [{ ...receipt, visibilityMs: 1 }], end, limit)).toEqual(['expired']);
    expect(await redis.hgetall(`${prefix}:{000000000000/q.fifo}:locked`)).toEqual({ g: '1' });
    // Just before the end it still works.
    expect(await store.changeVisibility(f, [{ ...receipt, visibilityMs: 1 }], end - 1, limit)).toEqual(['changed']);
    // Moved back to the available messages by a receive that took nothing.
    expect((await receiveFrom(f, { now: end, max: 0, inflightLimit: 120_000 })).status).toBe('empty');
    expect(await store.deleteMessages(f, [receipt], end)).toEqual(['expired']);
    expect(await store.changeVisibility(f, [{ ...receipt, visibilityMs: 1 }], end, limit)).toEqual(['expired']);
    const again = await fifoReceive(end);
    expect(again.status === 'ok' && again.messages.map((m) => [m.id, m.receiveCount])).toEqual([[receipt.id, 2]]);
  });

  it('forgets the deduplication ids on a purge', async () => {
    await store.sendMessages(f, [fifoMessage('a', 'd')], T0);
    expect(await store.purgeQueue(f, T0 + 1, 60_000)).toBe('ok');
    for (const key of ['dedup', 'dedupids'])
      expect(await redis.exists(`${prefix}:{000000000000/q.fifo}:${key}`)).toBe(0);
    const after = await store.sendMessages(f, [fifoMessage('b', 'd')], T0 + 2);
    expect(after?.outcomes[0]?.status).toBe('stored');
    const got = await fifoReceive(T0 + 2);
    expect(got.status === 'ok' && got.messages.map((m) => m.payload.body)).toEqual(['b']);
  });

  it('deduplicates for exactly 5 minutes', async () => {
    const first = await store.sendMessages(f, [fifoMessage('a', 'd')], T0);
    expect(first?.outcomes[0]?.status).toBe('stored');
    const dup = await store.sendMessages(f, [fifoMessage('b', 'd')], T0 + FIVE_MINUTES - 1);
    expect(dup?.outcomes[0]).toMatchObject({ status: 'duplicate' });
    const after = await store.sendMessages(f, [fifoMessage('c', 'd')], T0 + FIVE_MINUTES);
    expect(after?.outcomes[0]?.status).toBe('stored');
  });

  it('answers a retried ReceiveRequestAttemptId for 5 minutes, then receives anew', async () => {
    await store.sendMessages(f, [fifoMessage('a', 'd1'), fifoMessage('b', 'd2')], T0);
    const first = await fifoReceive(T0, 'att');
    const retry = await fifoReceive(T0 + FIVE_MINUTES - 1, 'att');
    expect(retry).toEqual(first);
    expect(await redis.zscore(`${prefix}:{000000000000/q.fifo}:attemptexp`, 'att')).toBe(String(T0 + FIVE_MINUTES));
    // At the 5-minute mark the attempt id is forgotten; the group is still held, so nothing comes.
    expect((await fifoReceive(T0 + FIVE_MINUTES, 'att')).status).toBe('empty');
  });

  it('keeps groups, locks and the available set consistent through send, receive, delete', async () => {
    await store.sendMessages(f, [fifoMessage('a', 'd1'), fifoMessage('b', 'd2')], T0);
    const r = await receiveFrom(f, { now: T0, max: 1, inflightLimit: 120_000 });
    if (r.status !== 'ok') throw new Error('no message');
    const k = (s: string) => `${prefix}:{000000000000/q.fifo}:${s}`;
    expect(await redis.hgetall(k('locked'))).toEqual({ g: '1' });
    expect(await redis.zcard(k('groups'))).toBe(0);
    await store.deleteMessages(f, [{ id: r.messages[0]?.id as string, token: r.messages[0]?.token as string }], T0);
    expect(await redis.hgetall(k('locked'))).toEqual({});
    expect(await redis.zrange(k('groups'), 0, -1, 'WITHSCORES')).toEqual(['g', '2']);
    expect(await redis.zcard(k('fifo'))).toBe(1);
  });

  it('returns nothing, rather than an error, at the in-flight limit', async () => {
    await store.sendMessages(f, [fifoMessage('a', 'd1')], T0);
    const k = `${prefix}:{000000000000/q.fifo}:inflight`;
    await redis.zadd(k, T0 + 60_000, 'someone-else');
    const r = await receiveFrom(f, { now: T0, max: 1, inflightLimit: 1 });
    expect(r.status).toBe('empty');
  });
});

describe('listAccounts', () => {
  it('reads the accounts set, and finds once per process the queues of a version that had no set', async () => {
    await store.createQueue({ account: '111111111111', name: 'a' }, STANDARD_DEFAULTS, {}, {}, 0);
    // (beforeEach made a queue of 000000000000)
    expect((await redis.smembers(`${prefix}:accounts`)).sort()).toEqual(['000000000000', '111111111111']);
    // Written as an earlier version did: the registry only.
    await redis.zadd(`${prefix}:queues:222222222222`, 0, 'old');
    expect(await new RedisStore(redis, prefix).listAccounts()).toEqual([
      '000000000000',
      '111111111111',
      '222222222222',
    ]);
    expect((await redis.smembers(`${prefix}:accounts`)).sort()).toEqual([
      '000000000000',
      '111111111111',
      '222222222222',
    ]);
    // An account whose last queue was deleted is not listed.
    await store.deleteQueue({ account: '111111111111', name: 'a' }, 0, 0);
    expect(await store.listAccounts()).toEqual(['000000000000', '222222222222']);
    // The scan is once per process, shared by the calls made while it runs.
    const scans = vi.spyOn(
      RedisAccounts.prototype as unknown as { scanRegistries(): Promise<string[]> },
      'scanRegistries',
    );
    const fresh = new RedisStore(redis, prefix);
    await Promise.all([fresh.listAccounts(), fresh.listAccounts()]);
    await fresh.listAccounts();
    expect(scans).toHaveBeenCalledTimes(1);
    scans.mockRestore();
  });
});
