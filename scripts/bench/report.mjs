/** Everything the benchmark prints, and the JSON file of results. */
import { writeFileSync } from 'node:fs';

/** @typedef {import('./scenarios/common.mjs').Row} Row */

const int = (/** @type {number} */ n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const ms = (/** @type {number} */ n) => (Number.isFinite(n) ? n.toFixed(2) : '-');
/**
 * @param {number} value
 * @param {number | undefined} ceiling
 */
const ofCeiling = (value, ceiling) => (ceiling && Number.isFinite(value) ? `${(value / ceiling).toFixed(2)}x` : '-');

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
