/**
 * GET /metrics of the real process with `--workers 2` and a poller configuration: requests go to
 * both workers, and a scrape through either worker shows the counters of both summed, the gauges
 * read from Redis once, and the invocations of the pollers, which run in the primary.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQS } from '@aws-sdk/client-sqs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { until } from '../helpers/clock.js';
import { getOn, pinnedClient } from '../helpers/pinned.js';
import { type RunningService, requireBuild, startProcess, stopProcess } from '../helpers/process.js';
import { deleteKeysOf } from '../helpers/service.js';
import { expectWellFormed, parseProm, type Sample, value } from './metrics-text.js';

const dir = mkdtempSync(join(tmpdir(), 'redsqs-metrics-workers-'));
const prefix = `mw-${randomUUID().slice(0, 8)}`;
let running: RunningService | undefined;
const agents: Agent[] = [];

/** GET `path` on `agent`'s one keep-alive connection: always the same worker. */

/** A client on one connection, and the pid of the worker at its other end. */
function pinned(url: string): Promise<{ sqs: SQS; agent: Agent; pid: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  agents.push(agent);
  return pinnedClient(url, agent);
}

async function scrapeVia(url: string, agent: Agent): Promise<Sample[]> {
  const { status, body } = await getOn(url, '/metrics', agent);
  expect(status).toBe(200);
  expectWellFormed(body);
  return parseProm(body);
}

beforeAll(async () => {
  requireBuild();
  writeFileSync(join(dir, 'ok.mjs'), 'export const handler = async () => {};\n');
  writeFileSync(
    join(dir, 'redsqs.config.json'),
    JSON.stringify({
      queues: [{ QueueName: 'polled' }],
      functions: [{ FunctionName: 'ok', Handler: 'ok.handler' }],
      eventSourceMappings: [{ FunctionName: 'ok', QueueName: 'polled' }],
    }),
  );
  running = await startProcess({ REDIS_URL: inject('redisUrl'), REDSQS_KEY_PREFIX: prefix }, [
    '--workers',
    '2',
    '--config',
    join(dir, 'redsqs.config.json'),
  ]);
});

afterAll(async () => {
  for (const a of agents) a.destroy();
  if (running) await stopProcess(running.child);
  rmSync(dir, { recursive: true, force: true });
  const redis = new Redis(inject('redisUrl'));
  await deleteKeysOf(redis, prefix);
  await redis.quit();
});

describe('GET /metrics with --workers 2', () => {
  it("sums both workers' counters, whichever worker is scraped, and adds the primary's pollers", async () => {
    const url = (running as RunningService).url;
    // One client on each worker (each new connection goes to one worker or the other).
    const first = await pinned(url);
    let second = await pinned(url);
    for (let i = 0; i < 20 && second.pid === first.pid; i++) second = await pinned(url);
    expect(second.pid).not.toBe(first.pid);
    await until(
      'the start to finish',
      async () => JSON.parse((await getOn(url, '/health', first.agent)).body).status,
      (s) => s === 'ok',
      10_000,
    );

    const QueueUrl = (await first.sqs.createQueue({ QueueName: 'spread' })).QueueUrl as string;
    for (let i = 0; i < 3; i++) await first.sqs.sendMessage({ QueueUrl, MessageBody: `a${i}` });
    for (let i = 0; i < 4; i++) await second.sqs.sendMessage({ QueueUrl, MessageBody: `b${i}` });
    const got = await second.sqs.receiveMessage({ QueueUrl, MaxNumberOfMessages: 2, VisibilityTimeout: 60 });
    expect(got.Messages).toHaveLength(2);
    await first.sqs.deleteMessage({ QueueUrl, ReceiptHandle: got.Messages?.[0]?.ReceiptHandle as string });

    // The pollers, in the primary, invoke the function with what is sent to their queue.
    const polled = (await first.sqs.getQueueUrl({ QueueName: 'polled' })).QueueUrl as string;
    await second.sqs.sendMessageBatch({
      QueueUrl: polled,
      Entries: [0, 1].map((i) => ({ Id: `p${i}`, MessageBody: `p${i}` })),
    });
    const pollerRecords = { function: 'ok', queue: 'polled' };
    await until(
      'the pollers to take both messages',
      async () => value(await scrapeVia(url, first.agent), 'redsqs_poller_records_total', pollerRecords),
      (n) => n === 2,
      10_000,
    );

    for (const via of [first, second, first, second]) {
      const samples = await scrapeVia(url, via.agent);
      const spread = { queue: 'spread' };
      expect(value(samples, 'redsqs_metrics_workers_summed')).toBe(1);
      expect(value(samples, 'sqs_number_of_messages_sent_total', spread)).toBe(7);
      expect(value(samples, 'sqs_number_of_messages_received_total', spread)).toBe(2);
      expect(value(samples, 'sqs_number_of_messages_deleted_total', spread)).toBe(1);
      expect(value(samples, 'sqs_sent_message_size_bytes_count', spread)).toBe(7);
      expect(value(samples, 'sqs_requests_total', { action: 'SendMessage', protocol: 'json', status: '200' })).toBe(7);
      expect(value(samples, 'sqs_request_duration_seconds_count', { action: 'SendMessage' })).toBe(7);
      // Read from Redis by the scraped worker alone: one series each, not summed.
      expect(value(samples, 'sqs_approximate_number_of_messages_visible', spread)).toBe(5);
      expect(value(samples, 'sqs_approximate_number_of_messages_not_visible', spread)).toBe(1);
      expect(value(samples, 'redsqs_metrics_queue_counts_up')).toBe(1);
      expect(value(samples, 'redsqs_poller_records_total', pollerRecords)).toBe(2);
      expect(value(samples, 'redsqs_poller_records_retried_total', pollerRecords)).toBe(0);
      // Both workers' process metrics, summed.
      expect(value(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    }
  });
});
