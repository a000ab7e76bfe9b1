/** sendbatch: SendMessageBatch of 10 x 1 KiB, `concurrency` requests in flight. */
import { timedWindow } from '../load.mjs';
import { fixedBatchEntries } from '../payload.mjs';
import { createQueue, deleteQueues, row } from './common.mjs';

export default {
  name: 'sendbatch',
  title: 'SendMessageBatch, 10 x 1 KiB',
  /** @param {import('./common.mjs').Context} ctx */
  async run(ctx) {
    const url = await createQueue(ctx, 'sendbatch');
    try {
      const input = { QueueUrl: url, Entries: fixedBatchEntries() };
      const w = await timedWindow(ctx.client, ctx.window, async () => {
        const out = await ctx.client.call('SendMessageBatch', input);
        return out.Successful?.length ?? 0;
      });
      const r = row('sendbatch', w.recorder, w.messages);
      return { rows: [r], metrics: { reqPerSec: r.reqPerSec, msgsPerSec: r.msgsPerSec }, notes: [] };
    } finally {
      await deleteQueues(ctx.client, [url]);
    }
  },
};
