import { describe, expect, it } from 'vitest';
import { batchOutcome, keepGroupOrder } from '../../src/lambda/batch-response.js';
import { parsePollerConfig } from '../../src/lambda/config.js';
import type { SqsRecord } from '../../src/lambda/event.js';
import { matchesFilters } from '../../src/lambda/filter.js';

const record = (body: string, extra: Partial<SqsRecord> = {}): SqsRecord => ({
  messageId: 'm',
  receiptHandle: 'r',
  body,
  attributes: { ApproximateReceiveCount: '1' },
  messageAttributes: { kind: { stringValue: 'vip', stringListValues: [], binaryListValues: [], dataType: 'String' } },
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn',
  awsRegion: 'us-east-1',
  ...extra,
});

describe('filter patterns', () => {
  const order = record(JSON.stringify({ type: 'order', amount: 12, tags: ['a', 'b'], customer: { tier: 'gold' } }));
  it.each([
    [{ body: { type: ['order'] } }, true],
    [{ body: { type: ['refund'] } }, false],
    [{ body: { type: [{ prefix: 'ord' }] } }, true],
    [{ body: { type: [{ suffix: 'der' }] } }, true],
    [{ body: { type: [{ 'equals-ignore-case': 'ORDER' }] } }, true],
    [{ body: { type: [{ 'anything-but': ['refund'] }] } }, true],
    [{ body: { type: [{ 'anything-but': 'order' }] } }, false],
    [{ body: { amount: [{ numeric: ['>', 10, '<=', 12] }] } }, true],
    [{ body: { amount: [{ numeric: ['<', 10] }] } }, false],
    [{ body: { missing: [{ exists: false }] } }, true],
    [{ body: { type: [{ exists: false }] } }, false],
    [{ body: { tags: ['b'] } }, true],
    [{ body: { customer: { tier: ['gold'] } } }, true],
    [{ body: { type: ['order'], amount: [13] } }, false],
    [{ messageAttributes: { kind: { stringValue: ['vip'] } } }, true],
    [{ attributes: { ApproximateReceiveCount: ['1'] } }, true],
  ])('%j matches: %s', (pattern, expected) => {
    expect(matchesFilters([pattern], order)).toBe(expected);
  });

  it('processes a record matching any of several filters, and everything without filters', () => {
    expect(matchesFilters([{ body: { type: ['x'] } }, { body: { type: ['order'] } }], order)).toBe(true);
    expect(matchesFilters([], order)).toBe(true);
  });

  it('matches a plain-text body as a string', () => {
    expect(matchesFilters([{ body: [{ prefix: 'hello' }] }], record('hello world'))).toBe(true);
    expect(matchesFilters([{ body: { type: ['order'] } }], record('hello world'))).toBe(false);
  });
});

describe('batch responses (ReportBatchItemFailures)', () => {
  const ids = new Set(['a', 'b', 'c']);
  const ok = (value: unknown) => ({ ok: true as const, value });
  it.each([
    [null, 'success'],
    [undefined, 'success'],
    [{}, 'success'],
    [{ batchItemFailures: [] }, 'success'],
    [{ batchItemFailures: null }, 'success'],
    [{ batchItemFailures: [{ itemIdentifier: 'b' }] }, 'partial'],
    [{ batchItemFailures: [{ itemIdentifier: '' }] }, 'failure'],
    [{ batchItemFailures: [{ itemIdentifier: 'zzz' }] }, 'failure'],
    [{ batchItemFailures: [{ id: 'b' }] }, 'failure'],
    [{ batchItemFailures: 'b' }, 'failure'],
    [{ batchItemFailure: [{ itemIdentifier: 'b' }] }, 'failure'],
    ['a string', 'failure'],
    [[{ itemIdentifier: 'b' }], 'failure'],
  ])('%j is %s', (response, kind) => {
    expect(batchOutcome(ok(response), true, ids).kind).toBe(kind);
  });

  it('treats any returned value as success without ReportBatchItemFailures, and errors as failure', () => {
    expect(batchOutcome(ok({ batchItemFailures: [{ itemIdentifier: 'zzz' }] }), false, ids).kind).toBe('success');
    expect(batchOutcome({ ok: false, error: 'boom' }, true, ids)).toEqual({ kind: 'failure', reason: 'boom' });
  });

  it('keeps the rest of a FIFO group after its first failure', () => {
    const batch = [
      { id: '1', group: 'A' },
      { id: '2', group: 'B' },
      { id: '3', group: 'A' },
      { id: '4', group: 'B' },
    ];
    expect([...keepGroupOrder(batch, new Set(['1']))].sort()).toEqual(['1', '3']);
  });
});

describe('poller configuration', () => {
  const base = {
    functions: [{ FunctionName: 'f', Handler: 'h.handler' }],
    eventSourceMappings: [{ FunctionName: 'f', QueueName: 'q' }],
  };
  const error = (patch: object) => {
    try {
      parsePollerConfig({ ...base, ...patch }, '/tmp');
    } catch (err) {
      return (err as Error).message;
    }
    return 'accepted';
  };
  const mapping = (m: object) => ({ eventSourceMappings: [{ FunctionName: 'f', QueueName: 'q', ...m }] });

  it('accepts the defaults of AWS', () => {
    const c = parsePollerConfig(base, '/tmp');
    expect(c.eventSourceMappings[0]).toMatchObject({ BatchSize: 10, MaximumBatchingWindowInSeconds: 0, Enabled: true });
    expect(c.functions[0]).toMatchObject({ Timeout: 3, file: '/tmp/h', exportName: 'handler' });
  });

  it.each([
    [mapping({ BatchSize: 0 }), 'eventSourceMappings[0].BatchSize'],
    [mapping({ BatchSize: 11 }), 'eventSourceMappings[0].BatchSize: above 10 needs MaximumBatchingWindowInSeconds'],
    [mapping({ BatchSize: 10001, MaximumBatchingWindowInSeconds: 1 }), 'eventSourceMappings[0].BatchSize'],
    [
      mapping({ QueueName: 'q.fifo', BatchSize: 11, MaximumBatchingWindowInSeconds: 1 }),
      'eventSourceMappings[0].BatchSize',
    ],
    [mapping({ MaximumBatchingWindowInSeconds: 301 }), 'MaximumBatchingWindowInSeconds'],
    [mapping({ ScalingConfig: { MaximumConcurrency: 1 } }), 'ScalingConfig.MaximumConcurrency'],
    [mapping({ FunctionResponseTypes: ['Other'] }), 'FunctionResponseTypes'],
    [mapping({ FilterCriteria: { Filters: [{ Pattern: '{not json' }] } }), 'FilterCriteria.Filters[0].Pattern'],
    [mapping({ FunctionName: 'nope' }), 'eventSourceMappings[0].FunctionName'],
    [mapping({ QueueName: undefined, EventSourceArn: 'arn:bad' }), 'EventSourceArn'],
    [{ functions: [{ FunctionName: 'f', Handler: 'nodot' }] }, 'functions[0].Handler'],
    [{ functions: [{ FunctionName: 'f', Handler: 'h.handler', Timeout: 0 }] }, 'functions[0].Timeout'],
    [{ queues: [{ Attributes: {} }] }, 'queues[0].QueueName'],
    [{ extra: 1 }, 'extra: is not a known field'],
  ])('refuses %j naming %s', (patch, field) => {
    expect(error(patch)).toContain(field);
  });

  it('takes the queue from EventSourceArn', () => {
    const c = parsePollerConfig(
      { ...base, ...mapping({ QueueName: undefined, EventSourceArn: 'arn:aws:sqs:us-east-1:000000000000:orders' }) },
      '/tmp',
    );
    expect(c.eventSourceMappings[0]?.QueueName).toBe('orders');
  });
});
