/**
 * idle-polls: what 2,000 long polls waiting on empty queues cost the senders of send1. The
 * windows run alone / with the polls / alone (half, full and half the window), so that a drift of
 * the machine during the scenario does not count as the cost of the polls.
 */
import { performance } from 'node:perf_hooks';
import { sleep } from '../load.mjs';
import { createQueue, createQueues, deleteQueues, thousands } from './common.mjs';
import { send1Window } from './send1.mjs';

const POLLS = 2000;
const QUEUES = 200;

export default {
  name: 'idle-polls',
  title: `send1 alone, with ${POLLS} long polls (WaitTimeSeconds 20) open on ${QUEUES} empty queues, alone again`,
  /** @param {import('./common.mjs').Context} ctx */
  async run(ctx) {
    const sendUrl = await createQueue(ctx, 'idle-send');
    const pollUrls = await createQueues(
      ctx,
      Array.from({ length: QUEUES }, (_, i) => `idle-${i}`),
    );
    const pollClient = ctx.newClient({ maxSockets: POLLS });
    let polling = true;
    let open = 0;
    let minOpen = POLLS;
    let returned = 0;
    let failed = 0;
    try {
      const half = { ...ctx.window, durationMs: ctx.window.durationMs / 2 };
      const before = await send1Window(ctx, sendUrl, 'send1 alone (before)', half);

      const poller = async (/** @type {number} */ i) => {
        const input = { QueueUrl: pollUrls[i % QUEUES], MaxNumberOfMessages: 1, WaitTimeSeconds: 20 };
        while (polling) {
          open++;
          try {
            await pollClient.call('ReceiveMessage', input);
            if (polling) returned++;
          } catch {
            if (polling) failed++;
            await sleep(100);
          } finally {
            open--;
          }
        }
      };
      const pollers = Array.from({ length: POLLS }, (_, i) => poller(i));
      // The polls are open on the service once their first requests have gone out and settled.
      const rampStarted = performance.now();
      await sleep(ctx.quick ? 1000 : 2000);
      const sampler = setInterval(() => {
        minOpen = Math.min(minOpen, open);
      }, 100);
      const withPolls = await send1Window(ctx, sendUrl, `send1 + ${POLLS} idle polls`);
      clearInterval(sampler);
      const pollSeconds = (performance.now() - rampStarted) / 1000;
      polling = false;
      pollClient.close();
      await Promise.allSettled(pollers);
      await sleep(500); // the service lets go of the polls
      const after = await send1Window(ctx, sendUrl, 'send1 alone (after)', half);

      const alone = (before.reqPerSec + after.reqPerSec) / 2;
      const ratio = withPolls.reqPerSec / alone;
      return {
        rows: [before, withPolls, after],
        metrics: { ratio, cost: 1 - ratio, returned, failed, minOpen },
        notes: [
          `with the polls open send1 ran at ${(ratio * 100).toFixed(1)}% of send1 alone (the mean of before and after; ` +
            `cost ${((1 - ratio) * 100).toFixed(1)}%)`,
          `polls: at least ${thousands(minOpen)} of ${POLLS} open during the window; ${returned} returned early, ` +
            `${failed} failed, over ${pollSeconds.toFixed(1)} s`,
        ],
      };
    } finally {
      polling = false;
      pollClient.close();
      await deleteQueues(ctx.client, [sendUrl, ...pollUrls]);
    }
  },
};
