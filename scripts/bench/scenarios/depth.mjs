/**
 * depth: receive + delete latency on a queue holding 1,000 messages and on one holding 1,000,000
 * (50,000 in quick mode). Both are measured at a steady depth, alternating between the two.
 */
import { fixedBatchEntries } from '../payload.mjs';
import { Recorder } from '../stats.mjs';
import { createQueue, deleteQueues, preload, row, settleRedis, steadyCycles, thousands } from './common.mjs';

export default {
  name: 'depth',
  title: 'ReceiveMessage (10) + DeleteMessageBatch latency, 1,000 versus 1,000,000 messages queued',
  /** @param {import('./common.mjs').Context} ctx */
  async run(ctx) {
    const small = 1000;
    const big = ctx.quick ? 50_000 : 1_000_000;
    const iterations = ctx.quick ? 200 : 2000;
    const urls = [await createQueue(ctx, 'depth-small'), await createQueue(ctx, 'depth-big')];
    const [smallUrl, bigUrl] = /** @type {[string, string]} */ (urls);
    try {
      const entries = fixedBatchEntries();
      const notes = [];
      await preload(ctx.client, smallUrl, small, { concurrency: ctx.concurrency, entries: () => entries });
      const pre = await preload(ctx.client, bigUrl, big, { concurrency: ctx.concurrency * 2, entries: () => entries });
      notes.push(
        `preloaded ${thousands(big)} messages with SendMessageBatch (${ctx.concurrency * 2} concurrent) in ` +
          `${pre.seconds.toFixed(1)} s (${thousands(pre.messages / pre.seconds)} msgs/s)`,
      );
      const waited = await settleRedis(ctx);
      if (waited > 0.3) notes.push(`waited ${waited.toFixed(1)} s for Redis to finish rewriting its append-only file`);

      const recorders = [new Recorder(), new Recorder()];
      const rounds = 4;
      for (let round = 0; round < rounds; round++) {
        for (const [i, url] of [smallUrl, bigUrl].entries()) {
          await steadyCycles(ctx.client, url, {
            iterations: iterations / rounds,
            max: 10,
            recorder: /** @type {Recorder} */ (recorders[i]),
            refill: (received) => entries.slice(0, received.length),
          });
        }
      }
      const [smallRow, bigRow] = recorders.map((rec, i) =>
        row(`depth ${thousands(i === 0 ? small : big)}`, rec.stop(), Number.NaN, { actions: ['ReceiveMessage'] }),
      );
      const s = /** @type {import('./common.mjs').Row} */ (smallRow);
      const b = /** @type {import('./common.mjs').Row} */ (bigRow);
      const ratio = b.latency.p50 / s.latency.p50;
      notes.push(
        `${iterations} cycles per queue, one request at a time, alternating in ${rounds} rounds; ` +
          'latency columns: ReceiveMessage; throughput columns: receive + delete + refill requests',
        `ReceiveMessage p50 ${thousands(big)} / ${thousands(small)}: ${ratio.toFixed(2)}x ` +
          `(p99 ${(b.latency.p99 / s.latency.p99).toFixed(2)}x); DeleteMessageBatch p50 ` +
          `${(b.perAction.DeleteMessageBatch?.p50 ?? Number.NaN).toFixed(2)} vs ` +
          `${(s.perAction.DeleteMessageBatch?.p50 ?? Number.NaN).toFixed(2)} ms`,
      );
      return {
        rows: [s, b],
        metrics: { bigMessages: big, ratioP50: ratio, ratioP99: b.latency.p99 / s.latency.p99 },
        notes,
      };
    } finally {
      await deleteQueues(ctx.client, urls);
    }
  },
};
