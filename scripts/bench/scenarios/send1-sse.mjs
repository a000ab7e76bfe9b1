/**
 * send1-sse: the cost of the event stream. The send1 load in three modes, twice, in one run:
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
    // Two rounds in opposite orders, each window on a fresh queue, so that what grows during the run
    // (Redis's data and append-only file, the process's heap) weighs on every mode alike.
    /** @type {('none' | 'sse' | 'metrics')[]} */
    const modes = ['none', 'sse', 'metrics'];
    const labels = { none: 'no listener', sse: '1 SSE listener', metrics: 'SSE + /metrics 1/s' };
    /** @type {Record<string, number[]>} */
    const rates = { none: [], sse: [], metrics: [] };
    const rows = [];
    let heard = 0;
    for (const [round, order] of [modes, [...modes].reverse()].entries()) {
      for (const mode of order) {
        const url = await createQueue(ctx, `send1sse-${round}-${mode}`);
        const listener = mode === 'none' ? undefined : await listen(endpoint);
        const scrape =
          mode === 'metrics'
            ? setInterval(() => {
                fetch(new URL('/metrics', endpoint))
                  .then((r) => r.text())
                  .catch(() => undefined);
              }, 1000)
            : undefined;
        try {
          const r = await send1Window(ctx, url, `send1, ${labels[mode]} (round ${round + 1})`);
          rows.push(r);
          rates[mode]?.push(r.reqPerSec);
        } finally {
          clearInterval(scrape);
          if (listener) {
            heard += listener.events();
            listener.close();
          }
          await deleteQueues(ctx.client, [url]);
        }
      }
    }
    const mean = (/** @type {number[]} */ xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const quiet = mean(rates.none ?? []);
    const ratio = mean(rates.sse ?? []) / quiet;
    const ratioMetrics = mean(rates.metrics ?? []) / quiet;
    return {
      rows,
      metrics: {
        reqPerSec: Math.round(quiet),
        sseReqPerSec: Math.round(mean(rates.sse ?? [])),
        sseMetricsReqPerSec: Math.round(mean(rates.metrics ?? [])),
        sseRatio: Number(ratio.toFixed(3)),
        sseMetricsRatio: Number(ratioMetrics.toFixed(3)),
        eventsHeard: heard,
      },
      notes: [
        `means of two rounds in opposite orders: with one SSE listener ${(ratio * 100).toFixed(1)}% of the ` +
          `throughput without; with /metrics scraped every second too ${(ratioMetrics * 100).toFixed(1)}%; ` +
          `the listeners heard ${heard} sent events`,
      ],
    };
  },
};
