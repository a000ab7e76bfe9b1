/** ceiling: the send1 load against a bare node:http server; the machine's limit for the HTTP part. */
import { cpuMeter } from '../cpu.mjs';
import { timedWindow } from '../load.mjs';
import { BODY_1K } from '../payload.mjs';
import { row } from './common.mjs';

export default {
  name: 'ceiling',
  title: 'bare node:http server answering a fixed SendMessage response (same client as send1)',
  /** @param {import('./common.mjs').Context} ctx */
  async run(ctx) {
    const endpoint = /** @type {URL} */ (ctx.ceilingEndpoint);
    const client = ctx.newClient({ endpoint });
    try {
      const input = { QueueUrl: new URL('/000000000000/ceiling', endpoint).href, MessageBody: BODY_1K };
      // The service and its Redis are idle here: the CPU that counts is the ceiling server's and the client's.
      const shape = { ...ctx.window, cpu: cpuMeter({ ceiling: ctx.ceilingPid }) };
      const w = await timedWindow(client, shape, () => client.call('SendMessage', input).then(() => 1));
      const r = row('ceiling', w.recorder, w.messages);
      return { rows: [r], metrics: { reqPerSec: r.reqPerSec }, notes: [] };
    } finally {
      client.close();
    }
  },
};
