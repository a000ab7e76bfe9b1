/** send1: SendMessage of a 1 KiB body, `concurrency` requests in flight. */
import { timedWindow } from '../load.mjs';
import { BODY_1K } from '../payload.mjs';
import { createQueue, deleteQueues, row } from './common.mjs';

/**
 * The send1 load on a queue; idle-polls runs it too.
 * @param {import('./common.mjs').Context} ctx
 * @param {string} QueueUrl
 * @param {string} label
 * @param {import('./common.mjs').Context['window']} [shape]
 */
export async function send1Window(ctx, QueueUrl, label, shape = ctx.window) {
  const input = { QueueUrl, MessageBody: BODY_1K };
  const w = await timedWindow(ctx.client, shape, () => ctx.client.call('SendMessage', input).then(() => 1));
  return row(label, w.recorder, w.messages);
}

export default {
  name: 'send1',
  title: 'SendMessage, 1 KiB body',
  /** @param {import('./common.mjs').Context} ctx */
  async run(ctx) {
    const url = await createQueue(ctx, 'send1');
    try {
      const r = await send1Window(ctx, url, 'send1');
      return { rows: [r], metrics: { reqPerSec: r.reqPerSec, msgsPerSec: r.msgsPerSec }, notes: [] };
    } finally {
      await deleteQueues(ctx.client, [url]);
    }
  },
};
