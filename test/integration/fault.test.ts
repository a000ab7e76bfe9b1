/**
 * Crash safety of moves between queues: the service is killed with SIGKILL again and again while
 * messages are redriven to a dead-letter queue and moved back by a move task. After a final
 * restart every message exists exactly once.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { decodePayload } from '../../src/store/payload.js';
import { sqsClient } from '../helpers/clients.js';
import { requireBuild, startProcess, stopProcess } from '../helpers/process.js';

const N = 1000;
const KILLS = 6;
const prefix = `fault-${randomUUID().slice(0, 8)}`;
let redis: Redis;

const start = () =>
  startProcess({ REDIS_URL: inject('redisUrl'), REDSQS_KEY_PREFIX: prefix, REDSQS_SWEEP_INTERVAL_MS: '200' });

const killed = (child: ChildProcess) => stopProcess(child, 'SIGKILL');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Ids and bodies stored in a queue, and ids waiting in its outbox. */
async function idsOf(name: string): Promise<{ stored: string[]; bodies: string[]; outbox: string[] }> {
  const tag = `${prefix}:{000000000000/${name}}`;
  const all = await redis.hgetall(`${tag}:body`);
  return {
    stored: Object.keys(all),
    bodies: Object.values(all).map((p) => decodePayload(p).body),
    outbox: await redis.zrange(`${tag}:outbox`, 0, -1),
  };
}

beforeAll(() => {
  requireBuild();
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.unlink(...keys);
  await redis.quit();
});

describe('moves survive SIGKILL', () => {
  it('redrive and a move task, each interrupted by kills, leave every message exactly once', async () => {
    let svc = await start();
    let sqs = sqsClient('json', svc.url);
    await sqs.createQueue({ QueueName: 'fault-dlq' });
    const dlqArn = 'arn:aws:sqs:us-east-1:000000000000:fault-dlq';
    await sqs.createQueue({
      QueueName: 'fault-src',
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) },
    });
    const sent = new Set<string>();
    const bodies = Array.from({ length: N }, (_, i) => `m${i}`);
    for (let i = 0; i < N; i += 10) {
      const r = await sqs.sendMessageBatch({
        QueueUrl: `${svc.url}/000000000000/fault-src`,
        Entries: Array.from({ length: 10 }, (_, k) => ({ Id: `e${k}`, MessageBody: `m${i + k}` })),
      });
      for (const s of r.Successful ?? []) sent.add(s.MessageId as string);
    }
    expect(sent.size).toBe(N);

    let interrupted = 0;
    // Phase 1: receives redrive messages to the dead-letter queue; the service dies mid-way.
    for (let kill = 0; kill < KILLS; kill++) {
      const client = sqsClient('json', svc.url);
      const src = `${svc.url}/000000000000/fault-src`;
      const work = (async () => {
        for (;;) {
          await client.receiveMessage({ QueueUrl: src, MaxNumberOfMessages: 10, VisibilityTimeout: 0 });
        }
      })().catch(() => undefined);
      await sleep(40 + kill * 15);
      await killed(svc.child);
      await work;
      interrupted += (await idsOf('fault-src')).outbox.length;
      svc = await start();
    }
    sqs = sqsClient('json', svc.url);
    const src = `${svc.url}/000000000000/fault-src`;
    while (
      ((await sqs.receiveMessage({ QueueUrl: src, MaxNumberOfMessages: 10, VisibilityTimeout: 0 })).Messages ?? [])
        .length > 0
    );
    // Outboxes left by the kills are finished by the sweeper: entries older than 5 s, once the killed
    // instance's sweeper lease (10 s) has run out. Wait for that, up to a deadline.
    const drained = Date.now() + 25_000;
    while ((await idsOf('fault-src')).outbox.length > 0 && Date.now() < drained) await sleep(250);
    console.log(`fault test: ${interrupted} redrives were caught mid-move by a kill`);
    const afterRedrive = { src: await idsOf('fault-src'), dlq: await idsOf('fault-dlq') };
    expect(afterRedrive.src.outbox).toEqual([]);
    expect(afterRedrive.src.stored).toEqual([]);
    expect(new Set(afterRedrive.dlq.stored)).toEqual(sent);
    expect(afterRedrive.dlq.stored).toHaveLength(N);

    // Phase 2: a move task sends them back; each time it has made progress the service is killed,
    // and the task goes on in the next instance (after the dead one's lease runs out).
    await sqs.startMessageMoveTask({ SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 50 });
    const movedSoFar = async () =>
      (await sqsClient('json', svc.url).listMessageMoveTasks({ SourceArn: dlqArn })).Results?.[0]
        ?.ApproximateNumberOfMessagesMoved ?? 0;
    let progress = 0;
    let lifetimes = 0;
    for (let kill = 0; kill < 3; kill++) {
      const before = await movedSoFar();
      const until = Date.now() + 15_000;
      while ((await movedSoFar()) <= before && Date.now() < until) await sleep(50);
      await sleep(kill * 37);
      if ((await movedSoFar()) > before) lifetimes++;
      progress = await movedSoFar();
      await killed(svc.child);
      svc = await start();
    }
    console.log(
      `fault test: the move task moved messages in ${lifetimes} instances that were then killed (${progress} moved before the last kill)`,
    );
    expect(lifetimes).toBe(3);
    sqs = sqsClient('json', svc.url);
    const until = Date.now() + 30_000;
    let status: string | undefined;
    while (Date.now() < until) {
      status = (await sqs.listMessageMoveTasks({ SourceArn: dlqArn })).Results?.[0]?.Status;
      if (status === 'COMPLETED') break;
      await sleep(200);
    }
    expect(status).toBe('COMPLETED');
    await sleep(6_000);
    const afterMove = { src: await idsOf('fault-src'), dlq: await idsOf('fault-dlq') };
    expect(afterMove.dlq.outbox).toEqual([]);
    expect(afterMove.dlq.stored).toEqual([]);
    // Moved messages are new messages (new ids, as in SQS): every body is back exactly once.
    expect(afterMove.src.bodies.sort()).toEqual([...bodies].sort());
    await killed(svc.child);
  }, 120_000);
});
