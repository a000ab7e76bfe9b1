/**
 * groups: FIFO ReceiveMessage latency with 100 message groups versus 100,000 (10,000 in quick
 * mode), the same number of messages in both queues, at a steady depth.
 */
import { bodyWith } from '../payload.mjs';
import { Recorder } from '../stats.mjs';
import { createQueue, deleteQueues, preload, row, settleRedis, steadyCycles, thousands } from './common.mjs';

export default {
  name: 'groups',
  title: 'FIFO ReceiveMessage (1) + DeleteMessageBatch latency, 100 versus 100,000 message groups',
  /** @param {import('./common.mjs').Context} ctx */
  async run(ctx) {
    const total = ctx.quick ? 10_000 : 100_000;
    const counts = [100, total];
    const iterations = ctx.quick ? 200 : 2000;
    const urls = [await createQueue(ctx, 'groups-few.fifo'), await createQueue(ctx, 'groups-many.fifo')];
    let dedup = 0;
    /** @param {string} group */
    const entry = (group) => {
      const id = dedup++;
      return {
        Id: String(id % 10),
        MessageBody: bodyWith(group),
        MessageGroupId: group,
        MessageDeduplicationId: `d${id}`,
      };
    };
    try {
      const notes = [];
      for (const [i, url] of urls.entries()) {
        const groups = /** @type {number} */ (counts[i]);
        const pre = await preload(ctx.client, url, total, {
          concurrency: ctx.concurrency,
          entries: (batch, size) => Array.from({ length: size }, (_, j) => entry(`g${(batch * 10 + j) % groups}`)),
        });
        notes.push(
          `${thousands(total)} messages in ${thousands(groups)} groups, preloaded in ${pre.seconds.toFixed(1)} s ` +
            `(${thousands(pre.messages / pre.seconds)} msgs/s)`,
        );
      }
      const waited = await settleRedis(ctx);
      if (waited > 0.3) notes.push(`waited ${waited.toFixed(1)} s for Redis to finish rewriting its append-only file`);

      const recorders = [new Recorder(), new Recorder()];
      const rounds = 4;
      for (let round = 0; round < rounds; round++) {
        for (const [i, url] of urls.entries()) {
          await steadyCycles(ctx.client, url, {
            iterations: iterations / rounds,
            max: 1,
            recorder: /** @type {Recorder} */ (recorders[i]),
            // The group gets a new message at its end: the queue keeps its messages and groups.
            refill: (received) => received.map((m) => entry(m.Body.slice(0, m.Body.indexOf('|')))),
          });
        }
      }
      const [few, many] = /** @type {import('./common.mjs').Row[]} */ (
        recorders.map((rec, i) =>
          row(`groups ${thousands(/** @type {number} */ (counts[i]))}`, rec.stop(), Number.NaN, {
            actions: ['ReceiveMessage'],
          }),
        )
      );
      const ratio = many.latency.p50 / few.latency.p50;
      notes.push(
        `${iterations} cycles per queue (receive 1, delete it, send one more to its group), one request at a time, ` +
          `alternating in ${rounds} rounds; latency columns: ReceiveMessage`,
        `ReceiveMessage p50 ${thousands(total)} / 100 groups: ${ratio.toFixed(2)}x (p99 ${(many.latency.p99 / few.latency.p99).toFixed(2)}x)`,
      );
      return {
        rows: [few, many],
        metrics: { manyGroups: total, ratioP50: ratio, ratioP99: many.latency.p99 / few.latency.p99 },
        notes,
      };
    } finally {
      await deleteQueues(ctx.client, urls);
    }
  },
};
