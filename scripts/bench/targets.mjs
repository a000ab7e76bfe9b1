/** The targets of the benchmark issue, evaluated on one run's results. */

/**
 * @typedef {Record<string, import('./scenarios/common.mjs').ScenarioResult | undefined>} Results
 * @typedef {{ text: string, value: string, pass: boolean | undefined }} Verdict pass undefined: not measured
 */

/**
 * @param {Results} r
 * @param {string} scenario
 * @param {string} metric
 */
function metric(r, scenario, metric) {
  const v = r[scenario]?.metrics[metric];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

const pct = (/** @type {number} */ v) => `${(v * 100).toFixed(1)}%`;
const times = (/** @type {number} */ v) => `${v.toFixed(2)}x`;

/**
 * @type {{ text: string, value: (r: Results) => number | undefined, format: (v: number) => string,
 *   pass: (v: number, r: Results) => boolean, detail?: (r: Results) => string }[]}
 */
const TARGETS = [
  {
    text: 'send1 >= 50% of the node:http ceiling (req/s)',
    value: (r) => ratio(metric(r, 'send1', 'reqPerSec'), metric(r, 'ceiling', 'reqPerSec')),
    format: pct,
    pass: (v) => v >= 0.5,
  },
  {
    text: 'sendbatch >= 4x send1 (msgs/s)',
    value: (r) => ratio(metric(r, 'sendbatch', 'msgsPerSec'), metric(r, 'send1', 'msgsPerSec')),
    format: times,
    pass: (v) => v >= 4,
  },
  {
    text: 'drain >= 2x send1 (msgs/s)',
    value: (r) => ratio(metric(r, 'drain', 'msgsPerSec'), metric(r, 'send1', 'msgsPerSec')),
    format: times,
    pass: (v) => v >= 2,
  },
  {
    text: 'e2e p99 <= 3 ms at 1,000 msgs/s (rate held, nothing lost)',
    value: (r) => metric(r, 'e2e', 'p99'),
    format: (v) => `${v.toFixed(2)} ms`,
    pass: (v, r) => v <= 3 && (metric(r, 'e2e', 'sendRate') ?? 0) >= 950 && metric(r, 'e2e', 'lost') === 0,
  },
  {
    text: '2,000 idle long polls cost <= 10% of send1 throughput',
    value: (r) => metric(r, 'idle-polls', 'cost'),
    format: pct,
    pass: (v) => v <= 0.1,
  },
  {
    text: 'depth: receive p50 at 1,000,000 queued <= 1.5x at 1,000',
    value: (r) => metric(r, 'depth', 'ratioP50'),
    format: times,
    pass: (v) => v <= 1.5,
  },
  {
    text: 'groups: FIFO receive p50 at 100,000 groups <= 1.5x at 100',
    value: (r) => metric(r, 'groups', 'ratioP50'),
    format: times,
    pass: (v) => v <= 1.5,
  },
  {
    text: 'Redis memory <= 1.6 KiB per stored 1 KiB message',
    value: (r) => metric(r, 'memory', 'redisKiBPerMessage'),
    format: (v) => `${v.toFixed(2)} KiB`,
    pass: (v) => v <= 1.6,
  },
  {
    text: 'service RSS flat under sustained load (last quarter <= +10%)',
    value: (r) => metric(r, 'memory', 'rssGrowth'),
    format: (v) => `${v >= 0 ? '+' : ''}${pct(v)}`,
    pass: (v) => v <= 0.1,
  },
  {
    text: 'one Redis round trip per hot-path API call, batches included',
    value: (r) => metric(r, 'roundtrips', 'worst'),
    format: (v) => `worst ${v.toFixed(2)}`,
    pass: (v) => v <= 1.05,
    detail: (r) => String(r.roundtrips?.metrics.worstAction ?? ''),
  },
  {
    text: '(check) fifo keeps the order of every message group',
    value: (r) => metric(r, 'fifo', 'outOfOrder'),
    format: (v) => `${v} out of order`,
    pass: (v, r) => v === 0 && r.fifo?.metrics.orderOk === true,
  },
];

/**
 * @param {number | undefined} a
 * @param {number | undefined} b
 */
function ratio(a, b) {
  return a === undefined || b === undefined || b === 0 ? undefined : a / b;
}

/**
 * @param {Results} results
 * @returns {Verdict[]}
 */
export function evaluateTargets(results) {
  return TARGETS.map((t) => {
    const v = t.value(results);
    if (v === undefined) return { text: t.text, value: 'not measured', pass: undefined };
    const detail = t.detail?.(results);
    return { text: t.text, value: t.format(v) + (detail ? ` (${detail})` : ''), pass: t.pass(v, results) };
  });
}
