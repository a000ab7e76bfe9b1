/**
 * The Store contract: one suite, run against the Redis store and against the fake store of the
 * action unit tests (test/helpers/fake-store.ts), so the fake cannot drift. Only the public Store
 * interface is used. The Redis store (its Lua scripts) is the reference: where the two differ, the
 * fake is fixed. What only Redis has (keys, the outbox, dead-letter redrive, pub/sub) is tested in
 * redis-store.test.ts, moves.test.ts and peek.test.ts (which runs its shared part on both too).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { MessagePayload, NewMessage, QueueRef } from '../../src/domain.js';
import { FIFO_DEFAULTS, STANDARD_DEFAULTS } from '../../src/sqs/queue-attributes.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { encodeRedrive } from '../../src/store/redrive-fields.js';
import type { ReceiveOptions, SendOutcome, Store, StoredReceipt, StoreReceiveResult } from '../../src/store/store.js';
import { FakeStore } from '../helpers/fake-store.js';

const T0 = 1_800_000_000_000;
const ACCOUNT = '000000000000';
const FIVE_MINUTES = 300_000;
/** The 12 hours SQS allows a message to stay invisible since its receive. */
const VISIBILITY_LIMIT_MS = 43_200_000;
const std: QueueRef = { account: ACCOUNT, name: 'q' };
const fifo: QueueRef = { account: ACCOUNT, name: 'q.fifo' };
const ref = (name: string): QueueRef => ({ account: ACCOUNT, name });

/** The internal fields of a RedrivePolicy naming `dlq` (deadLetterSources reads them; redrive-check.ts writes them). */
const redrivesTo = (dlq: string) => encodeRedrive({ maxReceiveCount: 5, deadLetterQueue: dlq });

function payload(body: string, extra: Partial<MessagePayload> = {}): MessagePayload {
  return { body, md5Body: `md5-${body}`, senderId: 'AIDAEXAMPLE', sentTimestamp: T0, ...extra };
}

function message(body: string, extra: Partial<NewMessage> = {}): NewMessage {
  return { id: randomUUID(), size: body.length, payload: payload(body), ...extra };
}

/** A FIFO message of `group`; dedupId '' leaves the deduplication id out. */
function fifoMessage(body: string, group = 'g', dedupId: string = randomUUID()): NewMessage {
  return {
    id: randomUUID(),
    size: body.length,
    payload: payload(body, { groupId: group, ...(dedupId ? { dedupId } : {}) }),
    ...(dedupId ? { dedupId } : {}),
    contentHash: `sha-${body}`,
  };
}

let redis: Redis;
beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  const keys = await redis.keys('contract-*');
  if (keys.length > 0) await redis.unlink(...keys);
  await redis.quit();
});

const stores: [string, () => Store][] = [
  ['redis', () => new RedisStore(redis, `contract-${randomUUID().slice(0, 8)}`)],
  ['fake', () => new FakeStore()],
];

type Receipt = { id: string; token: string };

const ok = (r: StoreReceiveResult | undefined): StoredReceipt[] => {
  if (r?.status !== 'ok') throw new Error(`expected messages, got ${JSON.stringify(r)}`);
  return r.messages;
};
const bodies = (r: StoreReceiveResult | undefined): string[] =>
  r?.status === 'ok' ? r.messages.map((m) => m.payload.body) : [];
const receipt = (m: StoredReceipt | undefined): Receipt => {
  if (!m) throw new Error('no message');
  return { id: m.id, token: m.token };
};
const statuses = (outcomes: SendOutcome[] | undefined) => outcomes?.map((o) => o.status);
const seqOf = (o: SendOutcome | undefined): number => Number(o && 'seq' in o ? o.seq : Number.NaN);

describe.each(stores)('Store contract (%s store)', (_name, make) => {
  let store: Store;
  const create = (q: QueueRef, attributes = q.name.endsWith('.fifo') ? FIFO_DEFAULTS : STANDARD_DEFAULTS) =>
    store.createQueue(q, attributes, {}, {}, T0);
  const receive = (q: QueueRef, now: number, options: Partial<ReceiveOptions> = {}) =>
    store.receiveMessages(q, { now, max: 10, inflightLimit: 120_000, ...options });
  const counts = async (q: QueueRef, now: number) => (await store.getQueue(q, now))?.counts;
  /** The enqueue time of the queue's oldest message, as getQueue tells it ('none': no such field). */
  const oldest = async (q: QueueRef, now: number) => {
    const state = await store.getQueue(q, now);
    return state === undefined ? undefined : 'oldestSentMs' in state ? state.oldestSentMs : 'none';
  };

  beforeEach(() => {
    store = make();
  });

  describe('queues', () => {
    it('creates a queue, confirms an identical one, and names the first requested attribute that differs', async () => {
      const stored = { ...STANDARD_DEFAULTS, VisibilityTimeout: '45' };
      expect(await store.createQueue(std, stored, { VisibilityTimeout: '45' }, {}, T0)).toEqual({ status: 'created' });
      expect(await store.createQueue(std, stored, { VisibilityTimeout: '45' }, {}, T0 + 1)).toEqual({
        status: 'exists',
      });
      expect(await store.createQueue(std, stored, {}, {}, T0 + 1)).toEqual({ status: 'exists' });
      // '' asks for an attribute to be absent.
      expect(await store.createQueue(std, stored, { RedrivePolicy: '' }, {}, T0 + 1)).toEqual({ status: 'exists' });
      expect(await store.createQueue(std, stored, { VisibilityTimeout: '45', DelaySeconds: '5' }, {}, T0 + 1)).toEqual({
        status: 'differs',
        attribute: 'DelaySeconds',
      });
      expect(await store.createQueue(std, stored, { VisibilityTimeout: '' }, {}, T0 + 1)).toEqual({
        status: 'differs',
        attribute: 'VisibilityTimeout',
      });
      // An existing queue keeps its attributes and its creation time.
      expect(await store.getQueue(std, T0 + 2)).toEqual({
        attributes: stored,
        counts: { visible: 0, notVisible: 0, delayed: 0 },
        createdMs: T0,
        modifiedMs: T0,
      });
    });

    it('tells a queue that does not exist', async () => {
      expect(await store.queueExists(std)).toBe(false);
      expect(await store.getQueue(std, T0)).toBeUndefined();
      await create(std);
      expect(await store.queueExists(std)).toBe(true);
      expect(await store.queueExists({ account: '111111111111', name: 'q' })).toBe(false);
    });

    it('answers undefined from every call on a queue that does not exist, and changes nothing', async () => {
      const nope = ref('nope');
      const r = { id: randomUUID(), token: 't' };
      const answers = {
        deleteQueue: await store.deleteQueue(nope, T0, 60_000),
        getQueue: await store.getQueue(nope, T0),
        setQueueAttributes: await store.setQueueAttributes(nope, { DelaySeconds: '1' }, T0),
        swapQueueAttribute: await store.swapQueueAttribute(nope, 'Policy', '', 'p', T0),
        sendMessages: await store.sendMessages(nope, [message('a')], T0),
        receiveMessages: await receive(nope, T0),
        deleteMessages: await store.deleteMessages(nope, [r], T0),
        deleteNoMessages: await store.deleteMessages(nope, [], T0),
        changeVisibility: await store.changeVisibility(nope, [{ ...r, visibilityMs: 0 }], T0, VISIBILITY_LIMIT_MS),
        purgeQueue: await store.purgeQueue(nope, T0, 60_000),
        tagQueue: await store.tagQueue(nope, { a: '1' }, 50),
        untagQueue: await store.untagQueue(nope, ['a']),
        listQueueTags: await store.listQueueTags(nope),
        peekMessages: await store.peekMessages(nope, { now: T0 }),
      };
      expect(Object.entries(answers).filter(([, answer]) => answer !== undefined)).toEqual([]);
      expect(await store.queueExists(nope)).toBe(false);
      // Not even a tombstone: the name is free.
      expect(await create(nope)).toEqual({ status: 'created' });
    });

    it('sets attributes ("" removes one), hides internal ones, and keeps the modification time', async () => {
      expect(await store.setQueueAttributes(std, { DelaySeconds: '1' }, T0)).toBeUndefined();
      await create(std);
      expect(
        await store.setQueueAttributes(std, { DelaySeconds: '7', RedrivePolicy: 'p', _internal: 'x' }, T0 + 5),
      ).toBe('ok');
      expect(await store.setQueueAttributes(std, { RedrivePolicy: '' }, T0 + 9)).toBe('ok');
      const state = await store.getQueue(std, T0 + 10);
      expect(state?.attributes).toEqual({ ...STANDARD_DEFAULTS, DelaySeconds: '7' });
      expect([state?.createdMs, state?.modifiedMs]).toEqual([T0, T0 + 9]);
      // Internal attributes are compared by createQueue like any other.
      expect(await store.createQueue(std, STANDARD_DEFAULTS, { _internal: 'x' }, {}, T0)).toEqual({ status: 'exists' });
    });

    it('swaps an attribute only from the value expected', async () => {
      expect(await store.swapQueueAttribute(std, 'Policy', '', 'p1', T0)).toBeUndefined();
      await create(std);
      expect(await store.swapQueueAttribute(std, 'Policy', 'p0', 'p1', T0 + 1)).toBe('conflict');
      expect(await store.swapQueueAttribute(std, 'Policy', '', 'p1', T0 + 2)).toBe('ok');
      expect(await store.swapQueueAttribute(std, 'Policy', '', 'p2', T0 + 3)).toBe('conflict');
      expect((await store.getQueue(std, T0))?.attributes.Policy).toBe('p1');
      expect((await store.getQueue(std, T0))?.modifiedMs).toBe(T0 + 2);
      expect(await store.swapQueueAttribute(std, 'Policy', 'p1', '', T0 + 4)).toBe('ok');
      expect((await store.getQueue(std, T0))?.attributes.Policy).toBeUndefined();
    });

    it('lists queue names of one account in lexical order, by prefix, after a name, up to a limit', async () => {
      for (const name of ['b', 'a-2', 'a_1', 'A', 'a', 'a.fifo', 'c']) await create(ref(name));
      await store.createQueue({ account: '111111111111', name: 'a-other' }, STANDARD_DEFAULTS, {}, {}, T0);
      expect(await store.listQueues(ACCOUNT, '', undefined, 1000)).toEqual([
        'A',
        'a',
        'a-2',
        'a.fifo',
        'a_1',
        'b',
        'c',
      ]);
      expect(await store.listQueues(ACCOUNT, 'a', undefined, 1000)).toEqual(['a', 'a-2', 'a.fifo', 'a_1']);
      expect(await store.listQueues(ACCOUNT, 'a', 'a-2', 2)).toEqual(['a.fifo', 'a_1']);
      expect(await store.listQueues(ACCOUNT, 'a', 'a_1', 2)).toEqual([]);
      // A name before the prefix starts at the prefix.
      expect(await store.listQueues(ACCOUNT, 'b', 'a', 10)).toEqual(['b']);
      expect(await store.listQueues(ACCOUNT, '', 'a.fifo', 10)).toEqual(['a_1', 'b', 'c']);
      expect(await store.listQueues('222222222222', '', undefined, 10)).toEqual([]);
      await store.deleteQueue(ref('a-2'), T0, 0);
      expect(await store.listQueues(ACCOUNT, 'a', undefined, 3)).toEqual(['a', 'a.fifo', 'a_1']);
    });

    it('deletes a queue with its messages and tags, and blocks the name until the tombstone ends', async () => {
      expect(await store.deleteQueue(std, T0, 60_000)).toBeUndefined();
      await store.createQueue(std, STANDARD_DEFAULTS, {}, { team: 'x' }, T0);
      await store.sendMessages(std, [message('a'), message('b')], T0);
      expect(await store.deleteQueue(std, T0, 60_000)).toBe('ok');
      expect(await store.deleteQueue(std, T0, 60_000)).toBeUndefined();
      expect(await store.queueExists(std)).toBe(false);
      expect(await store.sendMessages(std, [message('c')], T0)).toBeUndefined();
      expect(await store.createQueue(std, STANDARD_DEFAULTS, {}, {}, T0 + 59_999)).toEqual({
        status: 'deleted-recently',
      });
      expect(await store.createQueue(std, STANDARD_DEFAULTS, {}, {}, T0 + 60_000)).toEqual({ status: 'created' });
      // A new queue: no messages, no tags, sequence numbers from the start again.
      expect(await counts(std, T0 + 60_000)).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
      expect(await store.listQueueTags(std)).toEqual({});
      const sent = await store.sendMessages(std, [message('d')], T0 + 60_000);
      expect(sent?.outcomes).toEqual([{ status: 'stored', seq: '1' }]);
    });

    it('does not block the name when the tombstone is 0', async () => {
      await create(std);
      expect(await store.deleteQueue(std, T0, 0)).toBe('ok');
      expect(await store.createQueue(std, STANDARD_DEFAULTS, {}, {}, T0)).toEqual({ status: 'created' });
    });

    it('tags a queue: merges, overwrites, counts only new keys against the limit, untags', async () => {
      expect(await store.tagQueue(std, { a: '1' }, 3)).toBeUndefined();
      expect(await store.untagQueue(std, ['a'])).toBeUndefined();
      expect(await store.listQueueTags(std)).toBeUndefined();
      await store.createQueue(std, STANDARD_DEFAULTS, {}, { a: '1' }, T0);
      expect(await store.listQueueTags(std)).toEqual({ a: '1' });
      expect(await store.tagQueue(std, { b: '2', c: '3' }, 3)).toBe('ok');
      expect(await store.tagQueue(std, { a: 'one', d: '4' }, 3)).toBe('too-many');
      expect(await store.listQueueTags(std)).toEqual({ a: '1', b: '2', c: '3' });
      expect(await store.tagQueue(std, { a: 'one' }, 3)).toBe('ok');
      expect(await store.untagQueue(std, ['b', 'nope'])).toBe('ok');
      expect(await store.untagQueue(std, [])).toBe('ok');
      expect(await store.listQueueTags(std)).toEqual({ a: 'one', c: '3' });
      // Tags are not attributes.
      expect((await store.getQueue(std, T0))?.attributes).toEqual(STANDARD_DEFAULTS);
    });

    it('lists the dead-letter sources whose policy still names the queue, in name order', async () => {
      const dlq = ref('dlq');
      await create(dlq);
      for (const name of ['src-b', 'src-a', 'src-c']) {
        await store.createQueue(ref(name), { ...STANDARD_DEFAULTS, ...redrivesTo('dlq') }, {}, {}, T0);
        await store.recordDeadLetterSource(dlq, name);
      }
      await store.recordDeadLetterSource(dlq, 'src-a');
      expect(await store.deadLetterSources(dlq)).toEqual(['src-a', 'src-b', 'src-c']);
      await store.setQueueAttributes(ref('src-b'), redrivesTo('other'), T0);
      await store.deleteQueue(ref('src-c'), T0, 0);
      expect(await store.deadLetterSources(dlq)).toEqual(['src-a']);
      expect(await store.deadLetterSources(ref('other'))).toEqual([]);
      // The index goes with the dead-letter queue.
      await store.deleteQueue(dlq, T0, 0);
      await create(dlq);
      expect(await store.deadLetterSources(dlq)).toEqual([]);
    });

    it('keeps a dead-letter source recorded before its dead-letter queue exists', async () => {
      await store.createQueue(ref('src'), { ...STANDARD_DEFAULTS, ...redrivesTo('dlq') }, {}, {}, T0);
      await store.recordDeadLetterSource(ref('dlq'), 'src');
      expect(await store.deadLetterSources(ref('dlq'))).toEqual(['src']);
      await create(ref('dlq'));
      expect(await store.deadLetterSources(ref('dlq'))).toEqual(['src']);
    });
  });

  describe('sending and receiving (standard queue)', () => {
    beforeEach(async () => {
      await create(std);
    });

    it('stores messages in order with consecutive sequence numbers; too large ones are not stored', async () => {
      expect(await store.sendMessages(ref('nope'), [message('a')], T0)).toBeUndefined();
      const big = { ...message('big'), size: Number(STANDARD_DEFAULTS.MaximumMessageSize) + 1 };
      const edge = { ...message('edge'), size: Number(STANDARD_DEFAULTS.MaximumMessageSize) };
      const sent = await store.sendMessages(std, [message('a'), big, edge, message('b')], T0);
      expect(sent?.maxSize).toBe(Number(STANDARD_DEFAULTS.MaximumMessageSize));
      expect(statuses(sent?.outcomes)).toEqual(['stored', 'too-large', 'stored', 'stored']);
      const [a, , e, b] = sent?.outcomes ?? [];
      expect([seqOf(e) - seqOf(a), seqOf(b) - seqOf(e)]).toEqual([1, 1]);
      const next = await store.sendMessages(std, [message('c')], T0);
      expect(seqOf(next?.outcomes[0])).toBe(seqOf(b) + 1);
      // Nothing but too large ones.
      expect((await store.sendMessages(std, [big], T0))?.outcomes).toEqual([{ status: 'too-large' }]);
      expect(await counts(std, T0)).toEqual({ visible: 4, notVisible: 0, delayed: 0 });
    });

    it('receives in send order, at most `max`, each message once while invisible', async () => {
      expect(await receive(ref('nope'), T0)).toBeUndefined();
      const sent = [message('a'), message('b'), message('c')];
      await store.sendMessages(std, sent, T0);
      const first = ok(await receive(std, T0, { max: 2 }));
      expect(first.map((m) => [m.id, m.payload.body, m.receiveCount, m.firstReceiveTimestamp])).toEqual([
        [sent[0]?.id, 'a', 1, T0],
        [sent[1]?.id, 'b', 1, T0],
      ]);
      expect(Number(first[1]?.sequenceNumber)).toBe(Number(first[0]?.sequenceNumber) + 1);
      expect(new Set(first.map((m) => m.token)).size).toBe(2);
      expect(first[0]?.token).toEqual(expect.any(String));
      expect(bodies(await receive(std, T0 + 1))).toEqual(['c']);
      expect(await receive(std, T0 + 2)).toMatchObject({ status: 'empty' });
    });

    it('keeps the payload as sent', async () => {
      const full = message('body\nwith lines and ünïcödé 🎉', {
        payload: payload('body\nwith lines and ünïcödé 🎉', {
          attributes: {
            s: { DataType: 'String', StringValue: 'v' },
            n: { DataType: 'Number.int', StringValue: '42' },
            b: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 255]) },
          },
          md5Attributes: 'md5-attrs',
          traceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793',
          md5System: 'md5-sys',
          groupId: 'fair-group',
        }),
      });
      await store.sendMessages(std, [full, message('')], T0);
      const [m, empty] = ok(await receive(std, T0));
      expect(m?.payload).toEqual(full.payload);
      expect(empty?.payload.body).toBe('');
    });

    it("hides a received message for the queue's VisibilityTimeout, or the one asked for", async () => {
      await store.setQueueAttributes(std, { VisibilityTimeout: '20' }, T0);
      await store.sendMessages(std, [message('default'), message('asked')], T0);
      ok(await receive(std, T0, { max: 1 }));
      ok(await receive(std, T0, { max: 1, visibilityMs: 5_000 }));
      expect(await counts(std, T0)).toEqual({ visible: 0, notVisible: 2, delayed: 0 });
      expect(await receive(std, T0 + 4_999)).toMatchObject({ status: 'empty', nextVisibleMs: T0 + 5_000 });
      expect(await counts(std, T0 + 5_000)).toEqual({ visible: 1, notVisible: 1, delayed: 0 });
      const again = ok(await receive(std, T0 + 5_000));
      expect(again.map((m) => [m.payload.body, m.receiveCount, m.firstReceiveTimestamp])).toEqual([['asked', 2, T0]]);
      expect(await receive(std, T0 + 19_999)).toMatchObject({ status: 'empty', nextVisibleMs: T0 + 20_000 });
      expect(bodies(await receive(std, T0 + 20_000))).toEqual(['default']);
    });

    it('gives a new receipt token on every receive', async () => {
      await store.sendMessages(std, [message('a')], T0);
      const first = ok(await receive(std, T0, { visibilityMs: 1_000 }))[0];
      const second = ok(await receive(std, T0 + 1_000, { visibilityMs: 1_000 }))[0];
      expect(second?.id).toBe(first?.id);
      expect(second?.token).not.toBe(first?.token);
      expect(second?.sequenceNumber).toBe(first?.sequenceNumber);
    });

    it("delays a message by its own delay, else by the queue's DelaySeconds", async () => {
      await store.setQueueAttributes(std, { DelaySeconds: '10' }, T0);
      await store.sendMessages(
        std,
        [message('queue-delay'), message('own', { delayMs: 3_000 }), message('none', { delayMs: 0 })],
        T0,
      );
      expect(await counts(std, T0)).toEqual({ visible: 1, notVisible: 0, delayed: 2 });
      expect(bodies(await receive(std, T0))).toEqual(['none']);
      expect(await receive(std, T0 + 2_999)).toMatchObject({ status: 'empty', nextVisibleMs: T0 + 3_000 });
      expect(await counts(std, T0 + 3_000)).toEqual({ visible: 1, notVisible: 1, delayed: 1 });
      expect(bodies(await receive(std, T0 + 3_000))).toEqual(['own']);
      expect(bodies(await receive(std, T0 + 10_000))).toEqual(['queue-delay']);
    });

    it('answers an empty receive with when to look again and the queue wait time', async () => {
      expect(await receive(std, T0)).toEqual({ status: 'empty', queueWaitSeconds: 0, moved: 0 });
      await store.setQueueAttributes(std, { ReceiveMessageWaitTimeSeconds: '20' }, T0);
      await store.sendMessages(std, [message('later', { delayMs: 8_000 }), message('flying')], T0);
      ok(await receive(std, T0, { visibilityMs: 5_000 }));
      expect(await receive(std, T0 + 1)).toEqual({
        status: 'empty',
        nextVisibleMs: T0 + 5_000,
        queueWaitSeconds: 20,
        moved: 0,
      });
      // max 0 takes nothing.
      expect(await receive(std, T0 + 9_000, { max: 0 })).toMatchObject({ status: 'empty' });
      expect(bodies(await receive(std, T0 + 9_000))).toEqual(['later', 'flying']);
    });

    it('refuses a receive when the in-flight limit is reached', async () => {
      await store.sendMessages(std, [message('a'), message('b'), message('c')], T0);
      ok(await receive(std, T0, { max: 2, visibilityMs: 1_000, inflightLimit: 2 }));
      expect(await receive(std, T0, { inflightLimit: 2 })).toEqual({ status: 'over-limit' });
      // Messages whose visibility ended are not in flight.
      expect(bodies(await receive(std, T0 + 1_000, { max: 1, inflightLimit: 2 }))).toEqual(['a']);
    });

    it('counts available, in-flight and delayed messages at a moment', async () => {
      await store.sendMessages(std, [message('a'), message('b'), message('c', { delayMs: 2_000 })], T0);
      ok(await receive(std, T0, { max: 1, visibilityMs: 1_000 }));
      expect(await counts(std, T0)).toEqual({ visible: 1, notVisible: 1, delayed: 1 });
      expect(await counts(std, T0 + 1_000)).toEqual({ visible: 2, notVisible: 0, delayed: 1 });
      expect(await counts(std, T0 + 2_000)).toEqual({ visible: 3, notVisible: 0, delayed: 0 });
    });

    it('tells the enqueue time of the oldest message, whatever its state, until it is gone', async () => {
      expect(await oldest(std, T0)).toBe('none');
      await store.setQueueAttributes(std, { MessageRetentionPeriod: '60' }, T0);
      await store.sendMessages(std, [message('old')], T0 - 60_001);
      await store.sendMessages(std, [message('a')], T0 - 5_000);
      await store.sendMessages(std, [message('b', { delayMs: 10_000 })], T0 - 2_000);
      await store.sendMessages(std, [message('c')], T0);
      // Past its retention period, a message counts until a receive (or the sweeper) meets it.
      expect(await oldest(std, T0)).toBe(T0 - 60_001);
      const [first] = ok(await receive(std, T0, { max: 1, visibilityMs: 30_000 }));
      expect(first?.payload.body).toBe('a');
      // In flight, it is still the oldest.
      expect(await oldest(std, T0)).toBe(T0 - 5_000);
      expect(await store.deleteMessages(std, [receipt(first)], T0)).toEqual(['deleted']);
      // Delayed: still counted.
      expect(await oldest(std, T0)).toBe(T0 - 2_000);
      expect(await store.purgeQueue(std, T0, 60_000)).toBe('ok');
      expect(await oldest(std, T0)).toBe('none');
      await store.sendMessages(std, [message('d')], T0 + 1);
      expect(await oldest(std, T0 + 1)).toBe(T0 + 1);
    });

    it('never returns a message past its retention period, and drops the ones a receive meets', async () => {
      await store.setQueueAttributes(std, { MessageRetentionPeriod: '60' }, T0);
      await store.sendMessages(std, [message('old-1'), message('old-2')], T0 - 60_001);
      await store.sendMessages(std, [message('edge')], T0 - 60_000);
      await store.sendMessages(std, [message('new')], T0);
      // Counted until a receive (or the sweeper) meets them.
      expect(await counts(std, T0)).toEqual({ visible: 4, notVisible: 0, delayed: 0 });
      expect(bodies(await receive(std, T0, { max: 1 }))).toEqual(['edge']);
      expect(await counts(std, T0)).toEqual({ visible: 1, notVisible: 1, delayed: 0 });
      expect(bodies(await receive(std, T0 + 1, { visibilityMs: 1_000 }))).toEqual(['new']);
      // Both past their retention period once their visibility timeout ends.
      expect(bodies(await receive(std, T0 + 60_001))).toEqual([]);
      expect(await counts(std, T0 + 60_001)).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
    });

    it('leaves messages past their retention period out of a peek', async () => {
      await store.setQueueAttributes(std, { MessageRetentionPeriod: '60' }, T0);
      await store.sendMessages(std, [message('old')], T0 - 60_001);
      await store.sendMessages(std, [message('edge')], T0 - 60_000);
      const peeked = await store.peekMessages(std, { now: T0 });
      expect(peeked?.messages.map((m) => m.payload.body)).toEqual(['edge']);
    });

    it('stops at `max` among messages past their retention period, leaving the rest for later', async () => {
      await store.setQueueAttributes(std, { MessageRetentionPeriod: '60' }, T0);
      await store.sendMessages(std, [message('old-1')], T0 - 61_000);
      await store.sendMessages(std, [message('new-1')], T0);
      await store.sendMessages(std, [message('old-2')], T0 - 61_000);
      await store.sendMessages(std, [message('new-2')], T0);
      expect(bodies(await receive(std, T0, { max: 1 }))).toEqual(['new-1']);
      expect(await counts(std, T0)).toEqual({ visible: 2, notVisible: 1, delayed: 0 });
      expect(bodies(await receive(std, T0, { max: 1 }))).toEqual(['new-2']);
      expect(await counts(std, T0)).toEqual({ visible: 0, notVisible: 2, delayed: 0 });
    });
  });

  describe('deleting and purging (standard queue)', () => {
    beforeEach(async () => {
      await create(std);
    });

    it('deletes with any handle of the message, in any state; a repeated or unknown one is gone', async () => {
      expect(await store.deleteMessages(ref('nope'), [{ id: 'x', token: 'y' }], T0)).toBeUndefined();
      expect(await store.deleteMessages(ref('nope'), [], T0)).toBeUndefined();
      expect(await store.deleteMessages(std, [], T0)).toEqual([]);
      const [ready, delayed, flying, expired, stale] = [
        message('ready'),
        message('delayed', { delayMs: 60_000 }),
        message('flying'),
        message('expired'),
        message('stale'),
      ];
      await store.sendMessages(std, [flying, expired, stale], T0);
      const got = ok(await receive(std, T0, { visibilityMs: 1_000 }));
      const [rf, re, rs] = got.map(receipt) as [Receipt, Receipt, Receipt];
      await store.changeVisibility(std, [{ ...rf, visibilityMs: 30_000 }], T0, VISIBILITY_LIMIT_MS);
      ok(await receive(std, T0 + 1_000, { max: 1, visibilityMs: 1_000 }));
      await store.sendMessages(std, [ready, delayed], T0 + 1_000);
      const now = T0 + 5_000;
      expect(
        await store.deleteMessages(
          std,
          [
            { id: ready.id, token: 'never-received' },
            { id: delayed.id, token: 'never-received' },
            rf,
            rf,
            re, // its visibility timeout ended
            rs, // from the receive before the latest
            { id: randomUUID(), token: 'x' },
          ],
          now,
        ),
      ).toEqual(['deleted', 'deleted', 'deleted', 'gone', 'deleted', 'deleted', 'gone']);
      expect(await counts(std, now)).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
      expect(await receive(std, now + 60_000)).toEqual({ status: 'empty', queueWaitSeconds: 0, moved: 0 });
    });

    it('deletes one message by id alone, in any state (the developer delete); an unknown id is gone', async () => {
      expect(await store.deleteMessage(ref('nope'), 'x', T0)).toBeUndefined();
      const [ready, delayed, flying] = [message('ready'), message('delayed', { delayMs: 60_000 }), message('flying')];
      await store.sendMessages(std, [flying], T0);
      ok(await receive(std, T0, { visibilityMs: 30_000 }));
      await store.sendMessages(std, [ready, delayed], T0);
      expect(await counts(std, T0)).toEqual({ visible: 1, notVisible: 1, delayed: 1 });
      expect(await store.deleteMessage(std, flying.id, T0)).toBe('deleted');
      expect(await counts(std, T0)).toEqual({ visible: 1, notVisible: 0, delayed: 1 });
      expect(await store.deleteMessage(std, delayed.id, T0)).toBe('deleted');
      expect(await store.deleteMessage(std, delayed.id, T0)).toBe('gone');
      expect(await store.deleteMessage(std, randomUUID(), T0)).toBe('gone');
      expect(await counts(std, T0)).toEqual({ visible: 1, notVisible: 0, delayed: 0 });
      expect(await oldest(std, T0)).toBe(T0);
      expect(await store.deleteMessage(std, ready.id, T0)).toBe('deleted');
      expect(await oldest(std, T0)).toBe('none');
      expect(await receive(std, T0 + 120_000)).toEqual({ status: 'empty', queueWaitSeconds: 0, moved: 0 });
    });

    it('purges every message, once per cooldown, and keeps counting sequence numbers', async () => {
      expect(await store.purgeQueue(ref('nope'), T0, 60_000)).toBeUndefined();
      const sent = await store.sendMessages(std, [message('a'), message('b', { delayMs: 5_000 })], T0);
      ok(await receive(std, T0, { max: 1 }));
      expect(await store.purgeQueue(std, T0, 60_000)).toBe('ok');
      expect(await counts(std, T0)).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
      expect(await receive(std, T0 + 10_000)).toEqual({ status: 'empty', queueWaitSeconds: 0, moved: 0 });
      expect(await store.purgeQueue(std, T0 + 59_999, 60_000)).toBe('too-soon');
      expect(await store.purgeQueue(std, T0 + 60_000, 60_000)).toBe('ok');
      const after = await store.sendMessages(std, [message('c')], T0 + 60_000);
      expect(seqOf(after?.outcomes[0])).toBe(seqOf(sent?.outcomes[1]) + 1);
      // The queue itself stays, with its attributes.
      expect((await store.getQueue(std, T0))?.attributes).toEqual(STANDARD_DEFAULTS);
    });
  });

  describe('FIFO queues', () => {
    const fifoReceive = (now: number, options: Partial<ReceiveOptions> = {}) =>
      receive(fifo, now, { visibilityMs: 30_000, ...options });

    beforeEach(async () => {
      await create(fifo);
    });

    it('deduplicates by deduplication id for exactly 5 minutes, answering with the original message', async () => {
      const first = fifoMessage('a', 'g', 'd');
      const sent = await store.sendMessages(fifo, [first], T0);
      expect(sent?.outcomes).toEqual([{ status: 'stored', seq: expect.any(String) }]);
      const seq = sent?.outcomes[0]?.status === 'stored' ? sent.outcomes[0].seq : '';
      const dup = await store.sendMessages(fifo, [fifoMessage('b', 'other-group', 'd')], T0 + FIVE_MINUTES - 1);
      expect(dup?.outcomes).toEqual([{ status: 'duplicate', id: first.id, seq }]);
      // Deleting the original does not end the window.
      const got = ok(await fifoReceive(T0));
      expect(await store.deleteMessages(fifo, got.map(receipt), T0)).toEqual(['deleted']);
      expect((await store.sendMessages(fifo, [fifoMessage('c', 'g', 'd')], T0 + 1))?.outcomes[0]?.status).toBe(
        'duplicate',
      );
      const after = await store.sendMessages(fifo, [fifoMessage('d', 'g', 'd')], T0 + FIVE_MINUTES);
      expect(after?.outcomes[0]).toEqual({ status: 'stored', seq: String(Number(seq) + 1) });
    });

    it('deletes one message by id, releasing the group its message in flight held', async () => {
      const [a1, a2, b1] = [fifoMessage('a1', 'a'), fifoMessage('a2', 'a'), fifoMessage('b1', 'b')];
      await store.sendMessages(fifo, [a1, a2, b1], T0);
      expect(bodies(await fifoReceive(T0, { max: 1 }))).toEqual(['a1']);
      // Group a is held by a1 in flight: only b1 can be received.
      expect(await store.deleteMessage(fifo, b1.id, T0)).toBe('deleted');
      expect(bodies(await fifoReceive(T0))).toEqual([]);
      expect(await store.deleteMessage(fifo, a1.id, T0)).toBe('deleted');
      expect(await store.deleteMessage(fifo, a1.id, T0)).toBe('gone');
      expect(bodies(await fifoReceive(T0))).toEqual(['a2']);
      expect(await store.deleteMessage(fifo, a2.id, T0)).toBe('deleted');
      expect(await counts(fifo, T0)).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
      // The group is free again for the next message sent to it.
      await store.sendMessages(fifo, [fifoMessage('a3', 'a')], T0);
      expect(bodies(await fifoReceive(T0))).toEqual(['a3']);
    });

    it('deduplicates within one batch, in entry order; too large entries are refused, and an entry without an id refuses the batch', async () => {
      const maxSize = Number(FIFO_DEFAULTS.MaximumMessageSize);
      const batch = [
        fifoMessage('a1', 'a', 'd1'),
        fifoMessage('b1', 'b', 'd2'),
        fifoMessage('a1 again', 'a', 'd1'),
        { ...fifoMessage('big', 'a', 'd-big'), size: maxSize + 1 },
        fifoMessage('a2', 'a', 'd3'),
        fifoMessage('big again', 'a', 'd-big'),
      ];
      // An entry without an id (none, or an empty one) refuses every entry, and stores none.
      for (const lacking of [fifoMessage('no id', 'a', ''), { ...fifoMessage('empty id', 'a', ''), dedupId: '' }]) {
        const refused = await store.sendMessages(fifo, [...batch, lacking], T0);
        expect(refused?.maxSize).toBe(maxSize);
        expect(statuses(refused?.outcomes ?? [])).toEqual(Array(batch.length + 1).fill('no-dedup-id'));
        expect(bodies(await fifoReceive(T0))).toEqual([]);
      }
      const sent = await store.sendMessages(fifo, batch, T0);
      expect(sent?.maxSize).toBe(maxSize);
      const outcomes = sent?.outcomes ?? [];
      expect(statuses(outcomes)).toEqual(['stored', 'stored', 'duplicate', 'too-large', 'stored', 'stored']);
      expect(outcomes[2]).toEqual({ status: 'duplicate', id: batch[0]?.id, seq: String(seqOf(outcomes[0])) });
      expect([seqOf(outcomes[1]) - seqOf(outcomes[0]), seqOf(outcomes[4]) - seqOf(outcomes[1])]).toEqual([1, 1]);
      expect(bodies(await fifoReceive(T0)).sort()).toEqual(['a1', 'a2', 'b1', 'big again']);
    });

    it('uses the content hash with ContentBasedDeduplication, unless a deduplication id is given', async () => {
      expect((await store.sendMessages(fifo, [fifoMessage('x', 'g', '')], T0))?.outcomes[0]?.status).toBe(
        'no-dedup-id',
      );
      await store.setQueueAttributes(fifo, { ContentBasedDeduplication: 'true' }, T0);
      const hashed = (body: string, hash: string): NewMessage => ({ ...fifoMessage(body, 'g', ''), contentHash: hash });
      const sent = await store.sendMessages(fifo, [hashed('x', 'h1'), hashed('x again', 'h1'), hashed('y', 'h2')], T0);
      expect(statuses(sent?.outcomes)).toEqual(['stored', 'duplicate', 'stored']);
      // An explicit id wins over the hash.
      const explicit = await store.sendMessages(fifo, [{ ...hashed('z', 'h1'), dedupId: 'explicit' }], T0);
      expect(statuses(explicit?.outcomes)).toEqual(['stored']);
      expect(statuses((await store.sendMessages(fifo, [fifoMessage('w', 'g', 'h2')], T0))?.outcomes)).toEqual([
        'duplicate',
      ]);
    });

    it('deduplicates per message group with DeduplicationScope messageGroup', async () => {
      await store.setQueueAttributes(fifo, { DeduplicationScope: 'messageGroup' }, T0);
      const sent = await store.sendMessages(
        fifo,
        [fifoMessage('a', 'g1', 'd'), fifoMessage('b', 'g2', 'd'), fifoMessage('c', 'g1', 'd')],
        T0,
      );
      expect(statuses(sent?.outcomes)).toEqual(['stored', 'stored', 'duplicate']);
    });

    it("ignores a message's own delay: the queue's DelaySeconds holds every message back", async () => {
      await store.setQueueAttributes(fifo, { DelaySeconds: '5' }, T0);
      await store.sendMessages(fifo, [{ ...fifoMessage('a', 'g1'), delayMs: 0 }, fifoMessage('b', 'g2')], T0);
      expect(await counts(fifo, T0)).toEqual({ visible: 0, notVisible: 0, delayed: 2 });
      expect(await fifoReceive(T0 + 4_999)).toMatchObject({ status: 'empty', nextVisibleMs: T0 + 5_000 });
      expect(bodies(await fifoReceive(T0 + 5_000)).sort()).toEqual(['a', 'b']);
    });

    it('receives group by group: the group of the oldest message first, as many of it as allowed', async () => {
      await store.sendMessages(
        fifo,
        ['a1', 'b1', 'a2', 'c1', 'b2', 'a3'].map((body) => fifoMessage(body, body[0])),
        T0,
      );
      expect(bodies(await fifoReceive(T0, { max: 2 }))).toEqual(['a1', 'a2']);
      expect(bodies(await fifoReceive(T0, { max: 2 }))).toEqual(['b1', 'b2']);
      expect(bodies(await fifoReceive(T0, { max: 10 }))).toEqual(['c1']);
      expect(await fifoReceive(T0)).toMatchObject({ status: 'empty', nextVisibleMs: T0 + 30_000 });
    });

    it('locks a group while a message of it is in flight, until deleted or visible again', async () => {
      await store.sendMessages(
        fifo,
        ['a1', 'a2', 'a3', 'b1'].map((body) => fifoMessage(body, body[0])),
        T0,
      );
      const first = ok(await fifoReceive(T0, { max: 1, visibilityMs: 10_000 }));
      expect(first.map((m) => m.payload.body)).toEqual(['a1']);
      expect(bodies(await fifoReceive(T0))).toEqual(['b1']);
      expect(await fifoReceive(T0)).toMatchObject({ status: 'empty' });
      // Locked messages are still counted as available.
      expect(await counts(fifo, T0)).toEqual({ visible: 2, notVisible: 2, delayed: 0 });
      expect(await store.deleteMessages(fifo, first.map(receipt), T0 + 1)).toEqual(['deleted']);
      const next = ok(await fifoReceive(T0 + 1, { max: 1, visibilityMs: 10_000 }));
      expect(next.map((m) => m.payload.body)).toEqual(['a2']);
      // Its visibility timeout ends: a2 comes back first, then a3, the group in order.
      expect(await fifoReceive(T0 + 10_000)).toMatchObject({ status: 'empty', nextVisibleMs: T0 + 10_001 });
      const again = ok(await fifoReceive(T0 + 10_001));
      expect(again.map((m) => [m.payload.body, m.receiveCount])).toEqual([
        ['a2', 2],
        ['a3', 1],
      ]);
    });

    it('returns nothing, rather than refusing, at the in-flight limit', async () => {
      await store.sendMessages(fifo, [fifoMessage('a1', 'a'), fifoMessage('b1', 'b')], T0);
      ok(await fifoReceive(T0, { max: 1, inflightLimit: 1 }));
      expect(await fifoReceive(T0, { inflightLimit: 1 })).toEqual({
        status: 'empty',
        nextVisibleMs: T0 + 30_000,
        queueWaitSeconds: 0,
        moved: 0,
      });
      expect(bodies(await fifoReceive(T0, { inflightLimit: 2 }))).toEqual(['b1']);
    });

    it("drops a group's messages past the retention period and delivers the rest of the group in order", async () => {
      await store.setQueueAttributes(fifo, { MessageRetentionPeriod: '60' }, T0);
      await store.sendMessages(fifo, [fifoMessage('old-1', 'g'), fifoMessage('old-2', 'g')], T0 - 61_000);
      await store.sendMessages(fifo, [fifoMessage('new-1', 'g'), fifoMessage('new-2', 'g')], T0);
      expect(bodies(await fifoReceive(T0))).toEqual(['new-1', 'new-2']);
      expect(await counts(fifo, T0)).toEqual({ visible: 0, notVisible: 2, delayed: 0 });
    });

    it('deletes only with the latest handle while it is in flight; expired once its visibility ended', async () => {
      await store.sendMessages(fifo, [fifoMessage('a', 'g'), fifoMessage('b', 'h'), fifoMessage('c', 'i')], T0);
      const [ra, rb, rc] = ok(await fifoReceive(T0, { visibilityMs: 10_000 })).map(receipt) as [
        Receipt,
        Receipt,
        Receipt,
      ];
      expect(await store.deleteMessages(fifo, [{ id: ra.id, token: 'stale' }], T0)).toEqual(['expired']);
      expect(await store.deleteMessages(fifo, [ra, ra], T0 + 9_999)).toEqual(['deleted', 'gone']);
      // At the deadline, received again or not.
      expect(await store.deleteMessages(fifo, [rb], T0 + 10_000)).toEqual(['expired']);
      const again = ok(await fifoReceive(T0 + 10_000)).map(receipt);
      expect(again.map((r) => r.id).sort()).toEqual([rb.id, rc.id].sort());
      expect(await store.deleteMessages(fifo, [rb, rc], T0 + 10_000)).toEqual(['expired', 'expired']);
      expect(await store.deleteMessages(fifo, again, T0 + 10_000)).toEqual(['deleted', 'deleted']);
      expect(await store.deleteMessages(fifo, [{ id: randomUUID(), token: 'x' }], T0)).toEqual(['gone']);
      expect(await counts(fifo, T0 + 10_000)).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
    });

    it('refuses to delete a message that was never received', async () => {
      const m = fifoMessage('a', 'g');
      await store.sendMessages(fifo, [m], T0);
      expect(await store.deleteMessages(fifo, [{ id: m.id, token: 'never' }], T0)).toEqual(['expired']);
      expect(bodies(await fifoReceive(T0))).toEqual(['a']);
    });

    it('unlocks each group once its in-flight messages are deleted', async () => {
      await store.sendMessages(
        fifo,
        ['a1', 'a2', 'b1', 'b2'].map((body) => fifoMessage(body, body[0])),
        T0,
      );
      const got = ok(await fifoReceive(T0));
      const by = Object.fromEntries(got.map((m) => [m.payload.body, receipt(m)]));
      expect(await store.deleteMessages(fifo, [by.a1, by.a2, by.b1] as Receipt[], T0)).toEqual([
        'deleted',
        'deleted',
        'deleted',
      ]);
      await store.sendMessages(fifo, [fifoMessage('a3', 'a'), fifoMessage('b3', 'b')], T0 + 1);
      expect(bodies(await fifoReceive(T0 + 2))).toEqual(['a3']);
    });

    it('purges messages and forgets the deduplication ids', async () => {
      await store.sendMessages(fifo, [fifoMessage('a', 'g', 'd')], T0);
      ok(await fifoReceive(T0));
      expect(await store.purgeQueue(fifo, T0 + 1, 60_000)).toBe('ok');
      expect(await counts(fifo, T0 + 1)).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
      expect(statuses((await store.sendMessages(fifo, [fifoMessage('b', 'g', 'd')], T0 + 2))?.outcomes)).toEqual([
        'stored',
      ]);
      // The group is free again.
      expect(bodies(await fifoReceive(T0 + 2))).toEqual(['b']);
    });

    it('answers a retried ReceiveRequestAttemptId with the same messages for 5 minutes', async () => {
      await store.sendMessages(fifo, [fifoMessage('a1', 'a'), fifoMessage('a2', 'a'), fifoMessage('b1', 'b')], T0);
      const first = await fifoReceive(T0, { attemptId: 'att', max: 2, visibilityMs: 60_000 });
      expect(bodies(first)).toEqual(['a1', 'a2']);
      const retry = await fifoReceive(T0 + 50_000, { attemptId: 'att', max: 2, visibilityMs: 60_000 });
      expect(retry).toEqual(first);
      // The retry restarted the visibility timeout.
      expect(await counts(fifo, T0 + 60_000)).toEqual({ visible: 1, notVisible: 2, delayed: 0 });
      // Another attempt id receives anew.
      expect(bodies(await fifoReceive(T0 + 60_000, { attemptId: 'other' }))).toEqual(['b1']);
      // Once a message of the attempt was deleted, the retry is a new receive.
      await store.deleteMessages(fifo, ok(first).slice(0, 1).map(receipt), T0 + 60_000);
      expect(await fifoReceive(T0 + 60_000, { attemptId: 'att' })).toMatchObject({ status: 'empty' });
    });

    it('forgets a ReceiveRequestAttemptId after 5 minutes', async () => {
      await store.sendMessages(fifo, [fifoMessage('a1', 'a')], T0);
      const first = ok(await fifoReceive(T0, { attemptId: 'att', visibilityMs: 600_000 }));
      expect(ok(await fifoReceive(T0 + FIVE_MINUTES - 1, { attemptId: 'att', visibilityMs: 600_000 }))).toEqual(first);
      // Forgotten; the group is still held, so nothing comes.
      expect(await fifoReceive(T0 + FIVE_MINUTES, { attemptId: 'att' })).toMatchObject({ status: 'empty' });
    });
  });

  describe('accounts', () => {
    it('lists every account with a queue, in order, and drops one whose queues are all deleted', async () => {
      expect(await store.listAccounts()).toEqual([]);
      const other = { account: '222222222222', name: 'elsewhere' };
      await create(other);
      await create(std);
      await create(ref('second'));
      expect(await store.listAccounts()).toEqual([ACCOUNT, '222222222222']);
      await store.deleteQueue(other, T0, 0);
      expect(await store.listAccounts()).toEqual([ACCOUNT]);
    });
  });

  describe('changing visibility', () => {
    const change = (q: QueueRef, r: Receipt, visibilityMs: number, now: number, limit = VISIBILITY_LIMIT_MS) =>
      store.changeVisibility(q, [{ ...r, visibilityMs }], now, limit);

    it('answers undefined for a queue that does not exist, and no-message for a message that does not', async () => {
      expect(await change(std, { id: 'x', token: 'y' }, 1, T0)).toBeUndefined();
      await create(std);
      expect(await change(std, { id: randomUUID(), token: 'y' }, 1, T0)).toEqual(['no-message']);
      expect(await store.changeVisibility(std, [], T0, VISIBILITY_LIMIT_MS)).toEqual([]);
    });

    it('hides an in-flight message from now on, or shows it at once with 0', async () => {
      await create(std);
      await store.sendMessages(std, [message('a'), message('b')], T0);
      const [ra, rb] = ok(await receive(std, T0, { visibilityMs: 30_000 })).map(receipt) as [Receipt, Receipt];
      expect(
        await store.changeVisibility(
          std,
          [
            { ...ra, visibilityMs: 5_000 },
            { ...rb, visibilityMs: 0 },
          ],
          T0 + 1_000,
          VISIBILITY_LIMIT_MS,
        ),
      ).toEqual(['changed', 'changed']);
      expect(await counts(std, T0 + 1_000)).toEqual({ visible: 1, notVisible: 1, delayed: 0 });
      expect(bodies(await receive(std, T0 + 1_000))).toEqual(['b']);
      expect(await receive(std, T0 + 5_999)).toMatchObject({ status: 'empty', nextVisibleMs: T0 + 6_000 });
      expect(bodies(await receive(std, T0 + 6_000))).toEqual(['a']);
    });

    it('limits the total visibility to 12 hours since the receive, counted in whole seconds', async () => {
      await create(std);
      await store.sendMessages(std, [message('x')], T0);
      const r = receipt(ok(await receive(std, T0, { visibilityMs: 30_000 }))[0]);
      expect(await change(std, r, VISIBILITY_LIMIT_MS, T0 + 999)).toEqual(['changed']);
      expect(await change(std, r, VISIBILITY_LIMIT_MS, T0 + 1_000)).toEqual(['over-limit']);
      expect(await change(std, r, VISIBILITY_LIMIT_MS - 1_000, T0 + 1_000)).toEqual(['changed']);
      // A smaller limit, as the caller passes it.
      expect(await change(std, r, 2_000, T0 + 1_000, 2_000)).toEqual(['over-limit']);
    });

    it('standard queue: any handle of the message changes it, also one from an earlier receive', async () => {
      await create(std);
      await store.sendMessages(std, [message('a')], T0);
      const old = receipt(ok(await receive(std, T0, { visibilityMs: 1_000 }))[0]);
      const latest = receipt(ok(await receive(std, T0 + 1_000, { visibilityMs: 1_000 }))[0]);
      expect(await change(std, old, 10_000, T0 + 1_500)).toEqual(['changed']);
      expect(await counts(std, T0 + 5_000)).toEqual({ visible: 0, notVisible: 1, delayed: 0 });
      expect(await change(std, latest, 0, T0 + 5_000)).toEqual(['changed']);
      expect(ok(await receive(std, T0 + 5_000))[0]?.receiveCount).toBe(3);
    });

    it('standard queue: changes a message whose visibility timeout ended, hiding it again', async () => {
      await create(std);
      await store.sendMessages(std, [message('m'), message('n')], T0);
      const [rm, rn] = ok(await receive(std, T0, { visibilityMs: 10_000 })).map(receipt) as [Receipt, Receipt];
      // m: its timeout has ended, and no receive has looked since.
      expect(await change(std, rm, 30_000, T0 + 10_000)).toEqual(['changed']);
      // n: a receive that took nothing has made it available again; the change takes it back.
      expect(await receive(std, T0 + 10_000, { max: 0 })).toMatchObject({ status: 'empty' });
      expect(await change(std, rn, 0, T0 + 10_000)).toEqual(['changed']);
      expect(await counts(std, T0 + 10_000)).toEqual({ visible: 1, notVisible: 1, delayed: 0 });
      expect(await change(std, rn, 5_000, T0 + 10_000)).toEqual(['changed']);
      expect(await counts(std, T0 + 10_000)).toEqual({ visible: 0, notVisible: 2, delayed: 0 });
      const again = ok(await receive(std, T0 + 15_000));
      expect(again.map((m) => [m.payload.body, m.receiveCount])).toEqual([['n', 2]]);
      // The 12 hours count from the latest receive of each.
      expect(await change(std, rm, VISIBILITY_LIMIT_MS, T0 + 50_000)).toEqual(['over-limit']);
      expect(await change(std, rn, VISIBILITY_LIMIT_MS - 5_000, T0 + 20_000)).toEqual(['changed']);
    });

    it('standard queue: a delayed message that was never received is not in flight', async () => {
      await create(std);
      const m = message('later', { delayMs: 60_000 });
      await store.sendMessages(std, [m], T0);
      expect(await change(std, { id: m.id, token: 'never' }, 1_000, T0)).toEqual(['not-inflight']);
    });

    it('standard queue: an available message that was never received is not in flight, and stays available', async () => {
      await create(std);
      const m = message('ready');
      await store.sendMessages(std, [m], T0);
      for (const visibilityMs of [0, 1_000, VISIBILITY_LIMIT_MS]) {
        expect(await change(std, { id: m.id, token: 'never' }, visibilityMs, T0 + 1_000)).toEqual(['not-inflight']);
      }
      expect(await counts(std, T0 + 1_000)).toEqual({ visible: 1, notVisible: 0, delayed: 0 });
      expect(ok(await receive(std, T0 + 1_000)).map((x) => [x.payload.body, x.receiveCount])).toEqual([['ready', 1]]);
    });

    it('FIFO: only the latest handle changes the message, and it expires with the timeout', async () => {
      await create(fifo);
      await store.sendMessages(fifo, [fifoMessage('a', 'g'), fifoMessage('b', 'h')], T0);
      const [ra, rb] = ok(await receive(fifo, T0, { visibilityMs: 10_000 })).map(receipt) as [Receipt, Receipt];
      expect(await change(fifo, { id: ra.id, token: 'stale' }, 1_000, T0)).toEqual(['no-message']);
      expect(await change(fifo, ra, 20_000, T0 + 9_999)).toEqual(['changed']);
      expect(await change(fifo, rb, 1_000, T0 + 10_000)).toEqual(['expired']);
      const again = ok(await receive(fifo, T0 + 10_000, { visibilityMs: 10_000 }));
      expect(again.map((m) => m.payload.body)).toEqual(['b']);
      expect(await change(fifo, rb, 1_000, T0 + 10_000)).toEqual(['no-message']);
      expect(await change(fifo, receipt(again[0]), 1_000, T0 + 10_000)).toEqual(['changed']);
      // a: visible again at its new deadline; its handle then expires, received again or not.
      expect(await change(fifo, ra, 1_000, T0 + 29_998)).toEqual(['changed']);
      expect(await change(fifo, ra, 1_000, T0 + 31_000)).toEqual(['expired']);
      const m = fifoMessage('never', 'k');
      await store.sendMessages(fifo, [m], T0);
      expect(await change(fifo, { id: m.id, token: '' }, 1_000, T0)).toEqual(['expired']);
    });
  });
});
