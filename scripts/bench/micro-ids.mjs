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
import { parseArgs } from 'node:util';
import { v4 } from 'uuid';
import { median, timeSlice } from './stats.mjs';

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
 * ns per call of `fn` (it returns UUIDs: 36 characters each).
 * @param {() => string} fn
 * @param {number} ms
 */
function nsPerId(fn, ms) {
  const { ns, calls, chars } = timeSlice(fn, ms, 256);
  if (chars !== calls * 36) throw new Error('not a UUID');
  return ns;
}

for (const [, fn] of CASES) nsPerId(fn, 200); // warm-up
/** @type {number[][]} */
const samples = CASES.map(() => []);
for (let r = 0; r < rounds; r++) {
  for (const [i, [, fn]] of CASES.entries()) samples[i]?.push(nsPerId(fn, sliceMs));
}
const base = median(samples[0] ?? []);
process.stdout.write(`node ${process.version}; median of ${rounds} rounds of ${sliceMs} ms per case\n`);
for (const [i, [name]] of CASES.entries()) {
  const ns = median(samples[i] ?? []);
  process.stdout.write(`${name.padEnd(28)} ${ns.toFixed(1).padStart(8)} ns  ${(ns / base).toFixed(2)}x\n`);
}
