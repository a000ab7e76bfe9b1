#!/usr/bin/env node
/**
 * A/B of two builds of redsqs on a shared, noisy machine: the service CPU per request of build A
 * and build B under the same load, in short windows that alternate between them (A B, B A, A B,
 * ...), so that other work on the machine falls on both alike. Each build runs as its own
 * service with its own embedded redis-server, both started at once and stopped at the end.
 *
 *   node scripts/bench/ab.mjs --a DIR --b DIR [--protocol json|query] [--load send1|cycle]
 *     [--rounds N (8)] [--window S (2)] [--concurrency N (32)]
 *
 * DIR is a checkout with a built dist/ (e.g. a copy of the commit before a change, and this one).
 * Loads: send1 (SendMessage, 1 KiB), cycle (ReceiveMessage 10 + DeleteMessageBatch of them +
 * SendMessageBatch of 10 new ones: the hot path of a consumer, on a queue that keeps its depth).
 * After one uncounted warm-up window per build, prints each window, then per build the median
 * service and redis CPU per request, and the median of the rounds' B/A ratios (the figure to read).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createRawClient } from './client-raw.mjs';
import { cpuFigures, cpuMeter } from './cpu.mjs';
import { timedWindow } from './load.mjs';
import { BODY_1K, fixedBatchEntries } from './payload.mjs';
import { createWorkDir, killAllNow, startRedsqs, stopAll } from './processes.mjs';
import { deleteEntries, receiveMessages } from './scenarios/common.mjs';

const { values } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string' },
    protocol: { type: 'string', default: 'json' },
    load: { type: 'string', default: 'send1' },
    rounds: { type: 'string', default: '8' },
    window: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '32' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (
  values.help ||
  !values.a ||
  !values.b ||
  !['json', 'query'].includes(values.protocol) ||
  !['send1', 'cycle'].includes(values.load)
) {
  process.stderr.write(
    'Usage: node scripts/bench/ab.mjs --a DIR --b DIR [--protocol json|query] [--load send1|cycle] ' +
      '[--rounds N] [--window S] [--concurrency N]\n',
  );
  process.exit(values.help ? 0 : 2);
}
const protocol = /** @type {'json' | 'query'} */ (values.protocol);
const rounds = Number(values.rounds);
const durationMs = Number(values.window) * 1000;
const concurrency = Number(values.concurrency);

/** @type {ReturnType<typeof createWorkDir>[]} */
const workDirs = [];
process.on('SIGINT', () => {
  killAllNow();
  process.exit(130);
});

/**
 * @param {string} name
 * @param {string} root
 */
async function start(name, root) {
  const work = createWorkDir();
  workDirs.push(work);
  const service = await startRedsqs({ root: resolve(root), workDir: work.dir, nodeArgs: [] });
  const client = createRawClient({ endpoint: service.endpoint, maxSockets: concurrency * 2, protocol });
  const cpu = cpuMeter({ service: service.pid, redis: service.redisPid }, { withNodeChildren: ['service'] });
  const { QueueUrl } = await client.call('CreateQueue', { QueueName: `ab-${values.load}` });
  if (values.load === 'cycle') {
    for (let i = 0; i < 100; i++) await client.call('SendMessageBatch', { QueueUrl, Entries: fixedBatchEntries() });
  }
  return { name, root, client, cpu, QueueUrl };
}

/** @param {Awaited<ReturnType<typeof start>>} t */
function step(t) {
  if (values.load === 'send1') {
    const input = { QueueUrl: t.QueueUrl, MessageBody: BODY_1K };
    return () => t.client.call('SendMessage', input).then(() => 1);
  }
  const receive = { QueueUrl: t.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 };
  return async () => {
    const messages = await receiveMessages(t.client, receive);
    if (messages.length > 0) {
      await t.client.call('DeleteMessageBatch', { QueueUrl: t.QueueUrl, Entries: deleteEntries(messages) });
    }
    await t.client.call('SendMessageBatch', { QueueUrl: t.QueueUrl, Entries: fixedBatchEntries() });
    return messages.length;
  };
}

/** @param {Awaited<ReturnType<typeof start>>} t */
async function measure(t) {
  const w = await timedWindow(t.client, { concurrency, warmupMs: 300, durationMs, cpu: t.cpu }, step(t));
  const figures = cpuFigures(/** @type {any} */ (w.recorder.cpu), w.recorder.requests, w.messages);
  return {
    service: figures.serviceUsPerReq ?? Number.NaN,
    redis: figures.redisUsPerReq ?? Number.NaN,
    other: figures.otherPctOfCore ?? Number.NaN,
    reqPerSec: w.recorder.requests / (w.recorder.elapsedMs / 1000),
    errors: w.recorder.errorCount,
  };
}

const median = (/** @type {number[]} */ xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return /** @type {number} */ (s[s.length >> 1]);
};

try {
  const a = await start('A', values.a);
  const b = await start('B', values.b);
  process.stdout.write(
    `A: ${a.root}\nB: ${b.root}\nprotocol ${protocol}, load ${values.load}, ${rounds} rounds of ` +
      `${durationMs / 1000} s windows per build, concurrency ${concurrency}\n`,
  );
  // Warm-up, not counted: the first window of a fresh process is mostly the JIT's.
  for (const t of [a, b]) await measure(t);
  /** @type {Record<string, { service: number[], redis: number[] }>} */
  const all = { A: { service: [], redis: [] }, B: { service: [], redis: [] } };
  /** @type {number[]} */
  const ratios = [];
  for (let r = 0; r < rounds; r++) {
    /** @type {Record<string, Awaited<ReturnType<typeof measure>>>} */
    const got = {};
    for (const t of r % 2 === 0 ? [a, b] : [b, a]) {
      const m = await measure(t);
      got[t.name] = m;
      all[t.name]?.service.push(m.service);
      all[t.name]?.redis.push(m.redis);
      process.stdout.write(
        `round ${r + 1} ${t.name}: service ${m.service.toFixed(1)} µs/req, redis ${m.redis.toFixed(1)}, ` +
          `${Math.round(m.reqPerSec)} req/s, other ${Math.round(m.other)}% of a core${m.errors ? `, ${m.errors} errors` : ''}\n`,
      );
    }
    ratios.push(/** @type {number} */ (got.B?.service) / /** @type {number} */ (got.A?.service));
  }
  for (const name of ['A', 'B']) {
    const x = /** @type {{ service: number[], redis: number[] }} */ (all[name]);
    process.stdout.write(
      `${name}: service median ${median(x.service).toFixed(1)} µs/req (min ${Math.min(...x.service).toFixed(1)}), ` +
        `redis median ${median(x.redis).toFixed(1)}\n`,
    );
  }
  const sorted = [...ratios].sort((x, y) => x - y);
  process.stdout.write(
    `B/A service CPU per request: median ${median(ratios).toFixed(3)} ` +
      `(rounds from ${sorted[0]?.toFixed(3)} to ${sorted[sorted.length - 1]?.toFixed(3)})\n`,
  );
  a.client.close();
  b.client.close();
} finally {
  await stopAll();
  for (const w of workDirs) w.finish(false);
}
