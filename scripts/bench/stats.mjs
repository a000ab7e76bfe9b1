/** Latency samples and percentiles, and a recorder that clients report every request to. */
import { performance } from 'node:perf_hooks';

/** A growable list of numbers (milliseconds) with percentiles. */
export class Samples {
  constructor() {
    this.values = new Float64Array(4096);
    this.count = 0;
    this.sorted = true;
  }

  /** @param {number} value */
  add(value) {
    if (this.count === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.count++] = value;
    this.sorted = false;
  }

  /**
   * The p-th percentile (0..100), nearest rank; NaN without samples.
   * @param {number} p
   */
  percentile(p) {
    if (this.count === 0) return Number.NaN;
    if (!this.sorted) {
      this.values.subarray(0, this.count).sort();
      this.sorted = true;
    }
    const rank = Math.min(this.count, Math.max(1, Math.ceil((p / 100) * this.count)));
    return /** @type {number} */ (this.values[rank - 1]);
  }

  /** @returns {LatencySummary} */
  summary() {
    let sum = 0;
    for (let i = 0; i < this.count; i++) sum += /** @type {number} */ (this.values[i]);
    return {
      count: this.count,
      mean: this.count ? sum / this.count : Number.NaN,
      p50: this.percentile(50),
      p95: this.percentile(95),
      p99: this.percentile(99),
      max: this.percentile(100),
    };
  }
}

/**
 * @typedef {{ count: number, mean: number, p50: number, p95: number, p99: number, max: number }} LatencySummary
 */

/**
 * Collects the latency of every request a client completes while it is active, per action, and
 * the errors per action and code. Requests that end after stop() are not counted. Given a CPU
 * meter, it also measures the CPU its processes spend from now to stop(): the same window as the
 * requests, so the two divide.
 */
export class Recorder {
  /** @param {import('./cpu.mjs').CpuMeter} [cpu] */
  constructor(cpu) {
    /** @type {Map<string, Samples>} */
    this.byAction = new Map();
    /** @type {Map<string, number>} */
    this.errors = new Map();
    this.active = true;
    this.startedAt = performance.now();
    this.stoppedAt = 0;
    this.cpuWindow = cpu?.start();
    /** @type {import('./cpu.mjs').CpuUsage | undefined} CPU used while active; set by stop() */
    this.cpu = undefined;
  }

  /**
   * @param {string} action
   * @param {number} ms
   */
  record(action, ms) {
    if (!this.active) return;
    let samples = this.byAction.get(action);
    if (!samples) {
      samples = new Samples();
      this.byAction.set(action, samples);
    }
    samples.add(ms);
  }

  /**
   * @param {string} action
   * @param {string} code
   */
  error(action, code) {
    if (!this.active) return;
    const key = `${action}:${code}`;
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
  }

  stop() {
    if (this.active) {
      this.active = false;
      this.stoppedAt = performance.now();
      this.cpu = this.cpuWindow?.stop();
    }
    return this;
  }

  get elapsedMs() {
    return (this.active ? performance.now() : this.stoppedAt) - this.startedAt;
  }

  get requests() {
    let n = 0;
    for (const s of this.byAction.values()) n += s.count;
    return n;
  }

  get errorCount() {
    let n = 0;
    for (const v of this.errors.values()) n += v;
    return n;
  }

  /**
   * Latency over the given actions (all when omitted).
   * @param {string[]} [actions]
   */
  latency(actions) {
    const names = actions ?? [...this.byAction.keys()];
    if (names.length === 1) return (this.byAction.get(/** @type {string} */ (names[0])) ?? new Samples()).summary();
    const all = new Samples();
    for (const name of names) {
      const s = this.byAction.get(name);
      if (s) for (let i = 0; i < s.count; i++) all.add(/** @type {number} */ (s.values[i]));
    }
    return all.summary();
  }
}

/** @param {number[]} xs */
export function mean(xs) {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN;
}

/**
 * The median of `xs` (the upper one of an even count).
 * @param {number[]} xs
 */
export function median(xs) {
  return /** @type {number} */ ([...xs].sort((a, b) => a - b)[xs.length >> 1]);
}

/**
 * ns per call of `fn` over about `ms` milliseconds, calling it `batch` times between clock reads;
 * `chars` is the total length of what it returned (a sink the optimizer cannot drop).
 * @param {() => string} fn
 * @param {number} ms
 * @param {number} batch
 */
export function timeSlice(fn, ms, batch) {
  let calls = 0;
  let chars = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < batch; i++) chars += fn().length;
    calls += batch;
    now = performance.now();
  }
  return { ns: ((now - start) * 1e6) / calls, calls, chars };
}
