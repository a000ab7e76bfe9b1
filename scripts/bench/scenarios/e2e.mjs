/**
 * e2e: a producer at a fixed rate (open loop: it does not wait for answers) and long-polling
 * consumers; the latency from the start of each send to its arrival at a consumer.
 */
import { performance } from 'node:perf_hooks';
import { sleep } from '../load.mjs';
import { bodyWith, headOf } from '../payload.mjs';
import { Recorder, Samples } from '../stats.mjs';
import { createQueue, deleteEntries, deleteQueues, receiveMessages, row, thousands } from './common.mjs';

const RATE = 1000;
const CONSUMERS = 8;

export default {
  name: 'e2e',
  title: `producer at ${RATE} msgs/s (SendMessage), ${CONSUMERS} long-polling consumers (WaitTimeSeconds 20)`,
  /** @param {import('./common.mjs').Context} ctx */
  async run(ctx) {
    const warmupMs = ctx.quick ? 500 : 1000;
    const durationMs = ctx.quick ? 2000 : 10_000;
    const url = await createQueue(ctx, 'e2e');
    const consumerClient = ctx.newClient({ maxSockets: CONSUMERS });
    /** @type {Recorder | undefined} */
    let recorder;
    const latency = new Samples();
    const started = performance.now();
    const windowStart = started + warmupMs;
    const windowEnd = windowStart + durationMs;
    let consuming = true;
    let sent = 0;
    let sendErrors = 0;
    let inWindowSent = 0;
    let inWindowReceived = 0;
    let duplicates = 0;
    /** @type {Set<string>} */
    const seen = new Set();
    try {
      const consumer = async () => {
        const receive = { QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 20 };
        while (consuming) {
          try {
            const messages = await receiveMessages(consumerClient, receive);
            const now = performance.now();
            if (messages.length === 0) continue;
            for (const m of messages) {
              const sentAt = Number(headOf(m.Body));
              if (sentAt < windowStart || sentAt >= windowEnd) continue;
              if (seen.has(m.MessageId)) duplicates++;
              seen.add(m.MessageId);
              latency.add(now - sentAt);
              inWindowReceived++;
            }
            await consumerClient.call('DeleteMessageBatch', { QueueUrl: url, Entries: deleteEntries(messages) });
          } catch (err) {
            if (consuming) throw err;
          }
        }
      };
      const consumers = Array.from({ length: CONSUMERS }, consumer);
      await sleep(200); // the long polls are open before the first send

      const producer = setInterval(() => {
        const now = performance.now();
        if (!recorder && now >= windowStart) {
          recorder = new Recorder(ctx.cpu);
          ctx.client.recorder = recorder;
          consumerClient.recorder = recorder;
        }
        if (now >= windowEnd) recorder?.stop();
        const due = Math.min(now, windowEnd) - started;
        while (sent < Math.floor((due * RATE) / 1000)) {
          sent++;
          const at = performance.now();
          if (at >= windowStart && at < windowEnd) inWindowSent++;
          ctx.client.call('SendMessage', { QueueUrl: url, MessageBody: bodyWith(at.toFixed(3)) }).catch(() => {
            sendErrors++;
          });
        }
        if (now >= windowEnd) clearInterval(producer);
      }, 1);
      await sleep(windowEnd - performance.now() + 5);
      // Let the last messages arrive.
      const waitUntil = performance.now() + 3000;
      while (inWindowReceived < inWindowSent - sendErrors && performance.now() < waitUntil) await sleep(20);
      const rec = /** @type {Recorder} */ (recorder).stop();
      consuming = false;
      consumerClient.close();
      await Promise.allSettled(consumers);

      const seconds = (windowEnd - windowStart) / 1000;
      const r = row('e2e (send to receive)', rec, inWindowReceived, {
        latency: latency.summary(),
        latencyOf: 'send start to receipt by a consumer',
      });
      const sendLatency = rec.latency(['SendMessage']);
      return {
        rows: [r],
        metrics: {
          p50: r.latency.p50,
          p99: r.latency.p99,
          sendRate: inWindowSent / seconds,
          lost: inWindowSent - sendErrors - inWindowReceived,
        },
        notes: [
          `sent ${thousands(inWindowSent)} messages in the ${seconds.toFixed(1)} s window (${(inWindowSent / seconds).toFixed(0)} msgs/s), ` +
            `received ${thousands(inWindowReceived)}, send errors ${sendErrors}, duplicates ${duplicates}`,
          `SendMessage latency p50 ${sendLatency.p50.toFixed(2)} ms, p99 ${sendLatency.p99.toFixed(2)} ms`,
        ],
      };
    } finally {
      consuming = false;
      ctx.client.recorder = undefined;
      consumerClient.close();
      await deleteQueues(ctx.client, [url]);
    }
  },
};
