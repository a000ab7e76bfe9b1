/** Everything the benchmark prints, and the JSON file of results. */
import { writeFileSync } from 'node:fs';
import os from 'node:os';

/** @typedef {import('./scenarios/common.mjs').Row} Row */

const int = (/** @type {number} */ n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const ms = (/** @type {number} */ n) => (Number.isFinite(n) ? n.toFixed(2) : '-');
/**
 * @param {number} value
 * @param {number | undefined} ceiling
 */
const ofCeiling = (value, ceiling) => (ceiling && Number.isFinite(value) ? `${(value / ceiling).toFixed(2)}x` : '-');

/** µs: one decimal below 10, where whole numbers would hide most of the figure. */
const us = (/** @type {number | undefined} */ n) =>
  n === undefined || !Number.isFinite(n) ? '-' : n < 10 ? n.toFixed(1) : int(n);
const pct = (/** @type {number | undefined} */ n) =>
  n === undefined || !Number.isFinite(n) ? '-' : `${n.toFixed(0)}%`;

/** @param {Record<string, number>} errors */
function errorText(errors) {
  const entries = Object.entries(errors);
  if (entries.length === 0) return '0';
  return entries.map(([k, n]) => `${n} ${k}`).join(', ');
}

/**
 * @param {string[][]} rows the first row is the header
 * @param {string} align one letter per column: l (left) or r (right)
 * @returns {string}
 */
export function table(rows, align) {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  const line = (/** @type {string[]} */ r) =>
    r
      .map((cell, c) => (align[c] === 'r' ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  const [head, ...body] = rows;
  return [line(head ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/**
 * @param {Row} r
 * @param {number | undefined} ceiling
 */
function rowCells(r, ceiling) {
  return [
    r.label,
    int(r.reqPerSec),
    ofCeiling(r.reqPerSec, ceiling),
    int(r.msgsPerSec),
    ofCeiling(r.msgsPerSec, ceiling),
    ms(r.latency.p50),
    ms(r.latency.p95),
    ms(r.latency.p99),
    errorText(r.errors),
  ];
}

const HEADER = ['', 'req/s', 'xceil', 'msgs/s', 'xceil', 'p50 ms', 'p95 ms', 'p99 ms', 'errors'];
const ALIGN = 'lrrrrrrrl';

/** @param {string} text */
export const say = (text) => process.stdout.write(`${text}\n`);

/**
 * @param {{ name: string, title: string }} scenario
 */
export function printStart(scenario) {
  say(`\n== ${scenario.name}: ${scenario.title}`);
}

/**
 * @param {import('./scenarios/common.mjs').ScenarioResult} result
 * @param {number | undefined} ceiling
 */
export function printResult(result, ceiling) {
  if (result.rows.length > 0) {
    say(table([HEADER, ...result.rows.map((r) => rowCells(r, ceiling))], ALIGN).replace(/^/gm, '   '));
    for (const r of result.rows) {
      const actions = Object.entries(r.perAction);
      say(`   ${r.label}: latency is ${r.latencyOf}`);
      if (actions.length > 1) {
        for (const [action, l] of actions) {
          say(
            `     ${action.padEnd(20)} ${int(l.count).padStart(9)} requests  p50 ${ms(l.p50)}  p95 ${ms(l.p95)}  p99 ${ms(l.p99)} ms`,
          );
        }
      }
    }
  }
  for (const note of result.notes) say(`   - ${note}`);
}

/**
 * @param {{ name: string, result?: import('./scenarios/common.mjs').ScenarioResult, error?: string }[]} runs
 * @param {number | undefined} ceiling
 */
export function printSummary(runs, ceiling) {
  /** @type {string[][]} */
  const rows = [HEADER];
  for (const run of runs) {
    if (run.error) rows.push([`${run.name}: FAILED`, '', '', '', '', '', '', '', run.error.slice(0, 80)]);
    for (const r of run.result?.rows ?? []) rows.push(rowCells(r, ceiling));
  }
  say('\n== Summary (throughput; xceil = ratio to the node:http ceiling; latency in ms)');
  say(table(rows, ALIGN));
}

/**
 * Where the CPU went in each measured window, per request: the service (or the ceiling server in
 * the ceiling row), its redis-server and the client, and the rate the machine could reach if the
 * CPU of these processes were the only limit.
 * @param {{ result?: import('./scenarios/common.mjs').ScenarioResult }[]} runs
 */
export function printCpu(runs) {
  const rows = runs.flatMap((run) => run.result?.rows ?? []);
  const cores = os.cpus().length;
  /** @type {string[][]} */
  const cells = [];
  for (const r of rows) {
    const c = r.cpu;
    if (!c) continue;
    const server = c.ceilingUs !== undefined ? 'ceiling' : 'service';
    // Without the server's CPU (--endpoint) the total is the client's alone: no limit to show.
    const max = c[`${server}Us`] !== undefined ? int((cores * 1e6) / (c.totalUsPerReq ?? Number.NaN)) : '-';
    cells.push([
      r.label,
      us(c[`${server}UsPerReq`]),
      us(c.redisUsPerReq),
      us(c.clientUsPerReq),
      us(c.totalUsPerReq),
      max,
      c.totalUsPerMsg === undefined ? '' : us(c.totalUsPerMsg),
      pct(c[`${server}PctOfCore`]),
      pct(c.redisPctOfCore),
      pct(c.clientPctOfCore),
      pct(c.totalPctOfCore),
      pct(c.otherPctOfCore === undefined ? undefined : Math.max(0, c.otherPctOfCore)),
    ]);
  }
  if (cells.length === 0) return;
  const header = ['', 'service', 'redis', 'client', 'total', `max on ${cores} cores`, 'total/msg'];
  const shares = ['service %', 'redis %', 'client %', 'total %', 'other %'];
  say('\n== CPU per request (µs) in the measured windows, and % of one core used by each process');
  say(table([[...header, ...shares], ...cells], 'lrrrrrrrrrrr'));
  say(
    `(max on ${cores} cores = ${cores} x 1e6 / total: the req/s the machine could reach if the CPU of these\n` +
      ' processes were the only limit; total/msg: µs per message where a request carries several; other %:\n' +
      ` the rest of the machine meanwhile (other processes, interrupts), of the ${cores * 100}% there is; in the ceiling\n` +
      ' row the service is the node:http ceiling server; -: not measured, e.g. not Linux or no such pid)',
  );
}

/** @param {import('./targets.mjs').Verdict[]} verdicts */
export function printTargets(verdicts) {
  say('\n== Targets');
  const mark = (/** @type {boolean | undefined} */ p) => (p === undefined ? 'N/A ' : p ? 'PASS' : 'FAIL');
  say(table([['', 'target', 'measured'], ...verdicts.map((v) => [mark(v.pass), v.text, v.value])], 'lll'));
}

/**
 * @param {string} file
 * @param {object} data
 */
export function writeJson(file, data) {
  writeFileSync(
    file,
    `${JSON.stringify(data, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`,
  );
}
