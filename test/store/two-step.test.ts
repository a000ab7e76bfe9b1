/**
 * The state changes that take a script and a second command in another hash slot (KEYS.md, "Two
 * steps"), each interrupted between the two as a crash would: only the first step runs. The next
 * operations must find a consistent state, or put it right.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { MoveTaskRunner } from '../../src/background/move-tasks.js';
import type { QueueRef } from '../../src/domain.js';
import { createLogger } from '../../src/log.js';
import { STANDARD_DEFAULTS } from '../../src/sqs/queue-attributes.js';
import { KeyCache, registryKey } from '../../src/store/keys.js';
import type { MoveTask } from '../../src/store/moves.js';
import { RedisMoves } from '../../src/store/redis-moves.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { encodeRedrive } from '../../src/store/redrive-fields.js';
import { startMoveTask, updateMoveTask } from '../../src/store/scripts/moves.js';
import { createQueue, setQueueAttributes } from '../../src/store/scripts/queue.js';
import { Scripts } from '../../src/store/scripts.js';

const T0 = 1_800_000_000_000;
const ACCOUNT = '000000000000';
const ref = (name: string): QueueRef => ({ account: ACCOUNT, name });
let redis: Redis;
let scripts: Scripts;
let prefix: string;
let store: RedisStore;
let moves: RedisMoves;
let keys: KeyCache;

beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
  scripts = new Scripts(redis);
});
afterAll(async () => {
  const left = await redis.keys('twostep-*');
  if (left.length > 0) await redis.unlink(...left);
  await redis.quit();
});
beforeEach(() => {
  prefix = `twostep-${randomUUID().slice(0, 8)}`;
  store = new RedisStore(redis, prefix, scripts);
  moves = new RedisMoves(redis, scripts, prefix, 'us-east-1');
  keys = new KeyCache(prefix);
});

const message = (body: string) => ({
  id: randomUUID(),
  size: body.length,
  payload: { body, md5Body: 'm', senderId: 's', sentTimestamp: T0 },
});

describe('CreateQueue: the queue, then its name in the registry', () => {
  it('a crash between: the queue works unlisted, and CreateQueue again lists it', async () => {
    const q = ref('created');
    await createQueue(scripts, keys.get(q), { now: T0, stored: STANDARD_DEFAULTS, requested: {}, tags: {} });
    expect(await store.listQueues(ACCOUNT, '', undefined, 100)).toEqual([]);
    expect(await store.sendMessages(q, [message('works')], T0)).toMatchObject({ outcomes: [{ status: 'stored' }] });
    expect(await store.createQueue(q, STANDARD_DEFAULTS, {}, {}, T0)).toEqual({ status: 'exists' });
    expect(await store.listQueues(ACCOUNT, '', undefined, 100)).toEqual(['created']);
  });
});

describe('DeleteQueue: the name leaves the registry, then the queue goes', () => {
  it('a crash between: the queue lives on unlisted; DeleteQueue again deletes it', async () => {
    const q = ref('deleted');
    await store.createQueue(q, STANDARD_DEFAULTS, {}, {}, T0);
    await redis.zrem(registryKey(prefix, ACCOUNT), q.name);
    expect(await store.listQueues(ACCOUNT, '', undefined, 100)).toEqual([]);
    expect(await store.queueExists(q)).toBe(true);
    expect(await store.deleteQueue(q, T0, 0)).toBe('ok');
    expect(await store.queueExists(q)).toBe(false);
  });

  it('a crash between, and no retry: CreateQueue lists it again', async () => {
    const q = ref('kept');
    await store.createQueue(q, STANDARD_DEFAULTS, {}, {}, T0);
    await redis.zrem(registryKey(prefix, ACCOUNT), q.name);
    expect(await store.createQueue(q, STANDARD_DEFAULTS, {}, {}, T0)).toEqual({ status: 'exists' });
    expect(await store.listQueues(ACCOUNT, '', undefined, 100)).toEqual(['kept']);
  });

  it('a name left without a queue is dropped by ListQueues', async () => {
    await redis.zadd(registryKey(prefix, ACCOUNT), 0, 'ghost');
    expect(await store.listQueues(ACCOUNT, '', undefined, 100)).toEqual([]);
    expect(await redis.zscore(registryKey(prefix, ACCOUNT), 'ghost')).toBeNull();
  });
});

describe("a RedrivePolicy: the source's name into the dead-letter queue's list, its policy, the name again", () => {
  const dlq = ref('dlq');
  const src = ref('src');
  const policy = encodeRedrive({ maxReceiveCount: 1, deadLetterQueue: 'dlq' });

  beforeEach(async () => {
    await store.createQueue(dlq, STANDARD_DEFAULTS, {}, {}, T0);
    await store.createQueue(src, STANDARD_DEFAULTS, {}, {}, T0);
  });

  it('a crash after the first record: no read shows the name, and the first read drops it', async () => {
    await store.recordDeadLetterSource(dlq, src.name);
    expect(await store.deadLetterSources(dlq)).toEqual([]);
    expect(await redis.scard(keys.get(dlq).keys.sources)).toBe(0);
  });

  it('a crash after the policy: the source is listed already', async () => {
    await store.recordDeadLetterSource(dlq, src.name);
    await setQueueAttributes(scripts, keys.get(src), { now: T0, attributes: policy });
    expect(await store.deadLetterSources(dlq)).toEqual(['src']);
  });

  it('a read between the first record and the policy drops the name; the second record lists it again', async () => {
    await store.recordDeadLetterSource(dlq, src.name);
    expect(await store.deadLetterSources(dlq)).toEqual([]);
    expect(await store.setQueueAttributes(src, policy, T0)).toBe('ok');
    // A crash here, too, would leave the source unlisted until the failed call's retry.
    expect(await store.deadLetterSources(dlq)).toEqual([]);
    await store.recordDeadLetterSource(dlq, src.name);
    expect(await store.deadLetterSources(dlq)).toEqual(['src']);
  });

  it('a listed source whose policy names another queue (or none), or that does not exist, is dropped on read', async () => {
    await store.createQueue(ref('other'), STANDARD_DEFAULTS, {}, {}, T0);
    await store.setQueueAttributes(src, encodeRedrive({ maxReceiveCount: 1, deadLetterQueue: 'elsewhere' }), T0);
    for (const name of ['src', 'other', 'gone']) await store.recordDeadLetterSource(dlq, name);
    expect(await store.deadLetterSources(dlq)).toEqual([]);
    expect(await redis.scard(keys.get(dlq).keys.sources)).toBe(0);
  });
});

describe('message move tasks: the task, then its listing for the runners', () => {
  const task = (id: string): MoveTask => ({
    TaskHandle: id,
    Status: 'RUNNING',
    SourceArn: 'arn:aws:sqs:us-east-1:000000000000:dlq',
    ApproximateNumberOfMessagesMoved: 0,
    ApproximateNumberOfMessagesToMove: 0,
    StartedTimestamp: T0,
  });
  const dlq = ref('dlq');

  /** StartMessageMoveTask's first step alone. */
  async function startOnly(taskId: string): Promise<void> {
    const started = await startMoveTask(scripts, keys.get(dlq), {
      now: T0,
      taskId,
      taskJson: JSON.stringify(task(taskId)),
    });
    expect(started.status).toBe('ok');
    expect(await moves.activeTasks()).toEqual([]);
  }

  beforeEach(async () => {
    await store.createQueue(dlq, STANDARD_DEFAULTS, {}, {}, T0);
  });

  it('a crash after the task: the retry is told it is busy, and lists the task so that it runs', async () => {
    await startOnly('t1');
    expect(await moves.startTask(dlq, T0, 't2', task('t2'))).toBe('busy');
    expect(await moves.activeTasks()).toEqual([{ queue: dlq, taskId: 't1' }]);
  });

  it("a crash after the task, and no retry: the sweeper's pass over the queue lists it", async () => {
    await startOnly('t1');
    expect(await moves.sweepQueue(dlq, T0, 100)).toMatchObject({ removed: 0 });
    expect(await moves.activeTasks()).toEqual([{ queue: dlq, taskId: 't1' }]);
    // Once it has ended, the sweeper no longer lists it.
    await moves.updateTask(dlq, 't1', { status: 'COMPLETED' });
    expect(await moves.activeTasks()).toEqual([]);
    await moves.sweepQueue(dlq, T0, 100);
    expect(await moves.activeTasks()).toEqual([]);
  });

  it('a crash after the task ended: the runners drop the listing', async () => {
    expect(await moves.startTask(dlq, T0, 't1', task('t1'))).toMatchObject({ Status: 'RUNNING' });
    expect(await moves.activeTasks()).toEqual([{ queue: dlq, taskId: 't1' }]);
    const ended = await updateMoveTask(scripts, keys.get(dlq), {
      taskId: 't1',
      moved: 0,
      status: 'COMPLETED',
      reason: '',
      requireStatus: '',
    });
    expect(ended.status).toBe('ok');
    expect(await moves.activeTasks()).toHaveLength(1);
    const runner = new MoveTaskRunner({
      moves,
      store,
      owner: 'runner',
      region: 'us-east-1',
      now: () => T0,
      log: createLogger('silent'),
    });
    await runner.tick();
    expect(await moves.activeTasks()).toEqual([]);
  });
});
