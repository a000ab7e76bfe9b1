/**
 * The Lambda-style pollers on the shared clock: the batching window and the function timeout run
 * on it, so a test advances the clock instead of waiting. The pollers run in an instance started
 * by startRedsqs (src/testing.ts) on the test Redis; a second instance of the same deployment (same
 * key prefix) moves the clock in one test, the testing API's clock in the other. The handlers are
 * .mjs modules imported into this process; they record their invocations in globalThis.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQS } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { type Redsqs, startRedsqs } from '../../src/testing.js';
import { sqsClient } from '../helpers/clients.js';
import { changeClock as changeClockOn, sleep, until as waitFor } from '../helpers/clock.js';
import { startTestService, type TestService } from '../helpers/service.js';

interface Call {
  bodies: string[];
  receiveCounts: string[];
  /** getRemainingTimeInMillis() when the handler started. */
  remainingAtStart: number;
  context: { getRemainingTimeInMillis(): number };
}
interface Recorded {
  batcher: Call[];
  slow: Call[];
}
const KEY = '__redsqsClockPollers';
const recorded = (): Recorded => (globalThis as unknown as Record<string, Recorded>)[KEY] as Recorded;

const dir = mkdtempSync(join(tmpdir(), 'redsqs-clock-pollers-'));
const logLines: string[] = [];
let other: TestService;
let pollers: Redsqs;
let sqs: SQS;

/** Waits for a condition; a timeout shows the service's log. */
const until = <T>(what: string, probe: () => T | Promise<T>, ok: (v: T) => boolean) =>
  waitFor(what, probe, ok, 3_000, () => logLines.join(''));

function handlerModule(file: string, name: keyof Recorded, then: string): void {
  writeFileSync(
    join(dir, file),
    `export const handler = async (event, context) => {
  const calls = ((globalThis.${KEY} ??= { batcher: [], slow: [] }).${name});
  calls.push({
    bodies: event.Records.map((r) => r.body),
    receiveCounts: event.Records.map((r) => r.attributes.ApproximateReceiveCount),
    remainingAtStart: context.getRemainingTimeInMillis(),
    context,
  });
  ${then}
};
`,
  );
}

/** Through the other instance (the one that does not run the pollers). */
const queueUrl = (name: string) => `${other.url}/${other.config.accountId}/${name}`;

async function counts(name: string) {
  const { Attributes = {} } = await sqs.getQueueAttributes({ QueueUrl: queueUrl(name), AttributeNames: ['All'] });
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages),
    inflight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
  };
}

/** Moves the clock through the other instance's route. */
const changeClock = (change: Record<string, unknown>) => changeClockOn(other.url, change);

beforeAll(async () => {
  (globalThis as unknown as Record<string, Recorded>)[KEY] = { batcher: [], slow: [] };
  handlerModule('batcher.mjs', 'batcher', '');
  // The first invocation never settles: only the function timeout can end it.
  handlerModule('slow.mjs', 'slow', "if (calls.length === 1) await new Promise(() => {}); return 'done';");
  const config = {
    queues: [
      // Messages wait in flight for their batch's window (60 s) to end: the visibility timeout must
      // outlast it, or they come back and are received again into the same batch.
      { QueueName: 'window-q', Attributes: { VisibilityTimeout: '300' } },
      // Lambda requires a visibility timeout of at least the function timeout.
      { QueueName: 'timeout-q', Attributes: { VisibilityTimeout: '60' } },
    ],
    functions: [
      { FunctionName: 'batcher', Handler: 'batcher.handler' },
      { FunctionName: 'slow', Handler: 'slow.handler', Timeout: 30 },
    ],
    eventSourceMappings: [
      // Lambda: a BatchSize above 10 needs MaximumBatchingWindowInSeconds of at least 1.
      { FunctionName: 'batcher', QueueName: 'window-q', BatchSize: 20, MaximumBatchingWindowInSeconds: 60 },
      { FunctionName: 'slow', QueueName: 'timeout-q', BatchSize: 1 },
    ],
  };
  writeFileSync(join(dir, 'redsqs.config.json'), JSON.stringify(config));
  other = await startTestService();
  pollers = await startRedsqs({
    redisUrl: inject('redisUrl'),
    keyPrefix: other.config.keyPrefix,
    pollerConfig: join(dir, 'redsqs.config.json'),
    log: createLogger('info', (line) => logLines.push(line)),
  });
  sqs = sqsClient('json', other.url);
});

afterAll(async () => {
  sqs?.destroy();
  await pollers?.stop();
  await other?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('pollers on the shared clock', () => {
  it('a batching window of 60 s ends when the clock (moved on another instance) has passed it', async () => {
    await changeClock({ freeze: true });
    try {
      await sqs.sendMessageBatch({
        QueueUrl: queueUrl('window-q'),
        Entries: ['one', 'two', 'three'].map((MessageBody, i) => ({ Id: `e${i}`, MessageBody })),
      });
      // The poller took them into its batch (in flight), and waits for more: 3 < BatchSize 20.
      await until(
        'the poller to receive the messages',
        () => counts('window-q'),
        (c) => c.inflight === 3,
      );
      await changeClock({ advanceMs: 59_000 });
      // The window has 1 s of the clock left, and the clock stands still: real time ends nothing.
      await sleep(500);
      expect(recorded().batcher).toHaveLength(0);
      await changeClock({ advanceMs: 1_000 });
      await until(
        'the invocation',
        () => recorded().batcher.length,
        (n) => n > 0,
      );
      expect(recorded().batcher).toHaveLength(1);
      expect(recorded().batcher[0]?.bodies.sort()).toEqual(['one', 'three', 'two']);
      // Succeeded, so the poller deletes the batch.
      await until(
        'the batch to be deleted',
        () => counts('window-q'),
        (c) => c.visible === 0 && c.inflight === 0,
      );
    } finally {
      await changeClock({ freeze: false });
    }
  });

  it('a message the same clock move makes due starts the next batch: the move loses nothing', async () => {
    await changeClock({ freeze: true });
    try {
      await sqs.sendMessage({ QueueUrl: queueUrl('window-q'), MessageBody: 'now' });
      await until(
        'the poller to receive it',
        () => counts('window-q'),
        (c) => c.inflight === 1,
      );
      await sqs.sendMessage({ QueueUrl: queueUrl('window-q'), MessageBody: 'in 30 s', DelaySeconds: 30 });
      // Ends the window of the batch ['now'] and makes 'in 30 s' due, at the same moment: the poll
      // open for the batch receives it, so it begins the next batch, with a window of its own.
      await changeClock({ advanceMs: 60_000 });
      await until(
        'the first batch',
        () => recorded().batcher.length,
        (n) => n === 2,
      );
      expect(recorded().batcher[1]?.bodies).toEqual(['now']);
      await until(
        'the second batch to collect the message',
        () => counts('window-q'),
        (c) => c.inflight === 1 && c.visible === 0,
      );
      await changeClock({ advanceMs: 60_000 });
      await until(
        'the second batch',
        () => recorded().batcher.length,
        (n) => n === 3,
      );
      // Received once: not taken by a poll nobody read and received again after its visibility timeout.
      expect(recorded().batcher[2]).toMatchObject({ bodies: ['in 30 s'], receiveCounts: ['1'] });
    } finally {
      await changeClock({ freeze: false });
    }
  });

  it('a function timeout of 30 s runs on the clock: the remaining time, the timeout and the retry follow it', async () => {
    const clock = pollers.clock;
    await clock.freeze();
    try {
      await sqs.sendMessage({ QueueUrl: queueUrl('timeout-q'), MessageBody: 'slow' });
      await until(
        'the first invocation',
        () => recorded().slow.length,
        (n) => n === 1,
      );
      const first = recorded().slow[0] as Call;
      expect(first.receiveCounts).toEqual(['1']);
      expect(first.remainingAtStart).toBe(30_000);
      await clock.advance(10_000);
      expect(first.context.getRemainingTimeInMillis()).toBe(20_000);
      // Lambda's message for a function that ran out of time.
      const timedOut = (l: string) => l.includes('invoke slow:') && l.includes('Task timed out after 30.00 seconds');
      expect(logLines.some(timedOut)).toBe(false);
      await clock.advance(21_000);
      expect(first.context.getRemainingTimeInMillis()).toBe(0);
      await until(
        'the invocation to time out',
        () => logLines.some(timedOut),
        (yes) => yes,
      );
      // A failed invocation leaves the message to come back after the queue's visibility timeout
      // (60 s from the receive; 31 s have passed).
      expect(await counts('timeout-q')).toEqual({ visible: 0, inflight: 1 });
      expect(recorded().slow).toHaveLength(1);
      await clock.advance(30_000);
      await until(
        'the second invocation',
        () => recorded().slow.length,
        (n) => n === 2,
      );
      expect(recorded().slow[1]?.receiveCounts).toEqual(['2']);
      await until(
        'the message to be deleted after the second invocation succeeded',
        () => counts('timeout-q'),
        (c) => c.visible === 0 && c.inflight === 0,
      );
    } finally {
      await clock.unfreeze();
    }
  });
});
