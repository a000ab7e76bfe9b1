/**
 * memory: Redis used_memory per stored 1 KiB message (INFO memory before and after storing a
 * batch of messages), and the service's RSS sampled over a sustained send/receive/delete load.
 */
import { performance } from 'node:perf_hooks';
import { runWorkers, sleep } from '../load.mjs';
import { BODY_1K, fixedBatchEntries } from '../payload.mjs';
import { rssOf } from '../probes.mjs';
import { mean, Recorder } from '../stats.mjs';
import { createQueue, deleteEntries, deleteQueues, preload, receiveMessages, row, thousands } from './common.mjs';

const MiB = 1024 * 1024;

export default {
  name: 'memory',
  title: 'Redis memory per stored 1 KiB message; service RSS under a sustained send + receive + delete load',
  /** @param {import('./common.mjs').Context} ctx */
  async run(ctx) {
    const count = ctx.quick ? 10_000 : 100_000;
    const sustainMs = ctx.quick ? 4_000 : 16_000;
    /** @type {import('./common.mjs').ScenarioResult} */
    const result = { rows: [], metrics: {}, notes: [] };
    const urls = [];
    try {
      if (ctx.redis) {
        const url = await createQueue(ctx, 'memory');
        urls.push(url);
        await sleep(300);
        const before = await ctx.redis.usedMemory();
        const entries = fixedBatchEntries();
        await preload(ctx.client, url, count, { concurrency: ctx.concurrency, entries: () => entries });
        await sleep(500);
        const after = await ctx.redis.usedMemory();
        const perMessage = (after - before) / count;
        result.metrics.redisBytesPerMessage = perMessage;
        result.metrics.redisKiBPerMessage = perMessage / 1024;
        result.notes.push(
          `Redis used_memory ${(before / MiB).toFixed(1)} MiB -> ${(after / MiB).toFixed(1)} MiB for ${thousands(count)} messages: ` +
            `${thousands(perMessage)} bytes = ${(perMessage / 1024).toFixed(2)} KiB per 1 KiB message`,
        );
      } else {
        result.notes.push('Redis memory: skipped (no Redis port known; give --redis-port with --endpoint)');
      }

      // Sustained load: half the workers send, half receive and delete, on one queue.
      const url = await createQueue(ctx, 'memory-sustained');
      urls.push(url);
      const half = Math.max(1, ctx.concurrency / 2);
      const recorder = new Recorder(ctx.cpu);
      ctx.client.recorder = recorder;
      /** @type {{ t: number, rss: number }[]} */
      const samples = [];
      const started = performance.now();
      const sample = () => {
        if (ctx.servicePid) samples.push({ t: (performance.now() - started) / 1000, rss: rssOf(ctx.servicePid) });
      };
      sample();
      const sampler = setInterval(sample, 500);
      let stop = false;
      const timer = setTimeout(() => {
        stop = true;
      }, sustainMs);
      let received = 0;
      const send = { QueueUrl: url, MessageBody: BODY_1K };
      const receive = { QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 };
      await runWorkers({
        concurrency: half * 2,
        shouldStop: () => stop,
        step: async (i) => {
          if (i < half) {
            await ctx.client.call('SendMessage', send);
            return 1;
          }
          const messages = await receiveMessages(ctx.client, receive);
          if (messages.length === 0) return 0;
          await ctx.client.call('DeleteMessageBatch', { QueueUrl: url, Entries: deleteEntries(messages) });
          received += messages.length;
          return 0;
        },
      });
      clearTimeout(timer);
      clearInterval(sampler);
      sample();
      recorder.stop();
      ctx.client.recorder = undefined;
      const sent = recorder.byAction.get('SendMessage')?.count ?? 0;
      // ReceiveMessage waits up to 1 s when the queue is empty: the row's latency is the sends'.
      result.rows.push(row('memory: sustained mix', recorder, sent + received, { actions: ['SendMessage'] }));
      result.notes.push(
        `sustained load ${sustainMs / 1000} s: ${half} senders (SendMessage) and ${half} consumers ` +
          `(ReceiveMessage 10 + DeleteMessageBatch): ${thousands(sent)} sent, ${thousands(received)} received and deleted; ` +
          'msgs/s counts both; ReceiveMessage latency includes long-poll waits (WaitTimeSeconds 1)',
      );
      if (samples.length >= 8) {
        // Flat: the last quarter's mean RSS against the second quarter's (the first is warm-up).
        const q = Math.floor(samples.length / 4);
        const second = mean(samples.slice(q, 2 * q).map((s) => s.rss));
        const last = mean(samples.slice(-q).map((s) => s.rss));
        const growth = last / second - 1;
        const max = Math.max(...samples.map((s) => s.rss));
        result.metrics.rssStartMiB = (samples[0]?.rss ?? 0) / MiB;
        result.metrics.rssMaxMiB = max / MiB;
        result.metrics.rssEndMiB = (samples.at(-1)?.rss ?? 0) / MiB;
        result.metrics.rssGrowth = growth;
        const every = Math.max(1, Math.round(samples.length / 10));
        const trace = samples
          .filter((_, i) => i % every === 0 || i === samples.length - 1)
          .map((s) => `${s.t.toFixed(0)}s ${(s.rss / MiB).toFixed(0)}`)
          .join(', ');
        result.notes.push(
          `service RSS (MiB): ${trace}; second quarter mean ${(second / MiB).toFixed(1)}, last quarter mean ` +
            `${(last / MiB).toFixed(1)} (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%), max ${(max / MiB).toFixed(1)}`,
        );
      } else {
        result.notes.push('service RSS: skipped (the benchmark did not start the service)');
      }
      return result;
    } finally {
      await deleteQueues(ctx.client, urls);
    }
  },
};
