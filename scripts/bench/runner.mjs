/** Runs the chosen scenarios one after the other and prints each result as it comes. */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { printResult, printStart, say } from './report.mjs';
import { SCENARIOS } from './scenarios/index.mjs';

const LAG_RESOLUTION_MS = 10;

/**
 * @typedef {{ name: string, seconds: number, result?: import('./scenarios/common.mjs').ScenarioResult,
 *   error?: string }} Run
 */

/**
 * @param {import('./scenarios/common.mjs').Context} ctx
 * @param {string[]} names scenarios to run, in the order of SCENARIOS
 * @param {{ serviceGone: () => boolean, stopping: () => boolean }} o
 * @returns {Promise<{ runs: Run[], ceiling: number | undefined }>}
 */
export async function runScenarios(ctx, names, o) {
  /** @type {Run[]} */
  const runs = [];
  /** @type {number | undefined} */
  let ceiling;
  // The benchmark's own event loop: when it lags, the client and not the target is slow.
  const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  lag.enable();
  for (const scenario of SCENARIOS.filter((s) => names.includes(s.name))) {
    if (o.stopping()) break;
    printStart(scenario);
    const t0 = performance.now();
    lag.reset();
    const rewritesBefore = (await ctx.redis?.persistence())?.rewrites;
    try {
      const result = await scenario.run(ctx);
      if (scenario.name === 'ceiling') ceiling = Number(result.metrics.reqPerSec);
      const rewrites = (await ctx.redis?.persistence())?.rewrites;
      if (rewrites !== undefined && rewritesBefore !== undefined && rewrites > rewritesBefore) {
        result.notes.push(
          `Redis rewrote its append-only file ${rewrites - rewritesBefore} time(s) during this scenario`,
        );
      }
      printResult(result, ceiling);
      runs.push({ name: scenario.name, seconds: (performance.now() - t0) / 1000, result });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      say(`   FAILED: ${message}`);
      runs.push({ name: scenario.name, seconds: (performance.now() - t0) / 1000, error: message });
      if (o.serviceGone()) {
        say('   the service is gone');
        break;
      }
    }
    // The histogram holds whole timer intervals: the delay is what exceeds the resolution.
    const delay = (/** @type {number} */ ns) => Math.max(0, ns / 1e6 - LAG_RESOLUTION_MS).toFixed(1);
    say(
      `   (${((performance.now() - t0) / 1000).toFixed(1)} s; event-loop delay of the benchmark ` +
        `p99 ${delay(lag.percentile(99))} ms, max ${delay(lag.max)} ms)`,
    );
  }
  lag.disable();
  return { runs, ceiling };
}
