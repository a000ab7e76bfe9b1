/**
 * Redis Cluster: a three-node cluster started here, two redsqs instances on it. Queues land in
 * different slots on different nodes; sends, FIFO groups, long polls across instances, redrive to
 * a dead-letter queue in another slot and a move task back all work.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { type Service, startService } from '../../src/service.js';
import { sqsClient } from '../helpers/clients.js';

const dir = mkdtempSync(join(tmpdir(), 'redsqs-cluster-'));
const nodes: ChildProcess[] = [];
const services: Service[] = [];
let ports: number[] = [];

function freePort(): Promise<number> {
  return new Promise((done) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => done(typeof a === 'object' && a ? a.port : 0));
    });
  });
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  ports = [await freePort(), await freePort(), await freePort()];
  for (const port of ports) {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ],
      { stdio: 'ignore' },
    );
    nodes.push(child);
  }
  await sleep(300);
  execFileSync(
    'redis-cli',
    ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 100; i++) {
    const info = execFileSync('redis-cli', ['-p', String(ports[0]), 'cluster', 'info']).toString();
    if (info.includes('cluster_state:ok')) break;
    await sleep(100);
  }
  const seeds = ports.map((p) => `127.0.0.1:${p}`);
  for (let i = 0; i < 2; i++) {
    const config = { ...DEFAULTS, port: 0, host: '127.0.0.1', keyPrefix: 'cl', logLevel: 'warn' as const };
    services.push(await startService({ config, redisUrl: seeds, log: createLogger('warn') }));
  }
}, 30_000);

afterAll(async () => {
  for (const s of services) await s.close();
  for (const n of nodes) n.kill('SIGTERM');
  await sleep(200);
  rmSync(dir, { recursive: true, force: true });
});

describe('on a Redis Cluster with two instances', () => {
  it('serves queues spread over the nodes, with FIFO groups, long polls, redrive and a move task', async () => {
    const [a, b] = services.map((s) => sqsClient('json', s.url)) as [
      ReturnType<typeof sqsClient>,
      ReturnType<typeof sqsClient>,
    ];
    const urlOn = (s: Service, name: string) => `${s.url}/000000000000/${name}`;
    const arn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;
    const names = Array.from({ length: 6 }, (_, i) => `cq-${i}`);
    for (const n of names) await a.createQueue({ QueueName: n });
    expect((await b.listQueues({ QueueNamePrefix: 'cq-' })).QueueUrls).toHaveLength(6);

    // The queues' keys live on more than one node.
    const cluster = new Cluster(ports.map((port) => ({ host: '127.0.0.1', port })));
    const owners = new Set<number>();
    for (const n of names) {
      const slot = Number(await cluster.call('CLUSTER', 'KEYSLOT', `cl:{000000000000/${n}}:meta`));
      const slots = (await cluster.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
      owners.add(slots.find(([from, to]) => slot >= from && slot <= to)?.[2][1] ?? -1);
    }
    await cluster.quit();
    expect(owners.size).toBeGreaterThan(1);

    // A long poll on one instance wakes for a send on the other.
    const polled = a.receiveMessage({ QueueUrl: urlOn(services[0] as Service, 'cq-0'), WaitTimeSeconds: 10 });
    await sleep(200);
    await b.sendMessage({ QueueUrl: urlOn(services[1] as Service, 'cq-0'), MessageBody: 'across' });
    expect((await polled).Messages?.[0]?.Body).toBe('across');

    // FIFO: one group is never handed to two consumers, even through different instances.
    await a.createQueue({ QueueName: 'cf.fifo', Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' } });
    for (const body of ['g1', 'g2'])
      await a.sendMessage({
        QueueUrl: urlOn(services[0] as Service, 'cf.fifo'),
        MessageBody: body,
        MessageGroupId: 'g',
      });
    const first = await a.receiveMessage({ QueueUrl: urlOn(services[0] as Service, 'cf.fifo') });
    expect(first.Messages?.[0]?.Body).toBe('g1');
    expect((await b.receiveMessage({ QueueUrl: urlOn(services[1] as Service, 'cf.fifo') })).Messages ?? []).toEqual([]);

    // Redrive to a dead-letter queue in another slot, and a move task back.
    await a.createQueue({ QueueName: 'c-dlq' });
    await a.createQueue({
      QueueName: 'c-src',
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn('c-dlq'), maxReceiveCount: 1 }) },
    });
    const src = urlOn(services[0] as Service, 'c-src');
    for (let i = 0; i < 5; i++) await a.sendMessage({ QueueUrl: src, MessageBody: `m${i}` });
    while (
      ((await a.receiveMessage({ QueueUrl: src, MaxNumberOfMessages: 10, VisibilityTimeout: 0 })).Messages ?? [])
        .length > 0
    );
    const dlqCount = async () =>
      Number(
        (
          await b.getQueueAttributes({
            QueueUrl: urlOn(services[1] as Service, 'c-dlq'),
            AttributeNames: ['ApproximateNumberOfMessages'],
          })
        ).Attributes?.ApproximateNumberOfMessages,
      );
    expect(await dlqCount()).toBe(5);
    await b.startMessageMoveTask({ SourceArn: arn('c-dlq') });
    for (let i = 0; i < 100 && (await dlqCount()) > 0; i++) await sleep(100);
    expect(await dlqCount()).toBe(0);
    const back = await a.receiveMessage({ QueueUrl: src, MaxNumberOfMessages: 10 });
    expect(back.Messages?.map((m) => m.Body).sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  }, 60_000);

  it('an event stream on one instance hears the other from its first bytes on (acks counted on every node)', async () => {
    // PUBLISH on a cluster counts the subscribers of one node only: a stream that waited for that
    // many acknowledgements could begin before the other instance publishes. A fresh key prefix per
    // round, so that each round announces a new listener.
    const seeds = ports.map((p) => `127.0.0.1:${p}`);
    for (let round = 0; round < 16; round++) {
      const config = { ...DEFAULTS, port: 0, host: '127.0.0.1', keyPrefix: `ev${round}`, logLevel: 'warn' as const };
      const [a, b] = [
        await startService({ config, redisUrl: seeds, log: createLogger('warn') }),
        await startService({ config, redisUrl: seeds, log: createLogger('warn') }),
      ];
      try {
        const stream = await fetch(`${b.url}/_redsqs/events?type=sent`);
        const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
        await reader.read(); // the first bytes: every instance publishes from now on
        expect(a.events.isActive, `round ${round}`).toBe(true);
        const sqs = sqsClient('json', a.url);
        const { QueueUrl } = await sqs.createQueue({ QueueName: 'ev' });
        const { MessageId } = await sqs.sendMessage({ QueueUrl, MessageBody: 'heard' });
        let text = '';
        while (!text.includes(MessageId as string)) text += new TextDecoder().decode((await reader.read()).value);
        await reader.cancel();
      } finally {
        await a.close();
        await b.close();
      }
    }
  }, 60_000);
});
