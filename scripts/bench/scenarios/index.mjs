/** Every scenario, in the order a run takes them (ceiling first: the other figures are ratios to it). */
import ceiling from './ceiling.mjs';
import depth from './depth.mjs';
import drain from './drain.mjs';
import e2e from './e2e.mjs';
import fifo from './fifo.mjs';
import groups from './groups.mjs';
import idlePolls from './idle-polls.mjs';
import memory from './memory.mjs';
import roundtrips from './roundtrips.mjs';
import send1 from './send1.mjs';
import send1Sse from './send1-sse.mjs';
import sendbatch from './sendbatch.mjs';

/**
 * @typedef {object} Scenario
 * @property {string} name
 * @property {string} title
 * @property {(ctx: import('./common.mjs').Context) => Promise<import('./common.mjs').ScenarioResult>} run
 */

/** @type {Scenario[]} */
export const SCENARIOS = [
  ceiling,
  roundtrips,
  send1,
  send1Sse,
  sendbatch,
  drain,
  fifo,
  e2e,
  idlePolls,
  memory,
  depth,
  groups,
];
