/**
 * The comparison of redsqs with its peers (`--peers`), without I/O: which figures of which
 * scenarios are compared, the order of the targets in each round, the checks a run must pass,
 * medians and ratios over the rounds, and the tables. compare-run.mjs runs the rounds.
 */
import { table } from './report.mjs';

/** The scenarios a comparison runs (the others need Redis or the ceiling). */
export const COMPARED_SCENARIOS = ['send1', 'sendbatch', 'drain', 'fifo', 'e2e'];

/**
 * @typedef {object} Measure One compared figure: a row of a scenario's result.
 * @property {string} key
 * @property {string} label
 * @property {string} scenario
 * @property {string} row the label of the row in the scenario's result
 * @property {'msgsPerSec' | 'p99'} metric throughput (higher is better) or e2e p99 (lower is better)
 */

/** @type {Measure[]} */
export const MEASURES = [
  { key: 'send1', label: 'send1 (SendMessage)', scenario: 'send1', row: 'send1', metric: 'msgsPerSec' },
  { key: 'sendbatch', label: 'sendbatch (10 per call)', scenario: 'sendbatch', row: 'sendbatch', metric: 'msgsPerSec' },
  { key: 'drain', label: 'drain (receive 10 + delete batch)', scenario: 'drain', row: 'drain', metric: 'msgsPerSec' },
  {
    key: 'fifo-send',
    label: 'fifo send (batch, 100 groups)',
    scenario: 'fifo',
    row: 'fifo send (batch)',
    metric: 'msgsPerSec',
  },
  { key: 'fifo-drain', label: 'fifo drain (order checked)', scenario: 'fifo', row: 'fifo drain', metric: 'msgsPerSec' },
  { key: 'e2e', label: 'e2e p99 ms at 1,000 msgs/s', scenario: 'e2e', row: 'e2e (send to receive)', metric: 'p99' },
];

/**
 * @typedef {{ id: string, label: string }} Target redsqs (always first) or a peer; label names its version
 * @typedef {import('./scenarios/common.mjs').ScenarioResult} ScenarioResult
 * @typedef {{ target: string, scenario: string, round: number, result?: ScenarioResult, error?: string }} Sample
 *   one scenario on one fresh server
 */

/**
 * The targets in the order round `round` (from 0) runs them: as given in even rounds, reversed in
 * odd ones, so that none is always first (or last) after another's load.
 * @template T
 * @param {T[]} targets
 * @param {number} round
 * @returns {T[]}
 */
export function roundOrder(targets, round) {
  return round % 2 === 0 ? [...targets] : [...targets].reverse();
}

/**
 * The median; of an even count, the mean of the two middle values; NaN of none.
 * @param {number[]} xs
 */
export function medianOf(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = s.length >> 1;
  const upper = s[mid] ?? Number.NaN;
  return s.length % 2 ? upper : ((s[mid - 1] ?? Number.NaN) + upper) / 2;
}

/**
 * What went wrong in a scenario's run besides its figures: the checks of the benchmark (FIFO order,
 * nothing lost, the rate held) and failed requests. Empty when all is well.
 * @param {string} scenario
 * @param {ScenarioResult} result
 * @returns {string[]}
 */
export function checkFailures(scenario, result) {
  /** @type {string[]} */
  const failures = [];
  const m = result.metrics;
  if (scenario === 'fifo' && m.orderOk !== true) {
    failures.push(`FIFO order broken or incomplete (${m.outOfOrder ?? '?'} out of order)`);
  }
  if (scenario === 'e2e') {
    if (typeof m.lost === 'number' && m.lost !== 0) failures.push(`${m.lost} message(s) lost`);
    if (typeof m.sendRate === 'number' && m.sendRate < 950)
      failures.push(`send rate ${m.sendRate.toFixed(0)}/s, not 1,000`);
  }
  for (const note of result.notes) if (note.startsWith('INCOMPLETE')) failures.push(note.slice('INCOMPLETE: '.length));
  for (const row of result.rows) {
    const errors = Object.values(row.errors).reduce((a, b) => a + b, 0);
    if (errors > 0) failures.push(`${row.label}: ${errors} failed request(s) (${Object.keys(row.errors).join(', ')})`);
  }
  return failures;
}

/**
 * The figure and the server's CPU per message of one measure in one scenario's result.
 * @param {Measure} measure
 * @param {ScenarioResult | undefined} result
 * @returns {{ value: number, serverUsPerMsg: number, serviceUsPerMsg: number, redisUsPerMsg: number,
 *   clientUsPerMsg: number } | undefined}
 */
export function figureOf(measure, result) {
  const row = result?.rows.find((r) => r.label === measure.row);
  if (!row) return undefined;
  const value = measure.metric === 'p99' ? row.latency.p99 : row.msgsPerSec;
  const per = (/** @type {number | undefined} */ us) =>
    us === undefined || !(row.messages > 0) ? Number.NaN : us / row.messages;
  const service = per(row.cpu?.serviceUs);
  const redis = row.cpu?.redisUs === undefined ? 0 : per(row.cpu.redisUs);
  return {
    value,
    serverUsPerMsg: service + redis,
    serviceUsPerMsg: service,
    redisUsPerMsg: row.cpu?.redisUs === undefined ? Number.NaN : redis,
    clientUsPerMsg: per(row.cpu?.clientUs),
  };
}

/**
 * @typedef {object} Cell One target's figures for one measure over the rounds.
 * @property {number[]} values one per round that produced the figure (failed checks included)
 * @property {number} median
 * @property {number} serverUsPerMsg median CPU per message of the server (service + Redis for redsqs)
 * @property {number} serviceUsPerMsg
 * @property {number} redisUsPerMsg
 * @property {number} clientUsPerMsg
 * @property {string[]} problems failed checks and errors, each with its round
 */

/**
 * @typedef {object} Comparison
 * @property {Target[]} targets
 * @property {number} rounds
 * @property {{ measure: Measure, cells: Record<string, Cell>,
 *   ratios: Record<string, { ratio: number, low: number, high: number }> }[]} lines
 *   ratios: per peer, redsqs's median over the peer's (higher is better for throughput, lower for
 *   p99), and the lowest and highest of the rounds' own ratios (how noisy)
 */

/**
 * Medians per target and measure, and redsqs's ratio to each peer.
 * @param {Target[]} targets redsqs first
 * @param {Sample[]} samples
 * @param {Measure[]} [measures]
 * @returns {Comparison}
 */
export function summarize(targets, samples, measures = MEASURES) {
  const rounds = samples.reduce((n, s) => Math.max(n, s.round + 1), 0);
  const [first] = targets;
  const lines = [];
  for (const measure of measures) {
    /** @type {Record<string, Cell>} */
    const cells = {};
    /** @type {Record<string, Map<number, number>>} */
    const byRound = {};
    for (const target of targets) {
      const mine = samples.filter((s) => s.target === target.id && s.scenario === measure.scenario);
      /** @type {NonNullable<ReturnType<typeof figureOf>>[]} */
      const figures = [];
      /** @type {string[]} */
      const problems = [];
      byRound[target.id] = new Map();
      for (const s of mine) {
        if (s.error) {
          problems.push(`round ${s.round + 1}: ${s.error}`);
          continue;
        }
        for (const p of checkFailures(measure.scenario, /** @type {ScenarioResult} */ (s.result))) {
          problems.push(`round ${s.round + 1}: ${p}`);
        }
        const f = figureOf(measure, s.result);
        if (f && Number.isFinite(f.value)) {
          figures.push(f);
          byRound[target.id]?.set(s.round, f.value);
        }
      }
      cells[target.id] = {
        values: figures.map((f) => f.value),
        median: medianOf(figures.map((f) => f.value)),
        serverUsPerMsg: medianOf(figures.map((f) => f.serverUsPerMsg)),
        serviceUsPerMsg: medianOf(figures.map((f) => f.serviceUsPerMsg)),
        redisUsPerMsg: medianOf(figures.map((f) => f.redisUsPerMsg)),
        clientUsPerMsg: medianOf(figures.map((f) => f.clientUsPerMsg)),
        problems: [...new Set(problems)],
      };
    }
    /** @type {Record<string, { ratio: number, low: number, high: number }>} */
    const ratios = {};
    for (const peer of targets.slice(1)) {
      const own = first ? byRound[first.id] : undefined;
      const theirs = byRound[peer.id];
      /** @type {number[]} */
      const perRound = [];
      for (const [round, v] of own ?? []) {
        const w = theirs?.get(round);
        if (w !== undefined && w > 0) perRound.push(v / w);
      }
      const a = first ? cells[first.id]?.median : Number.NaN;
      const b = cells[peer.id]?.median;
      ratios[peer.id] = {
        ratio: a !== undefined && b !== undefined && b > 0 ? a / b : Number.NaN,
        low: perRound.length ? Math.min(...perRound) : Number.NaN,
        high: perRound.length ? Math.max(...perRound) : Number.NaN,
      };
    }
    lines.push({ measure, cells, ratios });
  }
  return { targets, rounds, lines };
}

const int = (/** @type {number} */ n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');

/**
 * @param {Measure} measure
 * @param {Cell | undefined} cell
 */
function valueText(measure, cell) {
  if (!cell || cell.values.length === 0) return cell?.problems.length ? 'failed' : '-';
  const v = measure.metric === 'p99' ? cell.median.toFixed(2) : int(cell.median);
  return cell.problems.length > 0 ? `${v} !` : v;
}

/** @param {{ ratio: number, low: number, high: number } | undefined} r */
function ratioText(r) {
  if (!r || !Number.isFinite(r.ratio)) return '-';
  const spread = Number.isFinite(r.low) && r.high > r.low ? ` (${r.low.toFixed(2)}-${r.high.toFixed(2)})` : '';
  return `${r.ratio.toFixed(2)}${spread}`;
}

/**
 * The comparison as rows of cells: the scenario, redsqs's median, then per peer its median and
 * redsqs's ratio to it.
 * @param {Comparison} c
 * @returns {{ rows: string[][], align: string }}
 */
export function comparisonRows(c) {
  const [first, ...peers] = c.targets;
  const header = ['scenario', first?.label ?? 'redsqs'];
  for (const p of peers) header.push(p.label, `${first?.id ?? 'redsqs'}/${p.id}`);
  const rows = [header];
  for (const line of c.lines) {
    const cells = [line.measure.label, valueText(line.measure, first && line.cells[first.id])];
    for (const p of peers) cells.push(valueText(line.measure, line.cells[p.id]), ratioText(line.ratios[p.id]));
    rows.push(cells);
  }
  return { rows, align: `l${'r'.repeat(header.length - 1)}` };
}

/**
 * CPU per message of each server (redsqs: its service and its redis-server together) and of the
 * client that drove it, median over the rounds, in µs.
 * @param {Comparison} c
 * @returns {{ rows: string[][], align: string }}
 */
export function cpuRows(c) {
  const header = ['scenario', ...c.targets.flatMap((t) => [t.label, `client (${t.label.split(' ')[0]})`])];
  const rows = [header];
  const us = (/** @type {number} */ n) => (Number.isFinite(n) ? (n < 10 ? n.toFixed(1) : n.toFixed(0)) : '-');
  for (const line of c.lines) {
    rows.push([
      line.measure.label,
      ...c.targets.flatMap((t) => {
        const cell = line.cells[t.id];
        if (!cell) return ['-', '-'];
        const split = Number.isFinite(cell.redisUsPerMsg)
          ? ` (${us(cell.serviceUsPerMsg)} + ${us(cell.redisUsPerMsg)})`
          : '';
        return [`${us(cell.serverUsPerMsg)}${split}`, us(cell.clientUsPerMsg)];
      }),
    ]);
  }
  return { rows, align: `l${'r'.repeat(header.length - 1)}` };
}

/**
 * Every problem seen, one line each, e.g. "fauxqs, fifo drain: round 2: FIFO order broken ...".
 * @param {Comparison} c
 */
export function problemLines(c) {
  /** @type {string[]} */
  const out = [];
  for (const line of c.lines) {
    for (const t of c.targets) {
      for (const p of line.cells[t.id]?.problems ?? []) out.push(`${t.label}, ${line.measure.label}: ${p}`);
    }
  }
  return out;
}

/**
 * The same rows as a Markdown table (for the README).
 * @param {string[][]} rows the first is the header
 * @param {string} align l or r per column
 */
export function markdownTable(rows, align) {
  const [head = [], ...body] = rows;
  const line = (/** @type {string[]} */ r) => `| ${r.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
  const rule = `|${head.map((_, i) => (align[i] === 'r' ? '---:' : '---')).join('|')}|`;
  return [line(head), rule, ...body.map(line)].join('\n');
}

/**
 * Both tables as text for the terminal.
 * @param {Comparison} c
 */
export function comparisonText(c) {
  const main = comparisonRows(c);
  const cpu = cpuRows(c);
  return {
    main: table(main.rows, main.align),
    cpu: table(cpu.rows, cpu.align),
    mainMarkdown: markdownTable(main.rows, main.align),
    cpuMarkdown: markdownTable(cpu.rows, cpu.align),
  };
}
