/**
 * roundtrips: Redis round trips per API call on the hot paths: the commands clients send to Redis
 * (MONITOR; commands that run inside a Lua script are not round trips) during a series of calls of
 * each action, less the background rate (sweeper, move tasks) measured just before.
 */
import { performance } from 'node:perf_hooks';
import { sleep } from '../load.mjs';
import { BODY_1K, fixedBatchEntries } from '../payload.mjs';
import { createQueue, deleteQueues } from './common.mjs';

/**
 * @typedef {{ snapshot: () => Map<string, number>, stop: () => void }} Monitor
 * @typedef {{ action: string, calls: number, perCall: number, commands: string }} Line
 */

/**
 * @param {Map<string, number>} before
 * @param {Map<string, number>} after
 */
function delta(before, after) {
  /** @type {Map<string, number>} */
  const d = new Map();
  for (const [name, calls] of after) {
    const n = calls - (before.get(name) ?? 0);
    if (n > 0) d.set(name, n);
  }
  return d;
}

/** @param {Map<string, number>} d */
const total = (d) => [...d.values()].reduce((a, b) => a + b, 0);

/**
 * Calls every hot-path action in turn on one queue and counts the commands of each series.
 * @param {import('../client.mjs').SqsClient} client
 * @param {string} QueueUrl
 * @param {Monitor} monitor
 * @param {number} idleRate background commands per ms
 * @param {number} n SendMessage calls; the other series are sized from it
 * @returns {Promise<Line[]>}
 */
async function measureActions(client, QueueUrl, monitor, idleRate, n) {
  /** @type {Line[]} */
  const lines = [];
  /**
   * @param {string} action
   * @param {number} calls
   * @param {() => Promise<unknown>} call
   */
  const measure = async (action, calls, call) => {
    const before = monitor.snapshot();
    const started = performance.now();
    for (let i = 0; i < calls; i++) await call();
    await sleep(100); // the last MONITOR lines arrive
    const d = delta(before, monitor.snapshot());
    const perCall = Math.max(0, total(d) - idleRate * (performance.now() - started)) / calls;
    const commands = [...d]
      .sort((a, b) => b[1] - a[1])
      .map(([name, k]) => `${name} ${(k / calls).toFixed(2)}`)
      .join(', ');
    lines.push({ action, calls, perCall, commands });
  };
  /** @type {string[]} */
  const handles = [];
  const take = (/** @type {number} */ k) => handles.splice(0, k);
  const receive = async (/** @type {object} */ input) => {
    for (const m of (await client.call('ReceiveMessage', input)).Messages ?? []) handles.push(m.ReceiptHandle);
  };
  const shortPoll = { QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 300 };
  const longPoll = { ...shortPoll, WaitTimeSeconds: 20 };

  await measure('SendMessage', n, () => client.call('SendMessage', { QueueUrl, MessageBody: BODY_1K }));
  await measure('SendMessageBatch (10)', n / 5, () =>
    client.call('SendMessageBatch', { QueueUrl, Entries: fixedBatchEntries() }),
  );
  await measure('ReceiveMessage (10, short poll)', n / 10, () => receive(shortPoll));
  await measure('ReceiveMessage (10, long poll, messages ready)', n / 10, () => receive(longPoll));
  const q = Math.floor(handles.length / 40) * 10; // a quarter of the handles for each of the four
  await measure('ChangeMessageVisibility', q, () =>
    client.call('ChangeMessageVisibility', { QueueUrl, ReceiptHandle: take(1)[0], VisibilityTimeout: 600 }),
  );
  await measure('ChangeMessageVisibilityBatch (10)', q / 10, () =>
    client.call('ChangeMessageVisibilityBatch', {
      QueueUrl,
      Entries: take(10).map((ReceiptHandle, i) => ({ Id: String(i), ReceiptHandle, VisibilityTimeout: 600 })),
    }),
  );
  await measure('DeleteMessage', q, () => client.call('DeleteMessage', { QueueUrl, ReceiptHandle: take(1)[0] }));
  await measure('DeleteMessageBatch (10)', q / 10, () =>
    client.call('DeleteMessageBatch', {
      QueueUrl,
      Entries: take(10).map((ReceiptHandle, i) => ({ Id: String(i), ReceiptHandle })),
    }),
  );
  return lines;
}

export default {
  name: 'roundtrips',
  title: 'Redis round trips per API call (send, receive, delete, change visibility; batch calls included)',
  /** @param {import('./common.mjs').Context} ctx */
  async run(ctx) {
    const redis = ctx.redis;
    if (!redis) {
      return { rows: [], metrics: {}, notes: ['skipped: no Redis port known (give --redis-port with --endpoint)'] };
    }
    const url = await createQueue(ctx, 'roundtrips');
    const monitor = await redis.monitor();
    try {
      const idleMs = ctx.quick ? 1000 : 2000;
      const idleBefore = monitor.snapshot();
      await sleep(idleMs);
      const idleRate = total(delta(idleBefore, monitor.snapshot())) / idleMs;
      const lines = await measureActions(ctx.client, url, monitor, idleRate, ctx.quick ? 200 : 2000);

      const worst = lines.reduce((a, b) => (b.perCall > a.perCall ? b : a));
      /** @type {Record<string, number | string>} */
      const metrics = { worst: worst.perCall, worstAction: worst.action };
      for (const l of lines) metrics[l.action] = l.perCall;
      const notes = [
        `background rate (sweeper, move tasks) ${(idleRate * 1000).toFixed(1)} commands/s, subtracted; ` +
          'commands per call in parentheses, before that subtraction',
        ...lines.map(
          (l) =>
            `${l.action.padEnd(48)} ${l.perCall.toFixed(2)} round trips/call over ${l.calls} calls (${l.commands})`,
        ),
      ];
      return { rows: [], metrics, notes };
    } finally {
      monitor.stop();
      await deleteQueues(ctx.client, [url]);
    }
  },
};
