/**
 * roundtrips: Redis commands per API call on the hot paths, from Redis's own command counters
 * (INFO commandstats) around a series of calls of each action, less the background rate (the
 * sweeper) measured just before. With ioredis each command is one round trip at most.
 */
import { performance } from 'node:perf_hooks';
import { sleep } from '../load.mjs';
import { BODY_1K, fixedBatchEntries } from '../payload.mjs';
import { createQueue, deleteQueues } from './common.mjs';

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

export default {
  name: 'roundtrips',
  title: 'Redis commands per API call (send, receive, delete, change visibility; batch calls included)',
  /** @param {import('./common.mjs').Context} ctx */
  async run(ctx) {
    const redis = ctx.redis;
    if (!redis) {
      return { rows: [], metrics: {}, notes: ['skipped: no Redis port known (give --redis-port with --endpoint)'] };
    }
    const url = await createQueue(ctx, 'roundtrips');
    try {
      const client = ctx.client;
      // Background commands per ms while no request runs.
      const idleMs = 1500;
      const idleBefore = await redis.commandCalls();
      await sleep(idleMs);
      const idleRate = total(delta(idleBefore, await redis.commandCalls())) / idleMs;

      /** @type {{ action: string, calls: number, perCall: number, commands: string }[]} */
      const lines = [];
      /**
       * @param {string} label
       * @param {number} calls
       * @param {(i: number) => Promise<unknown>} call
       */
      const measure = async (label, calls, call) => {
        const before = await redis.commandCalls();
        const started = performance.now();
        for (let i = 0; i < calls; i++) await call(i);
        const ms = performance.now() - started;
        const d = delta(before, await redis.commandCalls());
        const background = idleRate * ms;
        const perCall = Math.max(0, total(d) - background) / calls;
        const commands = [...d]
          .sort((a, b) => b[1] - a[1])
          .map(([name, n]) => `${name} ${(n / calls).toFixed(2)}`)
          .join(', ');
        lines.push({ action: label, calls, perCall, commands });
      };

      const n = ctx.quick ? 200 : 500;
      const send = { QueueUrl: url, MessageBody: BODY_1K };
      const batch = { QueueUrl: url, Entries: fixedBatchEntries() };
      await measure('SendMessage', n, () => client.call('SendMessage', send));
      await measure('SendMessageBatch (10)', n / 5, () => client.call('SendMessageBatch', batch));
      /** @type {string[]} */
      const handles = [];
      const receive = { QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 300 };
      await measure('ReceiveMessage (10, short poll)', n / 10, async () => {
        for (const m of (await client.call('ReceiveMessage', receive)).Messages ?? []) handles.push(m.ReceiptHandle);
      });
      const longPoll = { ...receive, WaitTimeSeconds: 20 };
      await measure('ReceiveMessage (10, long poll, messages ready)', n / 10, async () => {
        for (const m of (await client.call('ReceiveMessage', longPoll)).Messages ?? []) handles.push(m.ReceiptHandle);
      });
      const take = (/** @type {number} */ k) => handles.splice(0, k);
      const q = Math.floor(handles.length / 4 / 10) * 10;
      await measure('ChangeMessageVisibility', q, () =>
        client.call('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: take(1)[0], VisibilityTimeout: 600 }),
      );
      await measure('ChangeMessageVisibilityBatch (10)', q / 10, () =>
        client.call('ChangeMessageVisibilityBatch', {
          QueueUrl: url,
          Entries: take(10).map((ReceiptHandle, i) => ({ Id: String(i), ReceiptHandle, VisibilityTimeout: 600 })),
        }),
      );
      await measure('DeleteMessage', q, () => client.call('DeleteMessage', { QueueUrl: url, ReceiptHandle: take(1)[0] }));
      await measure('DeleteMessageBatch (10)', q / 10, () =>
        client.call('DeleteMessageBatch', {
          QueueUrl: url,
          Entries: take(10).map((ReceiptHandle, i) => ({ Id: String(i), ReceiptHandle })),
        }),
      );

      const worst = Math.max(...lines.map((l) => l.perCall));
      const notes = [
        `background (sweeper) rate ${(idleRate * 1000).toFixed(1)} commands/s, subtracted`,
        ...lines.map(
          (l) => `${l.action.padEnd(48)} ${l.perCall.toFixed(2)} commands/call over ${l.calls} calls (${l.commands})`,
        ),
      ];
      /** @type {Record<string, number>} */
      const metrics = { worst };
      for (const l of lines) metrics[l.action] = l.perCall;
      return { rows: [], metrics, notes };
    } finally {
      await deleteQueues(ctx.client, [url]);
    }
  },
};
