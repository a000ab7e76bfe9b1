/**
 * GET /metrics beyond the requests: messages redriven to a dead-letter queue (maxReceiveCount 1)
 * and moved by a move task, the move task's progress read from Redis, the pollers' invocations
 * (real pollers, real handler modules that succeed, throw and report batch item failures, and a
 * filter) and the Redis round-trip histogram. Every value is checked exactly against the workload.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Config, DEFAULTS } from '../../src/config.js';
import { PollerActivity } from '../../src/lambda/activity.js';
import { type Pollers, startPollers } from '../../src/lambda/index.js';
import { createLogger } from '../../src/log.js';
import { type Service, startService } from '../../src/service.js';
import { sqsClient, uniqueName } from '../helpers/clients.js';
import { until } from '../helpers/clock.js';
import { deleteKeysOf, useTestService } from '../helpers/service.js';
import { scrape, value } from './metrics-text.js';

const arnOf = (url: string) => `arn:aws:sqs:us-east-1:000000000000:${url.split('/').pop()}`;

/** A source queue whose messages go to `dlq` at their second receive; returns its URL. */
async function redrivenQueue(url: string, name: string, dlq: string, n: number): Promise<string> {
  const sqs = sqsClient('json', url);
  const src = (
    await sqs.createQueue({
      QueueName: name,
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf(dlq), maxReceiveCount: 1 }) },
    })
  ).QueueUrl as string;
  await sqs.sendMessageBatch({
    QueueUrl: src,
    Entries: Array.from({ length: n }, (_, i) => ({ Id: `e${i}`, MessageBody: `m${i}` })),
  });
  // The first receives count once (visible again at once); the next move them to the dead-letter queue.
  for (;;) {
    const got = await sqs.receiveMessage({ QueueUrl: src, MaxNumberOfMessages: 10, VisibilityTimeout: 0 });
    if ((got.Messages ?? []).length === 0) break;
  }
  return src;
}

describe('redrive to a dead-letter queue', () => {
  const svc = useTestService();

  it('counts each message moved, by source and dead-letter queue', async () => {
    const { url, config } = svc();
    const sqs = sqsClient('json', url);
    const dlqName = uniqueName('mdlq');
    const dlq = (await sqs.createQueue({ QueueName: dlqName })).QueueUrl as string;
    const srcA = uniqueName('msrc-a');
    const srcB = uniqueName('msrc-b');
    let { samples } = await scrape(url);
    expect(value(samples, 'sqs_dead_letter_messages_moved_total', { queue: srcA })).toBeUndefined();
    await redrivenQueue(url, srcA, dlq, 7);
    await redrivenQueue(url, srcB, dlq, 2);
    ({ samples } = await scrape(url));
    const labels = { account: config.accountId, dead_letter_queue: dlqName };
    expect(value(samples, 'sqs_dead_letter_messages_moved_total', { ...labels, queue: srcA })).toBe(7);
    expect(value(samples, 'sqs_dead_letter_messages_moved_total', { ...labels, queue: srcB })).toBe(2);
    expect(value(samples, 'sqs_approximate_number_of_messages_visible', { queue: dlqName })).toBe(9);
    // Moved, not sent: the dead-letter queue's sent counter stays at none.
    expect(value(samples, 'sqs_number_of_messages_sent_total', { queue: dlqName })).toBeUndefined();
  });
});

describe('a message move task', () => {
  // The service's time is this variable; the background work is driven by hand.
  let now = 1_800_000_000_000;
  const svc = useTestService({}, () => now, false);

  it('shows its progress read from Redis while it runs, and counts the messages it moved', async () => {
    const { url, config, service } = svc();
    const sqs = sqsClient('json', url);
    const dlqName = uniqueName('mtdlq');
    const destName = uniqueName('mtdest');
    const dlq = (await sqs.createQueue({ QueueName: dlqName })).QueueUrl as string;
    const dest = (await sqs.createQueue({ QueueName: destName })).QueueUrl as string;
    await redrivenQueue(url, uniqueName('mtsrc'), dlq, 5);
    await sqs.startMessageMoveTask({
      SourceArn: arnOf(dlq),
      DestinationArn: arnOf(dest),
      MaxNumberOfMessagesPerSecond: 1,
    });
    const task = { queue: dlqName, account: config.accountId, destination: destName };

    let { samples } = await scrape(url);
    expect(value(samples, 'sqs_move_task_approximate_number_of_messages_moved', task)).toBe(0);
    expect(value(samples, 'sqs_move_task_approximate_number_of_messages_to_move', { ...task, status: 'RUNNING' })).toBe(
      5,
    );
    // The first step paces the task; two seconds of the clock later, at 1 message a second, two move.
    await service.tasks.tick();
    now += 2_000;
    await service.tasks.tick();
    ({ samples } = await scrape(url));
    expect(value(samples, 'sqs_move_task_approximate_number_of_messages_moved', { ...task, status: 'RUNNING' })).toBe(
      2,
    );
    expect(value(samples, 'sqs_move_task_approximate_number_of_messages_to_move', task)).toBe(5);
    expect(value(samples, 'sqs_move_task_messages_moved_total', task)).toBe(2);
    expect(value(samples, 'sqs_approximate_number_of_messages_visible', { queue: destName })).toBe(2);

    now += 10_000;
    await service.tasks.tick();
    const listed = (await sqs.listMessageMoveTasks({ SourceArn: arnOf(dlq) })).Results?.[0];
    expect(listed).toMatchObject({ Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 5 });
    ({ samples } = await scrape(url));
    // Ended: no longer active, so no progress series; the counter has every message.
    expect(value(samples, 'sqs_move_task_approximate_number_of_messages_moved', { queue: dlqName })).toBeUndefined();
    expect(value(samples, 'sqs_move_task_messages_moved_total', task)).toBe(5);
    expect(value(samples, 'sqs_approximate_number_of_messages_visible', { queue: destName })).toBe(5);
  });
});

describe('Redis round trips', () => {
  const svc = useTestService();

  it('observes the PING of every scrape', async () => {
    const first = (await scrape(svc().url)).samples;
    const second = (await scrape(svc().url)).samples;
    const count = (s: typeof first) => value(s, 'redsqs_redis_round_trip_seconds_count') as number;
    expect(count(first)).toBeGreaterThanOrEqual(1);
    expect(count(second) - count(first)).toBe(1);
    expect(value(second, 'redsqs_redis_round_trip_seconds_sum')).toBeGreaterThan(0);
    expect(value(second, 'redsqs_redis_round_trip_seconds_bucket', { le: '+Inf' })).toBe(count(second));
  });
});

describe('the pollers of the service', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redsqs-metrics-pollers-'));
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  const activity = new PollerActivity();
  let service: Service;
  let pollers: Pollers | undefined;
  let config: Config;

  beforeAll(async () => {
    const handler = (file: string, body: string) =>
      writeFileSync(join(dir, file), `export const handler = async (event) => { ${body} };\n`);
    handler('ok.mjs', '');
    handler('throws.mjs', 'throw new Error("boom");');
    handler(
      'partial.mjs',
      'return { batchItemFailures: event.Records.filter((r) => r.body.startsWith("fail")).map((r) => ({ itemIdentifier: r.messageId })) };',
    );
    // Long visibility timeouts: a message to retry is not received again during the test.
    const q = (QueueName: string) => ({ QueueName, Attributes: { VisibilityTimeout: '60' } });
    const fn = (FunctionName: string) => ({ FunctionName, Handler: `${FunctionName}.handler`, Timeout: 5 });
    writeFileSync(
      join(dir, 'redsqs.config.json'),
      JSON.stringify({
        queues: [q('ok-q'), q('throws-q'), q('partial-q'), q('filtered-q')],
        functions: [fn('ok'), fn('throws'), fn('partial')],
        eventSourceMappings: [
          { FunctionName: 'ok', QueueName: 'ok-q' },
          { FunctionName: 'throws', QueueName: 'throws-q' },
          {
            FunctionName: 'partial',
            QueueName: 'partial-q',
            FunctionResponseTypes: ['ReportBatchItemFailures'],
            BatchSize: 20,
            MaximumBatchingWindowInSeconds: 1,
          },
          {
            FunctionName: 'ok',
            QueueName: 'filtered-q',
            FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ body: { type: ['order'] } }) }] },
          },
        ],
      }),
    );
    config = { ...DEFAULTS, port: 0, host: '127.0.0.1', keyPrefix: prefix, logLevel: 'warn' };
    // error: the throwing handler's failure is a warning.
    const log = createLogger('error');
    service = await startService({ config, redisUrl: inject('redisUrl'), log, activity });
    pollers = await startPollers({ config: join(dir, 'redsqs.config.json'), endpoint: service.url, log, activity });
  });

  afterAll(async () => {
    await pollers?.stop();
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
    const redis = new Redis(inject('redisUrl'));
    await deleteKeysOf(redis, prefix);
    await redis.quit();
  });

  it('counts invocations by outcome, records, retried and filtered-out records, and times the invocations', async () => {
    const sqs = sqsClient('json', service.url);
    const queueUrl = (name: string) => `${service.url}/${config.accountId}/${name}`;
    // Every mapping's series exist from its start, at 0.
    let { samples } = await scrape(service.url);
    expect(value(samples, 'redsqs_poller_invocations_total', { function: 'ok', queue: 'ok-q', outcome: 'ok' })).toBe(0);

    const reports: { function: string; queue: string; outcome: string; records: number }[] = [];
    let filteredOut = 0;
    const off = activity.observe({
      invoked: (r) => reports.push(r),
      filtered: (r) => {
        filteredOut += r.records;
      },
    });
    await sqs.sendMessage({ QueueUrl: queueUrl('ok-q'), MessageBody: 'fine' });
    await sqs.sendMessage({ QueueUrl: queueUrl('throws-q'), MessageBody: 'doomed' });
    await sqs.sendMessageBatch({
      QueueUrl: queueUrl('partial-q'),
      Entries: ['fail-1', 'good-1', 'fail-2', 'good-2', 'good-3'].map((MessageBody, i) => ({
        Id: `e${i}`,
        MessageBody,
      })),
    });
    await sqs.sendMessageBatch({
      QueueUrl: queueUrl('filtered-q'),
      Entries: [{ type: 'order' }, { type: 'other' }, { type: 'refund' }].map((b, i) => ({
        Id: `e${i}`,
        MessageBody: JSON.stringify(b),
      })),
    });
    const records = (fn: string, queue: string) =>
      reports.filter((r) => r.function === fn && r.queue === queue).reduce((n, r) => n + r.records, 0);
    await until(
      'every message to reach its function',
      () => ({
        ok: records('ok', 'ok-q'),
        throws: records('throws', 'throws-q'),
        partial: records('partial', 'partial-q'),
        filtered: records('ok', 'filtered-q'),
        filteredOut,
      }),
      (r) => r.ok === 1 && r.throws === 1 && r.partial === 5 && r.filtered === 1 && r.filteredOut === 2,
      10_000,
    );
    off();
    const invocations = (fn: string, queue: string, outcome: string) =>
      reports.filter((r) => r.function === fn && r.queue === queue && r.outcome === outcome).length;
    ({ samples } = await scrape(service.url));
    const at = (fn: string, queue: string) => ({ function: fn, queue });
    const inv = (fn: string, queue: string, outcome: string) =>
      value(samples, 'redsqs_poller_invocations_total', { ...at(fn, queue), outcome });

    expect(inv('ok', 'ok-q', 'ok')).toBe(1);
    expect(inv('ok', 'ok-q', 'failed')).toBe(0);
    expect(inv('throws', 'throws-q', 'failed')).toBe(1);
    expect(inv('throws', 'throws-q', 'ok')).toBe(0);
    // The 5 messages may arrive in more than one batch: each batch with a "fail-" message is partial.
    expect(inv('partial', 'partial-q', 'partial')).toBe(invocations('partial', 'partial-q', 'partial'));
    expect(inv('partial', 'partial-q', 'ok')).toBe(invocations('partial', 'partial-q', 'ok'));
    expect((inv('partial', 'partial-q', 'partial') as number) >= 1).toBe(true);
    expect(inv('partial', 'partial-q', 'failed')).toBe(0);
    expect(inv('ok', 'filtered-q', 'ok')).toBe(1);

    const counter = (name: string, fn: string, queue: string) => value(samples, name, at(fn, queue));
    expect(counter('redsqs_poller_records_total', 'ok', 'ok-q')).toBe(1);
    expect(counter('redsqs_poller_records_total', 'throws', 'throws-q')).toBe(1);
    expect(counter('redsqs_poller_records_total', 'partial', 'partial-q')).toBe(5);
    expect(counter('redsqs_poller_records_total', 'ok', 'filtered-q')).toBe(1);
    expect(counter('redsqs_poller_records_retried_total', 'ok', 'ok-q')).toBe(0);
    expect(counter('redsqs_poller_records_retried_total', 'throws', 'throws-q')).toBe(1);
    expect(counter('redsqs_poller_records_retried_total', 'partial', 'partial-q')).toBe(2);
    expect(counter('redsqs_poller_records_filtered_total', 'ok', 'filtered-q')).toBe(2);
    expect(counter('redsqs_poller_records_filtered_total', 'ok', 'ok-q')).toBe(0);
    expect(counter('redsqs_poller_invocation_duration_seconds_count', 'throws', 'throws-q')).toBe(1);
    expect(
      value(samples, 'redsqs_poller_invocation_duration_seconds_bucket', { ...at('ok', 'ok-q'), le: '+Inf' }),
    ).toBe(1);
    expect(counter('redsqs_poller_invocation_duration_seconds_count', 'partial', 'partial-q')).toBe(
      invocations('partial', 'partial-q', 'partial') + invocations('partial', 'partial-q', 'ok'),
    );
  });
});
