/** drain: preload a queue, then ReceiveMessage (10) + DeleteMessageBatch until it is empty. */
import { fixedBatchEntries } from '../payload.mjs';
import { cpuNote, createQueue, deleteQueues, drain, preload, row, thousands } from './common.mjs';

export default {
  name: 'drain',
  title: 'preload, then ReceiveMessage (10) + DeleteMessageBatch until empty',
  /** @param {import('./common.mjs').Context} ctx */
  async run(ctx) {
    const count = ctx.quick ? 10_000 : 50_000;
    const url = await createQueue(ctx, 'drain');
    try {
      const entries = fixedBatchEntries();
      const pre = await preload(ctx.client, url, count, {
        concurrency: ctx.concurrency,
        entries: (_, size) => (size === 10 ? entries : entries.slice(0, size)),
        cpu: ctx.cpu,
      });
      const d = await drain(ctx.client, url, count, { concurrency: ctx.concurrency, cpu: ctx.cpu });
      const r = row('drain', d.recorder, d.deleted);
      const notes = [
        `preloaded ${thousands(count)} messages with SendMessageBatch in ${pre.seconds.toFixed(1)} s ` +
          `(${thousands(pre.messages / pre.seconds)} msgs/s${cpuNote(pre.cpu)})`,
        `drained ${thousands(d.deleted)} of ${thousands(count)} messages; ${thousands(d.emptyReceives)} empty receives at the end`,
      ];
      if (d.deleted < count) notes.push(`INCOMPLETE: ${thousands(count - d.deleted)} messages were not drained`);
      return { rows: [r], metrics: { reqPerSec: r.reqPerSec, msgsPerSec: r.msgsPerSec, drained: d.deleted }, notes };
    } finally {
      await deleteQueues(ctx.client, [url]);
    }
  },
};
