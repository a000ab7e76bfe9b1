/**
 * GET /metrics against a scripted workload through the real SDKs (both wire protocols, two queues
 * plus one for a long poll): the Prometheus text is parsed here and every CloudWatch metric checked
 * exactly per queue; the gauges against GetQueueAttributes; requests by action, protocol and status;
 * the open long poll; the age of the oldest message as the service's clock moves.
 */
import { describe, expect, it, vi } from 'vitest';
import { sqsClient, uniqueName } from '../helpers/clients.js';
import { changeClock } from '../helpers/clock.js';
import { startTestService, useTestService } from '../helpers/service.js';
import { parseProm, type Sample, scrape as scrapeAt, value } from './metrics-text.js';

const svc = useTestService();

const scrape = (url = svc().url) => scrapeAt(url);

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

describe('GET /metrics', () => {
  it('counts a scripted workload exactly per queue, and reads the gauges from Redis', async () => {
    const json = sqsClient('json', svc().url);
    const query = sqsClient('query', svc().url);
    const account = svc().config.accountId;
    const nameA = uniqueName('metrics-a');
    const nameB = uniqueName('metrics-b');
    const urlA = (await json.createQueue({ QueueName: nameA })).QueueUrl as string;
    const urlB = (await query.createQueue({ QueueName: nameB })).QueueUrl as string;
    const A = { queue: nameA, account };
    const B = { queue: nameB, account };

    // Queue A, over JSON: 2 single sends, a batch of 3, receives until empty, deletes.
    const sizesA: number[] = [];
    await json.sendMessage({ QueueUrl: urlA, MessageBody: 'x'.repeat(10) });
    sizesA.push(10);
    await json.sendMessage({
      QueueUrl: urlA,
      MessageBody: 'ünï',
      MessageAttributes: { kind: { DataType: 'String', StringValue: 'order' } },
    });
    sizesA.push(utf8('ünï') + utf8('kind') + utf8('String') + utf8('order'));
    const batch = await json.sendMessageBatch({
      QueueUrl: urlA,
      Entries: [
        { Id: 'a', MessageBody: 'y'.repeat(300) },
        { Id: 'b', MessageBody: 'z'.repeat(5000) },
        {
          Id: 'c',
          MessageBody: 'w',
          MessageAttributes: { bin: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) } },
        },
      ],
    });
    expect(batch.Successful).toHaveLength(3);
    sizesA.push(300, 5000, 1 + utf8('bin') + utf8('Binary') + 3);

    let receivedA = 0;
    let emptyA = 0;
    let receivesA = 0;
    const handles: string[] = [];
    for (let i = 0; i < 10 && receivedA < 5; i++) {
      receivesA++;
      const r = await json.receiveMessage({ QueueUrl: urlA, MaxNumberOfMessages: 2, VisibilityTimeout: 60 });
      const n = r.Messages?.length ?? 0;
      if (n === 0) emptyA++;
      receivedA += n;
      for (const m of r.Messages ?? []) handles.push(m.ReceiptHandle as string);
    }
    expect(receivedA).toBe(5);
    // An empty receive: every message is in flight.
    expect((await json.receiveMessage({ QueueUrl: urlA, WaitTimeSeconds: 0 })).Messages ?? []).toHaveLength(0);
    emptyA++;
    await json.deleteMessage({ QueueUrl: urlA, ReceiptHandle: handles[0] as string });
    const deletedBatch = await json.deleteMessageBatch({
      QueueUrl: urlA,
      Entries: [
        { Id: '1', ReceiptHandle: handles[1] as string },
        { Id: '2', ReceiptHandle: handles[2] as string },
      ],
    });
    expect(deletedBatch.Successful).toHaveLength(2);

    // Queue B, over the query protocol: 2 sends (one delayed), one received and kept in flight,
    // two empty receives afterwards.
    await query.sendMessage({ QueueUrl: urlB, MessageBody: 'ready' });
    await query.sendMessage({ QueueUrl: urlB, MessageBody: 'later', DelaySeconds: 600 });
    const gotB = await query.receiveMessage({ QueueUrl: urlB, VisibilityTimeout: 60 });
    expect(gotB.Messages).toHaveLength(1);
    await query.receiveMessage({ QueueUrl: urlB });
    await query.receiveMessage({ QueueUrl: urlB, WaitTimeSeconds: 0 });

    // A failed request: 400 for GetQueueAttributes.
    await expect(json.getQueueAttributes({ QueueUrl: `${urlA}-missing`, AttributeNames: ['All'] })).rejects.toThrow();

    const { samples, text, type } = await scrape();
    expect(type).toMatch(/^text\/plain; version=0\.0\.4; charset=utf-8$/);
    expect(text).toContain('# TYPE sqs_number_of_messages_sent_total counter');
    expect(text).toContain('# TYPE sqs_sent_message_size_bytes histogram');

    // Counters, per queue.
    expect(value(samples, 'sqs_number_of_messages_sent_total', A)).toBe(5);
    expect(value(samples, 'sqs_number_of_messages_received_total', A)).toBe(5);
    expect(value(samples, 'sqs_number_of_messages_deleted_total', A)).toBe(3);
    expect(value(samples, 'sqs_number_of_empty_receives_total', A)).toBe(emptyA);
    expect(value(samples, 'sqs_number_of_messages_sent_total', B)).toBe(2);
    expect(value(samples, 'sqs_number_of_messages_received_total', B)).toBe(1);
    expect(value(samples, 'sqs_number_of_messages_deleted_total', B)).toBe(0);
    expect(value(samples, 'sqs_number_of_empty_receives_total', B)).toBe(2);

    // Sent message sizes: count, sum and the cumulative buckets.
    expect(value(samples, 'sqs_sent_message_size_bytes_count', A)).toBe(5);
    expect(value(samples, 'sqs_sent_message_size_bytes_sum', A)).toBe(sizesA.reduce((a, b) => a + b, 0));
    for (const le of [64, 256, 1024, 4096, 16384]) {
      expect(value(samples, 'sqs_sent_message_size_bytes_bucket', { ...A, le: String(le) })).toBe(
        sizesA.filter((s) => s <= le).length,
      );
    }
    expect(value(samples, 'sqs_sent_message_size_bytes_bucket', { ...A, le: '+Inf' })).toBe(5);
    expect(value(samples, 'sqs_sent_message_size_bytes_sum', B)).toBe(utf8('ready') + utf8('later'));

    // Gauges, read from Redis: as GetQueueAttributes says.
    for (const [url, labels, expected] of [
      [urlA, A, { visible: 0, notVisible: 2, delayed: 0 }],
      [urlB, B, { visible: 0, notVisible: 1, delayed: 1 }],
    ] as const) {
      const attrs = (await json.getQueueAttributes({ QueueUrl: url, AttributeNames: ['All'] })).Attributes ?? {};
      const gauges = {
        visible: value(samples, 'sqs_approximate_number_of_messages_visible', labels),
        notVisible: value(samples, 'sqs_approximate_number_of_messages_not_visible', labels),
        delayed: value(samples, 'sqs_approximate_number_of_messages_delayed', labels),
      };
      expect(gauges).toEqual(expected);
      expect(gauges).toEqual({
        visible: Number(attrs.ApproximateNumberOfMessages),
        notVisible: Number(attrs.ApproximateNumberOfMessagesNotVisible),
        delayed: Number(attrs.ApproximateNumberOfMessagesDelayed),
      });
    }
    expect(value(samples, 'redsqs_metrics_queue_counts_up')).toBe(1);

    // Requests by action, protocol and status: every series of the family, exactly (the JSON
    // requests came from the current SDK, the query ones from the pre-JSON one).
    const requests = Object.fromEntries(
      samples
        .filter((s) => s.name === 'sqs_requests_total')
        .map((s) => {
          expect(Object.keys(s.labels).sort()).toEqual(['action', 'protocol', 'status']);
          return [`${s.labels.action} ${s.labels.protocol} ${s.labels.status}`, s.value];
        }),
    );
    expect(requests).toEqual({
      'CreateQueue json 200': 1,
      'SendMessage json 200': 2,
      'SendMessageBatch json 200': 1,
      'ReceiveMessage json 200': receivesA + 1,
      'DeleteMessage json 200': 1,
      'DeleteMessageBatch json 200': 1,
      'GetQueueAttributes json 400': 1,
      'CreateQueue query 200': 1,
      'SendMessage query 200': 2,
      'ReceiveMessage query 200': 3,
    });
    expect(value(samples, 'sqs_request_duration_seconds_count', { action: 'SendMessage' })).toBe(4);
    expect(value(samples, 'sqs_request_duration_seconds_bucket', { action: 'SendMessage', le: '+Inf' })).toBe(4);
    expect(value(samples, 'sqs_long_polls_open')).toBe(0);
    // The process metrics of prom-client are there too.
    expect(value(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('shows an open long poll, which counts as an empty receive when it ends with nothing', async () => {
    const json = sqsClient('json', svc().url);
    const name = uniqueName('metrics-poll');
    const QueueUrl = (await json.createQueue({ QueueName: name })).QueueUrl as string;
    const poll = json.receiveMessage({ QueueUrl, WaitTimeSeconds: 1 });
    await vi.waitFor(async () => expect(value((await scrape()).samples, 'sqs_long_polls_open')).toBe(1), {
      timeout: 900,
      interval: 20,
    });
    expect((await poll).Messages ?? []).toHaveLength(0);
    const { samples } = await scrape();
    expect(value(samples, 'sqs_long_polls_open')).toBe(0);
    expect(value(samples, 'sqs_number_of_empty_receives_total', { queue: name })).toBe(1);
  });

  it("drops a deleted queue's series", async () => {
    const json = sqsClient('json', svc().url);
    const name = uniqueName('metrics-gone');
    const QueueUrl = (await json.createQueue({ QueueName: name })).QueueUrl as string;
    await json.sendMessage({ QueueUrl, MessageBody: 'm' });
    let { samples } = await scrape();
    expect(value(samples, 'sqs_number_of_messages_sent_total', { queue: name })).toBe(1);
    expect(value(samples, 'sqs_approximate_number_of_messages_visible', { queue: name })).toBe(1);
    await json.deleteQueue({ QueueUrl });
    ({ samples } = await scrape());
    expect(value(samples, 'sqs_number_of_messages_sent_total', { queue: name })).toBeUndefined();
    expect(value(samples, 'sqs_approximate_number_of_messages_visible', { queue: name })).toBeUndefined();
  });
});

describe("the age of the oldest message, by the service's clock", () => {
  const aged = useTestService();

  it('grows as the clock moves, counts messages in flight, and has no series for an empty queue', async () => {
    const { url } = aged();
    const json = sqsClient('json', url);
    const query = sqsClient('query', url);
    const name = uniqueName('metrics-age');
    const labels = { queue: name, account: aged().config.accountId };
    const age = async () => value((await scrape(url)).samples, 'sqs_approximate_age_of_oldest_message_seconds', labels);
    const QueueUrl = (await json.createQueue({ QueueName: name })).QueueUrl as string;
    const start = (await changeClock(url, { freeze: true })).now;
    try {
      // An empty queue: CloudWatch reports the metric only for a queue that holds a message.
      expect(await age()).toBeUndefined();
      await json.sendMessage({ QueueUrl, MessageBody: 'first' });
      expect(await age()).toBe(0);
      await changeClock(url, { advanceMs: 1_500 });
      await query.sendMessage({ QueueUrl, MessageBody: 'second', DelaySeconds: 30 });
      expect(await age()).toBe(1); // 1.5 s, in whole seconds
      await changeClock(url, { advanceMs: 60_000 });
      expect(await age()).toBe(61);
      // In flight: still in the queue.
      const got = await json.receiveMessage({ QueueUrl, VisibilityTimeout: 600 });
      expect(got.Messages?.map((m) => m.Body)).toEqual(['first']);
      expect(Number(got.Messages?.[0]?.Attributes?.SentTimestamp ?? start)).toBe(start);
      expect(await age()).toBe(61);
      // The oldest deleted: the next one's age (sent 1.5 s later, in its delay no more).
      await json.deleteMessage({ QueueUrl, ReceiptHandle: got.Messages?.[0]?.ReceiptHandle as string });
      expect(await age()).toBe(60);
      await json.purgeQueue({ QueueUrl });
      expect(await age()).toBeUndefined();
    } finally {
      await changeClock(url, { freeze: false });
      json.destroy();
      query.destroy();
    }
  });
});

describe("every account's queues", () => {
  const mine = useTestService();

  it('are read from Redis, those of another instance on the same Redis too', async () => {
    // Another account's instance on the same Redis and key prefix.
    const theirs = await startTestService({ keyPrefix: mine().config.keyPrefix, accountId: '111111111111' });
    try {
      const name = uniqueName('metrics-other');
      const QueueUrl = (await sqsClient('json', theirs.url).createQueue({ QueueName: name })).QueueUrl as string;
      await sqsClient('json', theirs.url).sendMessage({ QueueUrl, MessageBody: 'theirs' });
      const own = uniqueName('metrics-own');
      await sqsClient('json', mine().url).createQueue({ QueueName: own });
      const { samples } = await scrape(mine().url);
      const visible = 'sqs_approximate_number_of_messages_visible';
      expect(value(samples, visible, { queue: name, account: '111111111111' })).toBe(1);
      expect(value(samples, visible, { queue: own, account: mine().config.accountId })).toBe(0);
    } finally {
      // Not theirs.close(): it would delete the keys of the prefix, which mine() cleans up.
      await theirs.service.close();
      await theirs.redis.quit();
    }
  });
});

describe('GET /metrics with 1,000 queues', () => {
  const scraped = useTestService();

  it('reads every queue in batches, in bounded time', async () => {
    const json = sqsClient('json', scraped().url);
    const prefix = uniqueName('many');
    const names = Array.from({ length: 1000 }, (_, i) => `${prefix}-${i}`);
    for (let i = 0; i < names.length; i += 100) {
      await Promise.all(names.slice(i, i + 100).map((QueueName) => json.createQueue({ QueueName })));
    }
    const times: number[] = [];
    let samples: Sample[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const res = await fetch(`${scraped().url}/metrics`);
      const text = await res.text();
      times.push(performance.now() - started);
      samples = parseProm(text);
    }
    expect(samples.filter((s) => s.name === 'sqs_approximate_number_of_messages_visible')).toHaveLength(1000);
    const read = value(samples, 'redsqs_metrics_queue_counts_seconds') as number;
    const best = Math.min(...times);
    console.log(
      `scrape with 1,000 queues: ${times.map((t) => t.toFixed(1)).join(', ')} ms (whole request); ` +
        `Redis read of the last: ${(read * 1000).toFixed(1)} ms`,
    );
    expect(best).toBeLessThan(2_000);
  });
});
