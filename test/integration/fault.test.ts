/**
 * Crash safety of moves between queues: the service is killed with SIGKILL again and again while
 * messages are redriven to a dead-letter queue and moved back by a move task. After a final
 * restart every message exists exactly once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sqsClient } from '../helpers/clients.js';

const MAIN = new URL('../../dist/main.js', import.meta.url);
const N = 300;
const KILLS = 6;
const prefix = `fault-${randomUUID().slice(0, 8)}`;
let redis: Redis;

function start(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [MAIN.pathname], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      REDIS_URL: inject('redisUrl'),
      REDSQS_KEY_PREFIX: prefix,
      REDSQS_SWEEP_INTERVAL_MS: '200',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on \S+: (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) resolve({ child, url: m[1] as string });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
  }).then((r) => {
    (r as { child: ChildProcess }).child.stderr?.removeAllListeners('data');
    (r as { child: ChildProcess }).child.stdout?.removeAllListeners('data');
    (r as { child: ChildProcess }).child.stdout?.resume();
    (r as { child: ChildProcess }).child.stderr?.resume();
    return r as { child: ChildProcess; url: string };
  });
}

const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Ids stored in a queue and ids waiting in its outbox. */
async function idsOf(name: string): Promise<{ stored: string[]; outbox: string[] }> {
  const tag = `${prefix}:{000000000000/${name}}`;
  return { stored: await redis.hkeys(`${tag}:body`), outbox: await redis.zrange(`${tag}:outbox`, 0, -1) };
}

beforeAll(() => {
  if (!existsSync(MAIN)) throw new Error('dist/main.js is missing: run `npm run build` (npm test does it)');
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
    await sleep(6_000); // outboxes left by the kills are finished by the sweeper (entries older than 5 s)
    console.log(`fault test: ${interrupted} redrives were caught mid-move by a kill`);
    const afterRedrive = { src: await idsOf('fault-src'), dlq: await idsOf('fault-dlq') };
    expect(afterRedrive.src.outbox).toEqual([]);
    expect(afterRedrive.src.stored).toEqual([]);
    expect(new Set(afterRedrive.dlq.stored)).toEqual(sent);
    expect(afterRedrive.dlq.stored).toHaveLength(N);

    // Phase 2: a move task sends them back; the service dies mid-way, another start resumes it.
    await sqs.startMessageMoveTask({ SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 200 });
    let claimed = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      await sleep(150 + kill * 40);
      await killed(svc.child);
      claimed += (await idsOf('fault-dlq')).outbox.length;
      svc = await start();
    }
    console.log(`fault test: ${claimed} task moves were caught mid-move by a kill`);
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
    expect(new Set(afterMove.src.stored)).toEqual(sent);
    expect(afterMove.src.stored).toHaveLength(N);
    await killed(svc.child);
  }, 120_000);
});
