/**
 * fifo: a FIFO queue with 100 message groups, filled so that each group's order is known, then
 * drained like `drain`; every received message must be the next of its group.
 */
import { bodyWith, headOf } from '../payload.mjs';
import { Recorder } from '../stats.mjs';
import { createQueue, deleteQueues, drain, row, thousands } from './common.mjs';

const GROUPS = 100;
/** Each producer owns GROUPS / PRODUCERS groups and sends them in order, one batch at a time. */
const PRODUCERS = 20;

export default {
  name: 'fifo',
  title: `FIFO queue, ${GROUPS} message groups: SendMessageBatch, then drain with a per-group order check`,
  /** @param {import('./common.mjs').Context} ctx */
  async run(ctx) {
    const perGroup = ctx.quick ? 100 : 500;
    const count = perGroup * GROUPS;
    const url = await createQueue(ctx, 'fifo.fifo');
    try {
      // Send: producer p owns groups p, p + 20, ...; its batches go out one after the other, so
      // the order within each group is the order of its sequence numbers.
      const sent = new Array(GROUPS).fill(0);
      const batchesPerProducer = Math.ceil((perGroup * (GROUPS / PRODUCERS)) / 10);
      const recorder = new Recorder(ctx.cpu);
      ctx.client.recorder = recorder;
      const producer = async (/** @type {number} */ p) => {
        for (let batch = 0; batch < batchesPerProducer; batch++) {
          const Entries = [];
          for (let i = 0; i < 10; i++) {
            const group = p + PRODUCERS * ((batch * 10 + i) % (GROUPS / PRODUCERS));
            const seq = sent[group]++;
            Entries.push({
              Id: String(i),
              MessageBody: bodyWith(`${group}:${seq}`),
              MessageGroupId: `g${group}`,
              MessageDeduplicationId: `${group}-${seq}`,
            });
          }
          const out = await ctx.client.call('SendMessageBatch', { QueueUrl: url, Entries });
          if (out.Failed?.length) throw new Error(`SendMessageBatch failed: ${JSON.stringify(out.Failed[0])}`);
        }
      };
      await Promise.all(Array.from({ length: PRODUCERS }, (_, p) => producer(p)));
      recorder.stop();
      ctx.client.recorder = undefined;
      const sendRow = row('fifo send (batch)', recorder, count);

      // Drain, checking that each message is the next one of its group.
      const next = new Array(GROUPS).fill(0);
      let outOfOrder = 0;
      const d = await drain(ctx.client, url, count, {
        concurrency: ctx.concurrency,
        cpu: ctx.cpu,
        onMessages: (messages) => {
          for (const m of messages) {
            const [group, seq] = headOf(m.Body).split(':').map(Number);
            if (seq !== next[/** @type {number} */ (group)]) outOfOrder++;
            next[/** @type {number} */ (group)] = /** @type {number} */ (seq) + 1;
          }
        },
      });
      const drainRow = row('fifo drain', d.recorder, d.deleted);
      const incomplete = next.filter((n, g) => n !== sent[g]).length;
      const orderOk = outOfOrder === 0 && incomplete === 0;
      return {
        rows: [sendRow, drainRow],
        metrics: { reqPerSec: drainRow.reqPerSec, msgsPerSec: drainRow.msgsPerSec, outOfOrder, orderOk },
        notes: [
          `${thousands(count)} messages in ${GROUPS} groups, sent by ${PRODUCERS} producers each owning ${GROUPS / PRODUCERS} groups`,
          `per-group order: ${orderOk ? 'OK' : 'BROKEN'} (${outOfOrder} out of order, ${incomplete} groups not fully received; ` +
            `${thousands(d.emptyReceives)} empty receives while groups were locked or at the end)`,
        ],
      };
    } finally {
      await deleteQueues(ctx.client, [url]);
    }
  },
};
