/** The metrics' pure parts: histogram buckets, the batched queue read, counting from actions' answers. */

import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SqsError } from '../../src/errors.js';
import { PROMETHEUS_TEXT, ServiceMetrics } from '../../src/metrics/metrics.js';
import {
  cachedAccounts,
  everyAccountCounts,
  type QueueCountsRow,
  readQueueCounts,
} from '../../src/metrics/queue-counts.js';
import { Buckets, histogramValues } from '../../src/metrics/series.js';
import type { QueueState } from '../../src/store/store.js';

describe('Buckets', () => {
  it('puts a value in the first bucket whose bound is at least it; cumulative in the Prometheus shape', () => {
    const b = new Buckets([1, 10]);
    for (const v of [0, 1, 1.5, 10, 11]) b.observe(v);
    expect([...b.counts]).toEqual([2, 2, 1]);
    expect(b.sum).toBe(23.5);
    expect(histogramValues('h', { q: 'x' }, b)).toEqual([
      { metricName: 'h_bucket', labels: { q: 'x', le: 1 }, value: 2 },
      { metricName: 'h_bucket', labels: { q: 'x', le: 10 }, value: 4 },
      { metricName: 'h_bucket', labels: { q: 'x', le: '+Inf' }, value: 5 },
      { metricName: 'h_sum', labels: { q: 'x' }, value: 23.5 },
      { metricName: 'h_count', labels: { q: 'x' }, value: 5 },
    ]);
  });
});

describe('readQueueCounts', () => {
  it('pages through the names and reads the queues in batches of bounded concurrency', async () => {
    const names = Array.from({ length: 2345 }, (_, i) => `q${String(i).padStart(5, '0')}`);
    let inFlight = 0;
    let most = 0;
    const store = {
      async listQueues(_account: string, _prefix: string, after: string | undefined, limit: number) {
        const from = after === undefined ? 0 : names.indexOf(after) + 1;
        return names.slice(from, from + limit);
      },
      async getQueue(q: { name: string }): Promise<QueueState | undefined> {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setImmediate(r));
        inFlight--;
        if (q.name === 'q00007') return undefined; // deleted meanwhile
        const n = Number(q.name.slice(1));
        // q00001: its oldest message sent 2.5 s before `now`; q00002: after it (a clock set back).
        const oldest = n === 1 ? { oldestSentMs: NOW - 2_500 } : n === 2 ? { oldestSentMs: NOW + 10_000 } : {};
        return {
          attributes: {},
          counts: { visible: n, notVisible: 1, delayed: 2 },
          createdMs: 0,
          modifiedMs: 0,
          ...oldest,
        };
      },
    };
    const NOW = 1_800_000_000_000;
    const rows = await readQueueCounts(store, '000000000000', NOW, 100);
    expect(rows).toHaveLength(2344);
    expect(most).toBe(100);
    expect(rows.slice(0, 3)).toEqual([
      { account: '000000000000', name: 'q00000', visible: 0, notVisible: 1, delayed: 2 },
      { account: '000000000000', name: 'q00001', visible: 1, notVisible: 1, delayed: 2, ageOfOldestSeconds: 2 },
      { account: '000000000000', name: 'q00002', visible: 2, notVisible: 1, delayed: 2, ageOfOldestSeconds: 0 },
    ]);
    expect(rows.at(-1)?.name).toBe('q02344');
  });
});

describe('ServiceMetrics', () => {
  const account = '000000000000';
  const url = (name: string, host = 'localhost:9324') => `http://${host}/${account}/${name}`;
  const make = (readCounts: () => Promise<QueueCountsRow[]> = async () => []) =>
    new ServiceMetrics({ readCounts, processMetrics: false });
  const sample = (text: string, line: string) => text.split('\n').find((l) => l.startsWith(line));

  it('counts only the successful entries of a batch send, and a queue under two hosts once', async () => {
    const m = make();
    const input = {
      QueueUrl: url('q'),
      Entries: [
        { Id: '1', MessageBody: 'aa' },
        { Id: '2', MessageBody: 'bbbb' },
        { Id: '3', MessageBody: 'cccccc' },
      ],
    };
    m.succeeded(
      'SendMessageBatch',
      'json',
      input,
      { Successful: [{ Id: '1' }, { Id: '3' }], Failed: [{ Id: '2' }] },
      m.begin('SendMessageBatch'),
    );
    m.succeeded(
      'SendMessage',
      'query',
      { QueueUrl: url('q', '127.0.0.1:1'), MessageBody: 'd' },
      {},
      m.begin('SendMessage'),
    );
    m.succeeded('DeleteMessageBatch', 'json', { QueueUrl: url('q') }, { Successful: [{}, {}], Failed: [{}] }, 0);
    const text = await m.scrape();
    expect(sample(text, 'sqs_number_of_messages_sent_total{')).toBe(
      `sqs_number_of_messages_sent_total{queue="q",account="${account}"} 3`,
    );
    expect(sample(text, 'sqs_sent_message_size_bytes_sum{')).toMatch(/ 9$/);
    expect(sample(text, 'sqs_number_of_messages_deleted_total{')).toMatch(/ 2$/);
  });

  it("counts a queue of another account (a 12-digit key's, or one shared by its policy) under that account", async () => {
    const m = make();
    const other = 'http://localhost:9324/111111111111/theirs';
    m.succeeded('SendMessage', 'json', { QueueUrl: other, MessageBody: 'x' }, {}, m.begin('SendMessage'));
    m.succeeded('SendMessage', 'json', { QueueUrl: other, MessageBody: 'y' }, {}, m.begin('SendMessage'));
    const text = await m.scrape();
    expect(sample(text, 'sqs_number_of_messages_sent_total{')).toBe(
      'sqs_number_of_messages_sent_total{queue="theirs",account="111111111111"} 2',
    );
  });

  it('counts errors by status, keeps the long-poll gauge balanced, and survives an unreadable Redis', async () => {
    const m = make(async () => {
      throw new Error('down');
    });
    const begun = m.begin('ReceiveMessage');
    expect(sample(await m.scrape(), 'sqs_long_polls_open')).toBe('sqs_long_polls_open 1');
    m.failed('ReceiveMessage', 'json', new SqsError('QueueDoesNotExist', 'x'), begun);
    m.failed('ReceiveMessage', 'query', new Error('boom'), m.begin('ReceiveMessage'));
    const text = await m.scrape();
    expect(sample(text, 'sqs_long_polls_open')).toBe('sqs_long_polls_open 0');
    expect(sample(text, 'sqs_requests_total{action="ReceiveMessage",protocol="json",status="400"}')).toMatch(/ 1$/);
    expect(sample(text, 'sqs_requests_total{action="ReceiveMessage",protocol="query",status="500"}')).toMatch(/ 1$/);
    expect(sample(text, 'sqs_requests_total{action="ReceiveMessage",protocol="json",status="500"}')).toBeUndefined();
    expect(sample(text, 'redsqs_metrics_queue_counts_up')).toBe('redsqs_metrics_queue_counts_up 0');
  });

  it('does not let an answer of an unforeseen shape fail the request', () => {
    const m = make();
    expect(() => m.succeeded('SendMessage', 'json', { QueueUrl: 'not a url' }, {}, 0)).not.toThrow();
  });

  it('counts requests by action, protocol and status; times them by action', async () => {
    const m = make();
    for (let i = 0; i < 3; i++) m.succeeded('ListQueues', 'json', {}, {}, m.begin('ListQueues'));
    m.succeeded('ListQueues', 'query', {}, {}, m.begin('ListQueues'));
    m.failed('ListQueues', 'query', new SqsError('QueueDoesNotExist', 'x'), m.begin('ListQueues'));
    const text = await m.scrape();
    const lines = text.split('\n').filter((l) => l.startsWith('sqs_requests_total{'));
    expect(lines).toEqual([
      'sqs_requests_total{action="ListQueues",protocol="json",status="200"} 3',
      'sqs_requests_total{action="ListQueues",protocol="query",status="200"} 1',
      'sqs_requests_total{action="ListQueues",protocol="query",status="400"} 1',
    ]);
    expect(sample(text, 'sqs_request_duration_seconds_count{')).toBe(
      'sqs_request_duration_seconds_count{action="ListQueues"} 5',
    );
  });

  it("reports the oldest message's age of the queues that hold one, and no series for an empty queue", async () => {
    const m = make(async () => [
      { account, name: 'busy', visible: 1, notVisible: 0, delayed: 0, ageOfOldestSeconds: 42 },
      { account, name: 'empty', visible: 0, notVisible: 0, delayed: 0 },
    ]);
    const text = await m.scrape();
    expect(text).toContain('# TYPE sqs_approximate_age_of_oldest_message_seconds gauge');
    expect(text.split('\n').filter((l) => l.startsWith('sqs_approximate_age_of_oldest_message_seconds'))).toEqual([
      `sqs_approximate_age_of_oldest_message_seconds{queue="busy",account="${account}"} 42`,
    ]);
  });
});

describe('ServiceMetrics with --workers', () => {
  it("prints the counters the primary summed, or this worker's own marked as such when it does not answer", async () => {
    let answer: Promise<string> = Promise.resolve('# TYPE summed_total counter\nsummed_total 5\n');
    let shared: unknown;
    const m = new ServiceMetrics({
      readCounts: async () => [],
      processMetrics: false,
      cluster: {
        share: async (r) => {
          shared = r;
        },
        collect: () => answer,
        close: () => undefined,
      },
    });
    await m.start();
    expect(shared).toBeInstanceOf(Registry);
    m.succeeded('ListQueues', 'json', {}, {}, m.begin('ListQueues'));
    let text = await m.scrape();
    expect(text).toContain('summed_total 5');
    expect(text).not.toContain('sqs_requests_total{');
    expect(text).toContain('redsqs_metrics_workers_summed 1');
    answer = Promise.reject(new Error('the primary did not answer'));
    text = await m.scrape();
    expect(text).toContain('sqs_requests_total{action="ListQueues",protocol="json",status="200"} 1');
    expect(text).toContain('redsqs_metrics_workers_summed 0');
  });
});

describe('the text format', () => {
  it("is served with prom-client's content type (prom-client itself loads only on the first scrape)", () => {
    expect(PROMETHEUS_TEXT).toBe(Registry.PROMETHEUS_CONTENT_TYPE);
  });
});

describe('everyAccountCounts', () => {
  it("reads the configured account's queues and every listed account's, listing the accounts again only after the TTL", async () => {
    let listed = 0;
    const queues: Record<string, string[]> = { '000000000000': ['a'], '111111111111': ['b', 'c'] };
    const store = {
      async listAccounts() {
        listed++;
        return ['111111111111'];
      },
      async listQueues(account: string, _prefix: string, after: string | undefined) {
        return after === undefined ? (queues[account] ?? []) : [];
      },
      async getQueue(): Promise<QueueState | undefined> {
        return { attributes: {}, counts: { visible: 1, notVisible: 0, delayed: 0 }, createdMs: 0, modifiedMs: 0 };
      },
    };
    const read = everyAccountCounts(store, cachedAccounts(store, '000000000000', 60_000));
    expect((await read(0)).map((r) => `${r.account}/${r.name}`)).toEqual([
      '000000000000/a',
      '111111111111/b',
      '111111111111/c',
    ]);
    await read(0);
    expect(listed).toBe(1);
    const fresh = everyAccountCounts(store, cachedAccounts(store, '000000000000', 0));
    await fresh(0);
    await fresh(0);
    expect(listed).toBe(3);
  });
});
