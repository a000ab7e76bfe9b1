/**
 * Group commit (store/group-commit.ts): the sends and deletes of one event-loop turn for one queue
 * share one script call, and each caller still gets its own answer (FIFO rules included). The script calls are counted
 * by a Scripts that records what it runs (and can be told to fail for one queue).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { NewMessage, QueueRef } from '../../src/domain.js';
import { DEDUPLICATION_WINDOW_MS } from '../../src/sqs/limits.js';
import { FIFO_DEFAULTS, STANDARD_DEFAULTS } from '../../src/sqs/queue-attributes.js';
import { GroupCommit } from '../../src/store/group-commit.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { type Reply, type ScriptName, Scripts } from '../../src/store/scripts.js';
import type { StoreReceiveResult } from '../../src/store/store.js';

const T0 = 1_800_000_000_000;
const ACCOUNT = '000000000000';

/** Records each script call (its name and first key); fails those that `failing` picks. */
class CountingScripts extends Scripts {
  readonly calls: { name: ScriptName; key: string }[] = [];
  failing: (name: ScriptName, key: string) => boolean = () => false;

  override async run(name: ScriptName, keys: readonly string[], args: readonly (string | number)[]): Promise<Reply> {
    const key = keys[0] ?? '';
    this.calls.push({ name, key });
    if (this.failing(name, key)) throw new Error(`injected failure of ${name}`);
    return super.run(name, keys, args);
  }

  count(name: ScriptName): number {
    return this.calls.filter((c) => c.name === name).length;
  }
}

let redis: Redis;
let scripts: CountingScripts;
let store: RedisStore;
let prefix: string;
const q: QueueRef = { account: ACCOUNT, name: 'q' };
const other: QueueRef = { account: ACCOUNT, name: 'other' };
const f: QueueRef = { account: ACCOUNT, name: 'q.fifo' };

function message(body: string, extra: Partial<NewMessage> = {}): NewMessage {
  return {
    id: randomUUID(),
    size: body.length,
    payload: { body, md5Body: 'x', senderId: 's', sentTimestamp: T0 },
    ...extra,
  };
}

function fifoMessage(body: string, dedupId: string | undefined): NewMessage {
  const m = message(body, { contentHash: `h-${body}` });
  if (dedupId !== undefined) m.dedupId = dedupId;
  m.payload = { ...m.payload, groupId: 'g', dedupId: dedupId ?? `h-${body}` };
  return m;
}

async function receiveAll(queue: QueueRef, now: number, visibilityMs = 30_000): Promise<StoreReceiveResult> {
  const r = await store.receiveMessages(queue, { now, max: 10, inflightLimit: 120_000, visibilityMs });
  if (!r) throw new Error(`no queue ${queue.name}`);
  return r;
}

/** Resolves after the end of the current turn's check phase (where group commit flushes). */
const endOfTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  const keys = await redis.keys('gc-*');
  if (keys.length > 0) await redis.unlink(...keys);
  await redis.quit();
});
beforeEach(async () => {
  prefix = `gc-${randomUUID().slice(0, 8)}`;
  scripts = new CountingScripts(redis);
  store = new RedisStore(redis, prefix, scripts);
  await store.createQueue(q, { ...STANDARD_DEFAULTS, MaximumMessageSize: '1024' }, {}, {}, T0);
  await store.createQueue(other, STANDARD_DEFAULTS, {}, {}, T0);
  await store.createQueue(f, { ...FIFO_DEFAULTS, FifoQueue: 'true' }, {}, {}, T0);
  scripts.calls.length = 0;
});

describe('group commit of standard-queue sends', () => {
  it('sends the calls of one turn for one queue in one script call; each caller gets its own outcomes, in order', async () => {
    const requests = Array.from({ length: 20 }, (_, i) => [message(`m${i}`)]);
    // One request of three, its middle message larger than the queue's MaximumMessageSize.
    const mixed = [message('first'), message('x'.repeat(2000)), message('last')];
    requests.splice(7, 0, mixed);
    const results = await Promise.all(requests.map((messages) => store.sendMessages(q, messages, T0)));
    expect(scripts.count('send-messages')).toBe(1);

    expect(results.map((r) => r?.outcomes.map((o) => o.status))).toEqual(
      requests.map((messages) => (messages === mixed ? ['stored', 'too-large', 'stored'] : ['stored'])),
    );
    expect(results.every((r) => r?.maxSize === 1024)).toBe(true);
    // Stored in the order the calls were made: sequence numbers rise across callers.
    const seqs = results.flatMap(
      (r) => r?.outcomes.flatMap((o) => (o.status === 'stored' ? [Number(o.seq)] : [])) ?? [],
    );
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(22);

    // And the queue holds exactly the stored messages, in that order.
    const stored = requests.flat().filter((m) => m.size <= 1024);
    const received: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await receiveAll(q, T0);
      if (r.status === 'ok') received.push(...r.messages.map((m) => m.id));
    }
    expect(received).toEqual(stored.map((m) => m.id));
  });

  it("keeps each caller's moment: its delay starts at its own now", async () => {
    const early = message('early', { delayMs: 5_000 });
    const late = message('late', { delayMs: 5_000 });
    await Promise.all([store.sendMessages(q, [early], T0), store.sendMessages(q, [late], T0 + 1_000)]);
    expect(scripts.count('send-messages')).toBe(1);
    expect(await receiveAll(q, T0 + 4_999)).toMatchObject({ status: 'empty', nextVisibleMs: T0 + 5_000 });
    const first = await receiveAll(q, T0 + 5_000);
    expect(first.status === 'ok' && first.messages.map((m) => m.id)).toEqual([early.id]);
    expect((await receiveAll(q, T0 + 5_999)).status).toBe('empty');
    const second = await receiveAll(q, T0 + 6_000);
    expect(second.status === 'ok' && second.messages.map((m) => m.id)).toEqual([late.id]);
  });

  it('sends a lone call at the end of the same turn, on no timer', async () => {
    const pending = store.sendMessages(q, [message('alone')], T0);
    expect(scripts.count('send-messages')).toBe(0);
    await endOfTurn();
    expect(scripts.count('send-messages')).toBe(1);
    expect((await pending)?.outcomes.map((o) => o.status)).toEqual(['stored']);
  });

  it('makes one script call per queue: sends to two queues are two calls', async () => {
    const a = [message('a1'), message('a2')];
    const b = [message('b1')];
    const [ra1, rb, ra2] = await Promise.all([
      store.sendMessages(q, [a[0] as NewMessage], T0),
      store.sendMessages(other, b, T0),
      store.sendMessages(q, [a[1] as NewMessage], T0),
    ]);
    expect(scripts.count('send-messages')).toBe(2);
    expect([ra1, rb, ra2].map((r) => r?.outcomes[0]?.status)).toEqual(['stored', 'stored', 'stored']);
    // maxSize is each queue's own.
    expect([ra1?.maxSize, rb?.maxSize]).toEqual([1024, Number(STANDARD_DEFAULTS.MaximumMessageSize)]);
    expect((await store.getQueue(q, T0))?.counts.visible).toBe(2);
    expect((await store.getQueue(other, T0))?.counts.visible).toBe(1);
  });

  it('answers every caller of a deleted queue with undefined, and only them', async () => {
    await store.deleteQueue(other, T0, 0);
    const results = await Promise.all([
      store.sendMessages(other, [message('lost 1')], T0),
      store.sendMessages(q, [message('kept')], T0),
      store.sendMessages(other, [message('lost 2'), message('lost 3')], T0),
    ]);
    expect(results.map((r) => r?.outcomes.map((o) => o.status))).toEqual([undefined, ['stored'], undefined]);
  });

  it('fails only the calls that a failed script call carried', async () => {
    const otherKey = `{${ACCOUNT}/other}`;
    scripts.failing = (name, key) => name === 'send-messages' && key.includes(otherKey);
    const results = await Promise.allSettled([
      store.sendMessages(other, [message('o1')], T0),
      store.sendMessages(q, [message('q1')], T0),
      store.sendMessages(other, [message('o2')], T0),
      store.sendMessages(q, [message('q2')], T0),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled']);
    for (const r of results) {
      if (r.status === 'rejected') expect((r.reason as Error).message).toBe('injected failure of send-messages');
    }
    expect((await store.getQueue(q, T0))?.counts.visible).toBe(2);
    expect((await store.getQueue(other, T0))?.counts.visible).toBe(0);
  });

  it('splits a turn above the script limits into more calls, still in order', async () => {
    // 120 requests of 10 messages: 1,200 messages, above the 1,000 of one call.
    const requests = Array.from({ length: 120 }, (_, i) => Array.from({ length: 10 }, (_, j) => message(`m${i}-${j}`)));
    const results = await Promise.all(requests.map((messages) => store.sendMessages(other, messages, T0)));
    expect(scripts.count('send-messages')).toBe(2);
    expect(results.every((r) => r?.outcomes.every((o) => o.status === 'stored'))).toBe(true);
    const seqs = results.flatMap((r) => r?.outcomes.map((o) => (o.status === 'stored' ? Number(o.seq) : 0)) ?? []);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect((await store.getQueue(other, T0))?.counts.visible).toBe(1200);
  });
});

describe('group commit of FIFO sends', () => {
  it("keeps each request's rules in one script call: its own refusal, deduplication against earlier requests, order", async () => {
    const a1 = fifoMessage('a1', 'd-a');
    const refusedBatch = [fifoMessage('r1', 'd-r'), fifoMessage('r2', undefined)];
    const again = fifoMessage('a1 again', 'd-a');
    const b1 = fifoMessage('b1', 'd-b');
    const results = await Promise.all([
      store.sendMessages(f, [a1], T0),
      store.sendMessages(f, refusedBatch, T0),
      store.sendMessages(f, [again, b1], T0),
    ]);
    expect(scripts.count('send-fifo-messages')).toBe(1);
    const [ra, rr, rab] = results;
    expect(rr?.outcomes.map((o) => o.status)).toEqual(['no-dedup-id', 'no-dedup-id']);
    const stored = ra?.outcomes[0];
    if (stored?.status !== 'stored') throw new Error('a1 not stored');
    // The later request's entry is a duplicate of the earlier request's message.
    expect(rab?.outcomes[0]).toEqual({ status: 'duplicate', id: a1.id, seq: stored.seq });
    const b = rab?.outcomes[1];
    expect(b?.status === 'stored' && Number(b.seq) > Number(stored.seq)).toBe(true);

    const got = await receiveAll(f, T0);
    expect(got.status === 'ok' && got.messages.map((m) => m.id)).toEqual([a1.id, b1.id]);
  });

  it("judges a stored deduplication id at each request's own moment", async () => {
    const first = fifoMessage('first', 'd-old');
    await store.sendMessages(f, [first], T0);
    scripts.calls.length = 0;
    // The id's window ends at T0 + DEDUPLICATION_WINDOW_MS: still on for the first request, over for the second.
    const inWindow = fifoMessage('in window', 'd-old');
    const after = fifoMessage('after', 'd-old');
    const [r1, r2] = await Promise.all([
      store.sendMessages(f, [inWindow], T0 + DEDUPLICATION_WINDOW_MS - 1),
      store.sendMessages(f, [after], T0 + DEDUPLICATION_WINDOW_MS),
    ]);
    expect(scripts.count('send-fifo-messages')).toBe(1);
    expect(r1?.outcomes[0]).toMatchObject({ status: 'duplicate', id: first.id });
    expect(r2?.outcomes[0]?.status).toBe('stored');
  });

  it("ends an earlier request's deduplication window at a later request's own moment, in one call", async () => {
    scripts.calls.length = 0;
    // Sent as separate calls, the second would be stored: its moment is past the first's window.
    const [r1, r2] = await Promise.all([
      store.sendMessages(f, [fifoMessage('early', 'd-moved')], T0),
      store.sendMessages(f, [fifoMessage('late', 'd-moved')], T0 + DEDUPLICATION_WINDOW_MS),
    ]);
    expect(scripts.count('send-fifo-messages')).toBe(1);
    expect(r1?.outcomes[0]?.status).toBe('stored');
    expect(r2?.outcomes[0]?.status).toBe('stored');
  });
});

describe('group commit of deletes', () => {
  it('deletes the receipts of one turn for one queue in one script call, a status per entry per caller', async () => {
    const sent = Array.from({ length: 6 }, (_, i) => message(`d${i}`));
    await store.sendMessages(q, sent, T0);
    const got = await receiveAll(q, T0);
    if (got.status !== 'ok') throw new Error('nothing received');
    const [r0, r1, r2, r3, r4] = got.messages.map((m) => ({ id: m.id, token: m.token }));
    if (!r0 || !r1 || !r2 || !r3 || !r4) throw new Error('too few received');
    scripts.calls.length = 0;
    const results = await Promise.all([
      store.deleteMessages(q, [r0], T0),
      store.deleteMessages(q, [r1, { id: 'no-such-message', token: 'x' }, r2], T0),
      // The same receipt in two requests: deleted by the first, gone for the second (as in two calls).
      store.deleteMessages(q, [r3], T0),
      store.deleteMessages(q, [r3, r4], T0),
      store.deleteMessages(other, [r4], T0),
    ]);
    expect(scripts.count('delete-messages')).toBe(2);
    expect(results).toEqual([['deleted'], ['deleted', 'gone', 'deleted'], ['deleted'], ['gone', 'deleted'], ['gone']]);
    expect((await store.getQueue(q, T0 + 60_000))?.counts).toEqual({ visible: 1, notVisible: 0, delayed: 0 });
  });

  it("judges each FIFO receipt at its own caller's moment", async () => {
    await store.sendMessages(f, [fifoMessage('one', 'd1'), fifoMessage('two', 'd2')], T0);
    const got = await receiveAll(f, T0, 10_000);
    if (got.status !== 'ok' || got.messages.length !== 2) throw new Error('expected two messages');
    const [a, b] = got.messages.map((m) => ({ id: m.id, token: m.token }));
    scripts.calls.length = 0;
    const results = await Promise.all([
      store.deleteMessages(f, [a as { id: string; token: string }], T0 + 9_999),
      store.deleteMessages(f, [b as { id: string; token: string }], T0 + 10_000),
    ]);
    expect(scripts.count('delete-messages')).toBe(1);
    expect(results).toEqual([['deleted'], ['expired']]);
  });

  it('answers the deletes of a deleted queue with undefined, and fails only the failed call', async () => {
    await store.deleteQueue(other, T0, 0);
    expect(
      await Promise.all([
        store.deleteMessages(other, [{ id: 'a', token: 't' }], T0),
        store.deleteMessages(q, [{ id: 'b', token: 't' }], T0),
      ]),
    ).toEqual([undefined, ['gone']]);
    scripts.failing = (name, key) => name === 'delete-messages' && key.includes(`{${ACCOUNT}/q}`);
    const settled = await Promise.allSettled([
      store.deleteMessages(q, [{ id: 'c', token: 't' }], T0),
      store.deleteMessages(f, [{ id: 'd', token: 't' }], T0),
      store.deleteMessages(q, [{ id: 'e', token: 't' }], T0),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'fulfilled', 'rejected']);
  });
});

describe('GroupCommit', () => {
  const sizeOf = (call: number) => ({ items: call, bytes: call * 100 });

  it('opens a new batch when a call would pass the limits, and sends a larger call alone', async () => {
    const batches: number[][] = [];
    const gc = new GroupCommit<number, string>(
      async (calls) => {
        batches.push([...calls]);
        return calls.map((c) => `r${c}`);
      },
      sizeOf,
      { items: 5, bytes: 1_000_000 },
    );
    const results = await Promise.all([3, 2, 1, 9, 2].map((c) => gc.submit('k', c)));
    expect(results).toEqual(['r3', 'r2', 'r1', 'r9', 'r2']);
    expect(batches).toEqual([[3, 2], [1], [9], [2]]);
    expect(gc.stats).toEqual({ batches: 4, calls: 5 });
  });

  it('splits on bytes too, and keeps keys apart', async () => {
    const batches: number[][] = [];
    const gc = new GroupCommit<number, number>(
      async (calls) => {
        batches.push([...calls]);
        return calls.map((c) => c * 10);
      },
      sizeOf,
      { items: 100, bytes: 250 },
    );
    const results = await Promise.all([gc.submit('a', 1), gc.submit('b', 1), gc.submit('a', 1), gc.submit('a', 1)]);
    expect(results).toEqual([10, 10, 10, 10]);
    expect(batches).toEqual([[1, 1], [1], [1]]);
  });

  it('rejects every call of a batch whose run throws or answers the wrong number of results', async () => {
    const throwing = new GroupCommit<number, number>(
      () => {
        throw new Error('boom');
      },
      sizeOf,
      { items: 10, bytes: 10_000 },
    );
    const thrown = await Promise.allSettled([throwing.submit('k', 1), throwing.submit('k', 1)]);
    expect(thrown.map((s) => s.status === 'rejected' && (s.reason as Error).message)).toEqual(['boom', 'boom']);
    const short = new GroupCommit<number, number>(async () => [1], sizeOf, { items: 10, bytes: 10_000 });
    const shorted = await Promise.allSettled([short.submit('k', 1), short.submit('k', 1)]);
    expect(shorted.map((s) => s.status)).toEqual(['rejected', 'rejected']);
  });
});
