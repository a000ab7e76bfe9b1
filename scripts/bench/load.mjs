/** Load shapes: concurrent workers in a closed loop, and a measured time window over them. */
import { setTimeout as sleep } from 'node:timers/promises';
import { Recorder } from './stats.mjs';

export { sleep };

/**
 * @callback Step One unit of work of worker `i`; resolves with the number of messages it handled.
 * @param {number} i
 * @returns {Promise<number>}
 */

/**
 * Runs `concurrency` workers, each repeating `step` until `shouldStop()`. A failed step is counted
 * and the worker goes on; past `maxErrors` failures the run rejects with the last error.
 * @param {{ concurrency: number, shouldStop: () => boolean, step: Step, onDone?: (messages: number) => void,
 *   maxErrors?: number }} options
 */
export async function runWorkers({ concurrency, shouldStop, step, onDone, maxErrors = 1000 }) {
  let messages = 0;
  let errors = 0;
  /** @type {unknown} */
  let lastError;
  const worker = async (/** @type {number} */ i) => {
    for (let round = 1; !shouldStop(); round++) {
      // A step that resolves without I/O would otherwise starve the event loop (and Ctrl-C).
      if (round % 1024 === 0) await new Promise((resolve) => setImmediate(resolve));
      try {
        const n = await step(i);
        messages += n;
        onDone?.(n);
      } catch (err) {
        lastError = err;
        if (++errors > maxErrors) throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
  return { messages, errors, lastError };
}

/**
 * Runs the workers for `warmupMs + durationMs`, measuring only the last `durationMs`: the client's
 * requests go to a fresh Recorder, and messages count when their step ends inside the window. With
 * `cpu`, the Recorder also measures the CPU of its processes over that window (not the warm-up).
 * @param {import('./client.mjs').SqsClient} client
 * @param {{ concurrency: number, warmupMs: number, durationMs: number, cpu?: import('./cpu.mjs').CpuMeter }} shape
 * @param {Step} step
 */
export async function timedWindow(client, { concurrency, warmupMs, durationMs, cpu }, step) {
  /** @type {Recorder | undefined} */
  let recorder;
  let messages = 0;
  let stopped = false;
  const window = (async () => {
    await sleep(warmupMs);
    recorder = new Recorder(cpu);
    client.recorder = recorder;
    await sleep(durationMs);
    recorder.stop();
    stopped = true;
  })();
  const run = runWorkers({
    concurrency,
    shouldStop: () => stopped,
    step,
    onDone: (n) => {
      if (recorder?.active) messages += n;
    },
  });
  await window;
  const outcome = await run;
  client.recorder = undefined;
  const rec = /** @type {Recorder} */ (recorder);
  return { recorder: rec, messages, seconds: rec.elapsedMs / 1000, stepErrors: outcome.errors };
}

/**
 * Throughput of a measurement.
 * @param {Recorder} recorder
 * @param {number} messages
 * @param {number} [seconds]
 */
export function rates(recorder, messages, seconds = recorder.elapsedMs / 1000) {
  return { reqPerSec: recorder.requests / seconds, msgsPerSec: messages / seconds, seconds };
}
