#!/usr/bin/env node
/**
 * Micro-benchmark of the ids the service makes per message: `uuid`'s v4() against Node's
 * crypto.randomUUID(), interleaved round after round in one process (compare the ratio).
 *
 *   node scripts/bench/micro-ids.mjs [--rounds N] [--ms N]
 *
 * uuid's v4() without arguments hands over to crypto.randomUUID() when Node has it (Node >= 15),
 * so the difference is one call and an argument check; v4({}) (any options) takes uuid's own path
 * (16 random bytes from its pool, then stringify), measured too for comparison.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { v4 } from 'uuid';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '9' }, ms: { type: 'string', default: '100' } },
});
const rounds = Number(values.rounds);
const sliceMs = Number(values.ms);

/** @type {[string, () => string][]} */
const CASES = [
  ['crypto.randomUUID()', () => randomUUID()],
  ['uuid v4()', () => v4()],
  ['uuid v4({}) (its own path)', () => v4({})],
];

/**
 * ns per call of `fn` over about `ms` milliseconds.
 * @param {() => string} fn
 * @param {number} ms
 */
function timeSlice(fn, ms) {
  let n = 0;
  let sink = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 256; i++) sink += fn().length;
    n += 256;
    now = performance.now();
  }
  if (sink !== n * 36) throw new Error('not a UUID');
  return ((now - start) * 1e6) / n;
}

for (const [, fn] of CASES) timeSlice(fn, 200); // warm-up
/** @type {number[][]} */
const samples = CASES.map(() => []);
for (let r = 0; r < rounds; r++) {
  for (const [i, [, fn]] of CASES.entries()) samples[i]?.push(timeSlice(fn, sliceMs));
}
const median = (/** @type {number[]} */ xs) => /** @type {number} */ ([...xs].sort((a, b) => a - b)[xs.length >> 1]);
const base = median(samples[0] ?? []);
process.stdout.write(`node ${process.version}; median of ${rounds} rounds of ${sliceMs} ms per case\n`);
for (const [i, [name]] of CASES.entries()) {
  const ns = median(samples[i] ?? []);
  process.stdout.write(`${name.padEnd(28)} ${ns.toFixed(1).padStart(8)} ns  ${(ns / base).toFixed(2)}x\n`);
}
