/**
 * send1-sse: the cost of the event stream. The send1 load three times on one queue, in one run:
 * nobody listening (nothing is published), one client on GET /_redsqs/events (every send becomes a
 * `sent` event published to Redis and written to the stream), and that client plus a /metrics
 * scrape every second (a Prometheus at a short interval). The request counters behind /metrics
 * are always on.
 */
import { request } from 'node:http';
import { createQueue, deleteQueues } from './common.mjs';
import { send1Window } from './send1.mjs';

/**
 * Opens the event stream; resolves once it has begun (every instance publishes from then on).
 * @param {URL} endpoint
 * @returns {Promise<{ events: () => number, close: () => void }>}
 */
function listen(endpoint) {
  return new Promise((resolve, reject) => {
    let events = 0;
    const req = request(new URL('/_redsqs/events?type=sent', endpoint), (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`GET /_redsqs/events answered ${res.statusCode} (developer endpoints off?)`));
        res.resume();
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (/** @type {string} */ chunk) => {
        for (let i = chunk.indexOf('event: '); i >= 0; i = chunk.indexOf('event: ', i + 1)) events++;
      });
      resolve({ events: () => events, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

export default {
  name: 'send1-sse',
  title: 'send1 without and with one event stream listener (and /metrics scrapes)',
  /** @param {import('./common.mjs').Context} ctx */
  async run(ctx) {
    if (!ctx.endpoint) throw new Error('send1-sse needs the endpoint');
    const endpoint = ctx.endpoint;
    const url = await createQueue(ctx, 'send1sse');
    try {
      const quiet = await send1Window(ctx, url, 'send1, no listener');
      const listener = await listen(endpoint);
      let heard = 0;
      let withSse;
      let withMetrics;
      try {
        withSse = await send1Window(ctx, url, 'send1, 1 SSE listener');
        const scrape = setInterval(() => {
          fetch(new URL('/metrics', endpoint))
            .then((r) => r.text())
            .catch(() => undefined);
        }, 1000);
        try {
          withMetrics = await send1Window(ctx, url, 'send1, SSE + /metrics 1/s');
        } finally {
          clearInterval(scrape);
        }
        heard = listener.events();
      } finally {
        listener.close();
      }
      const ratio = withSse.reqPerSec / quiet.reqPerSec;
      const ratioMetrics = withMetrics.reqPerSec / quiet.reqPerSec;
      return {
        rows: [quiet, withSse, withMetrics],
        metrics: {
          reqPerSec: quiet.reqPerSec,
          sseReqPerSec: withSse.reqPerSec,
          sseMetricsReqPerSec: withMetrics.reqPerSec,
          sseRatio: Number(ratio.toFixed(3)),
          sseMetricsRatio: Number(ratioMetrics.toFixed(3)),
          eventsHeard: heard,
        },
        notes: [
          `with one SSE listener: ${(ratio * 100).toFixed(1)}% of the throughput without; with /metrics scraped ` +
            `every second too: ${(ratioMetrics * 100).toFixed(1)}%; the listener heard ${heard} sent events`,
        ],
      };
    } finally {
      await deleteQueues(ctx.client, [url]);
    }
  },
};
