#!/usr/bin/env node
/**
 * Micro-benchmark of the query protocol's XML writer (encodeXmlOutput, encodeXmlError) on the
 * responses the hot paths send, for one or more builds side by side:
 *
 *   npm run build && node scripts/bench/micro-xml.mjs [--dist DIR]... [--rounds N] [--ms N]
 *
 * Each --dist is a compiled tree (default: dist/ of this checkout), e.g. a build of the commit
 * before a change next to the current one. The builds run interleaved, round after round, in one
 * process, so a busy machine slows them alike: compare the ratios, not the nanoseconds of two runs.
 * It also checks that every build writes the same bytes for every case (same request id), and
 * says where they differ.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { median, timeSlice } from './stats.mjs';

const { values } = parseArgs({
  options: {
    dist: { type: 'string', multiple: true },
    rounds: { type: 'string', default: '9' },
    ms: { type: 'string', default: '60' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    'Usage: node scripts/bench/micro-xml.mjs [--dist DIR]... [--rounds N (9)] [--ms N (60 per case per round)]\n',
  );
  process.exit(0);
}
const dists = values.dist?.length ? values.dist : [new URL('../../dist', import.meta.url).pathname];
const rounds = Number(values.rounds);
const sliceMs = Number(values.ms);

/**
 * @param {string} dir
 * @returns {Promise<{ dir: string, encode: any, model: any, errors: any, error?: any }>}
 */
async function load(dir) {
  const at = (/** @type {string} */ f) => import(pathToFileURL(resolve(dir, f)).href);
  return {
    dir,
    encode: await at('protocol/encode.js'),
    model: await at('protocol/model.js'),
    errors: await at('errors.js'),
  };
}
const builds = await Promise.all(dists.map(load));
// The error is made once: the encoder is measured, not Error's stack capture.
for (const b of builds) {
  b.error = new b.errors.SqsError('InvalidParameterValueException', 'Value <x> for parameter "A" is invalid.');
}

// ---------------------------------------------------------------- fixtures: what the actions return

const BODY = 'redsqs-bench '.padEnd(1024, 'x');
const id = (/** @type {number} */ i) => `6f3b2c1e-5d4a-4b7c-9e8f-${String(100000000000 + i)}`;
const handle = (/** @type {number} */ i) => `${id(i)}#${'AQEB'.padEnd(120, 'Zm9vYmFy')}`;
const MD5 = 'f1d6c2a5b0e4c7d8a9b3e2f1c0d9e8a7';
const REQUEST_ID = '00000000-0000-4000-8000-000000000000';

const message = (/** @type {number} */ i) => ({
  MessageId: id(i),
  ReceiptHandle: handle(i),
  MD5OfBody: MD5,
  Body: BODY,
  Attributes: {
    SenderId: '000000000000',
    SentTimestamp: '1764888000000',
    ApproximateReceiveCount: '1',
    ApproximateFirstReceiveTimestamp: '1764888000123',
  },
  MD5OfMessageAttributes: MD5,
  MessageAttributes: {
    kind: { DataType: 'String', StringValue: 'order & "quote" <x>' },
    n: { DataType: 'Number', StringValue: String(i) },
    bin: { DataType: 'Binary', BinaryValue: Buffer.from('binary payload') },
  },
});
const ten = Array.from({ length: 10 }, (_, i) => i);

/** @type {[name: string, action: string, output: object][]} */
const OUTPUTS = [
  ['SendMessage', 'SendMessage', { MessageId: id(0), MD5OfMessageBody: MD5 }],
  [
    'SendMessageBatch (10)',
    'SendMessageBatch',
    { Successful: ten.map((i) => ({ Id: String(i), MessageId: id(i), MD5OfMessageBody: MD5 })), Failed: [] },
  ],
  ['ReceiveMessage (10, attributes)', 'ReceiveMessage', { Messages: ten.map(message) }],
  [
    'ReceiveMessage (10, body only)',
    'ReceiveMessage',
    { Messages: ten.map((i) => ({ MessageId: id(i), ReceiptHandle: handle(i), MD5OfBody: MD5, Body: BODY })) },
  ],
  ['ReceiveMessage (empty)', 'ReceiveMessage', { Messages: [] }],
  ['DeleteMessage', 'DeleteMessage', {}],
  ['DeleteMessageBatch (10)', 'DeleteMessageBatch', { Successful: ten.map((i) => ({ Id: String(i) })), Failed: [] }],
  [
    'GetQueueAttributes (All)',
    'GetQueueAttributes',
    {
      Attributes: Object.fromEntries(
        [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
          'CreatedTimestamp',
          'LastModifiedTimestamp',
          'VisibilityTimeout',
          'MaximumMessageSize',
          'MessageRetentionPeriod',
          'DelaySeconds',
          'ReceiveMessageWaitTimeSeconds',
          'QueueArn',
          'SqsManagedSseEnabled',
        ].map((k, i) => [k, String(1000 + i)]),
      ),
    },
  ],
];

/**
 * @typedef {{ name: string, run: (b: any) => string }} Case
 * @type {Case[]}
 */
const CASES = [
  ...OUTPUTS.map(([name, action, output]) => ({
    name,
    run: (/** @type {any} */ b) =>
      b.encode.encodeXmlOutput(action, b.model.OPERATIONS[action].output, output, REQUEST_ID).body,
  })),
  {
    name: 'error (InvalidParameterValue)',
    run: (/** @type {any} */ b) => b.encode.encodeXmlError(b.error, REQUEST_ID).body,
  },
];

// ---------------------------------------------------------------- same bytes?

let differ = 0;
for (const c of CASES) {
  const first = c.run(builds[0]);
  for (const b of builds.slice(1)) {
    const out = c.run(b);
    if (out !== first) {
      differ++;
      let at = 0;
      while (at < out.length && out[at] === first[at]) at++;
      process.stdout.write(
        `DIFFERENT ${c.name} (${b.dir} vs ${builds[0]?.dir}) at ${at}:\n  ${first.slice(at - 40, at + 80)}\n  ${out.slice(at - 40, at + 80)}\n`,
      );
    }
  }
}
if (builds.length > 1 && differ === 0) process.stdout.write('every build writes the same bytes for every case\n');

// ---------------------------------------------------------------- timing

/**
 * ns per call of `fn` (it returns a document).
 * @param {() => string} fn
 * @param {number} ms
 */
function nsPerDocument(fn, ms) {
  const { ns, chars } = timeSlice(fn, ms, 64);
  if (chars === 0) throw new Error('no output');
  return ns;
}

/** @type {Map<string, number[]>} */
const samples = new Map();
for (const b of builds) for (const c of CASES) nsPerDocument(() => c.run(b), 200); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const c of CASES) {
    for (const [i, b] of builds.entries()) {
      const key = `${i}\u0000${c.name}`;
      samples.set(key, [...(samples.get(key) ?? []), nsPerDocument(() => c.run(b), sliceMs)]);
    }
  }
}

const header = [
  'case',
  'bytes',
  ...builds.map((_, i) => `ns #${i + 1}`),
  ...builds.slice(1).map((_, i) => `#${i + 2}/#1`),
];
/** @type {string[][]} */
const rows = [header];
for (const c of CASES) {
  const ns = builds.map((_, i) => median(samples.get(`${i}\u0000${c.name}`) ?? []));
  rows.push([
    c.name,
    String(Buffer.byteLength(c.run(builds[0]))),
    ...ns.map((v) => Math.round(v).toLocaleString('en-US')),
    ...ns.slice(1).map((v) => `${(v / /** @type {number} */ (ns[0])).toFixed(2)}x`),
  ]);
}
const widths = header.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
process.stdout.write(`node ${process.version}; median of ${rounds} rounds of ${sliceMs} ms per case and build\n`);
for (const [i, b] of builds.entries()) process.stdout.write(`#${i + 1}: ${b.dir}\n`);
for (const r of rows) {
  process.stdout.write(
    `${r.map((cell, col) => (col === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[col] ?? 0))).join('  ')}\n`,
  );
}
