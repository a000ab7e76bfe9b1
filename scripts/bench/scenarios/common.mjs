/** What several scenarios share: queues, preloading, draining, and turning a measurement into a row. */
import { performance } from 'node:perf_hooks';
import { cpuFigures } from '../cpu.mjs';
import { runWorkers } from '../load.mjs';
import { Recorder } from '../stats.mjs';

/**
 * @typedef {import('../client.mjs').SqsClient} SqsClient
 * @typedef {import('../stats.mjs').LatencySummary} LatencySummary
 * @typedef {import('../cpu.mjs').CpuMeter} CpuMeter
 */

/**
 * @typedef {object} Context What every scenario gets from the runner.
 * @property {SqsClient} client The main client (raw, http or sdk), with 2 x `concurrency` sockets.
 * @property {(o?: { endpoint?: URL, maxSockets?: number }) => SqsClient} newClient Another client of the same kind.
 * @property {boolean} quick
 * @property {number} concurrency Concurrent requests of the throughput scenarios.
 * @property {{ concurrency: number, warmupMs: number, durationMs: number, cpu?: CpuMeter }} window Shape of a
 *   throughput window; its `cpu` is `ctx.cpu`.
 * @property {string} prefix Prefix of this run's queue names.
 * @property {URL} [endpoint] The service's endpoint (send1-sse opens its event stream there).
 * @property {URL | undefined} ceilingEndpoint
 * @property {import('../probes.mjs').RedisProbe | undefined} redis The Redis behind the service, when known.
 * @property {number | undefined} servicePid The service's process, when the benchmark started it.
 * @property {number | undefined} redisPid The service's embedded redis-server, when the benchmark started it.
 * @property {number | undefined} ceilingPid The ceiling server's process.
 * @property {CpuMeter} cpu CPU of the service, its redis-server (when known) and the client: give it to
 *   the Recorder of a measured window.
 */

/**
 * @typedef {object} Row One measured line of a scenario (throughput over `seconds`, latency in ms).
 * @property {string} label
 * @property {number} requests
 * @property {number} messages
 * @property {number} seconds
 * @property {number} reqPerSec
 * @property {number} msgsPerSec
 * @property {LatencySummary} latency
 * @property {string} latencyOf What the latency is of (an action, or e.g. "send to receive").
 * @property {Record<string, LatencySummary>} perAction
 * @property {Record<string, number>} errors
 * @property {import('../cpu.mjs').CpuFigures} [cpu] CPU per request and message, when the Recorder measured it.
 */

/**
 * @typedef {object} ScenarioResult
 * @property {Row[]} rows
 * @property {Record<string, number | string | boolean>} metrics Figures the targets read.
 * @property {string[]} notes What was done and seen, in words.
 */

/** @typedef {{ MessageId: string, ReceiptHandle: string, Body: string }} Message */

/**
 * ReceiveMessage; resolves with the messages (none: an empty list).
 * @param {SqsClient} client
 * @param {object} input
 * @returns {Promise<Message[]>}
 */
export async function receiveMessages(client, input) {
  return (await client.call('ReceiveMessage', input)).Messages ?? [];
}

/**
 * The entries of a DeleteMessageBatch of received messages.
 * @param {Message[]} messages
 */
export function deleteEntries(messages) {
  return messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle }));
}

/**
 * @param {string} label
 * @param {Recorder} recorder
 * @param {number} messages
 * @param {{ seconds?: number, actions?: string[], latency?: LatencySummary, latencyOf?: string }} [o]
 * @returns {Row}
 */
export function row(label, recorder, messages, o = {}) {
  const seconds = o.seconds ?? recorder.elapsedMs / 1000;
  /** @type {Record<string, LatencySummary>} */
  const perAction = {};
  for (const [action, samples] of recorder.byAction) perAction[action] = samples.summary();
  return {
    label,
    requests: recorder.requests,
    messages,
    seconds,
    reqPerSec: recorder.requests / seconds,
    msgsPerSec: messages / seconds,
    latency: o.latency ?? recorder.latency(o.actions),
    latencyOf: o.latencyOf ?? (o.actions ?? [...recorder.byAction.keys()]).join('+'),
    perAction,
    errors: Object.fromEntries(recorder.errors),
    ...(recorder.cpu ? { cpu: cpuFigures(recorder.cpu, recorder.requests, messages) } : {}),
  };
}

/**
 * @param {Context} ctx
 * @param {string} suffix distinguishes the queue within the run (".fifo" makes a FIFO queue)
 * @param {Record<string, string>} [attributes]
 * @returns {Promise<string>} the queue URL
 */
export async function createQueue(ctx, suffix, attributes = {}) {
  const QueueName = `${ctx.prefix}-${suffix}`;
  const fifo = QueueName.endsWith('.fifo');
  const out = await ctx.client.call('CreateQueue', {
    QueueName,
    Attributes: { ...(fifo ? { FifoQueue: 'true' } : {}), ...attributes },
  });
  return out.QueueUrl;
}

/**
 * Deletes queues, ignoring failures (the run is over for them).
 * @param {SqsClient} client
 * @param {string[]} urls
 */
export async function deleteQueues(client, urls) {
  await Promise.allSettled(urls.map((QueueUrl) => client.call('DeleteQueue', { QueueUrl })));
}

/**
 * Creates many queues, `concurrency` at a time.
 * @param {Context} ctx
 * @param {string[]} suffixes
 */
export async function createQueues(ctx, suffixes) {
  /** @type {string[]} */
  const urls = [];
  let next = 0;
  await runWorkers({
    concurrency: ctx.concurrency,
    shouldStop: () => next >= suffixes.length,
    maxErrors: 0,
    step: async () => {
      const i = next++;
      urls[i] = await createQueue(ctx, /** @type {string} */ (suffixes[i]));
      return 0;
    },
  });
  return urls;
}

/**
 * Fills a queue through SendMessageBatch, `concurrency` batches at a time. `entries(batch)` gives
 * the entries of batch number `batch` (10 except maybe the last).
 * @param {SqsClient} client
 * @param {string} QueueUrl
 * @param {number} count messages
 * @param {{ concurrency: number, entries: (batch: number, size: number) => object[], cpu?: CpuMeter }} o
 */
export async function preload(client, QueueUrl, count, o) {
  const batches = Math.ceil(count / 10);
  let next = 0;
  const recorder = new Recorder(o.cpu);
  client.recorder = recorder;
  const outcome = await runWorkers({
    concurrency: o.concurrency,
    shouldStop: () => next >= batches,
    maxErrors: 0,
    step: async () => {
      const batch = next++;
      const size = Math.min(10, count - batch * 10);
      const out = await client.call('SendMessageBatch', { QueueUrl, Entries: o.entries(batch, size) });
      if (out.Failed?.length) throw new Error(`SendMessageBatch failed: ${JSON.stringify(out.Failed[0])}`);
      return size;
    },
  });
  recorder.stop();
  client.recorder = undefined;
  const cpu = recorder.cpu && cpuFigures(recorder.cpu, recorder.requests, outcome.messages);
  return { recorder, messages: outcome.messages, seconds: recorder.elapsedMs / 1000, cpu };
}

/**
 * ReceiveMessage (short polls) + DeleteMessageBatch with `concurrency` workers until `expected`
 * messages are deleted, or nothing was deleted for `stallMs`.
 * @param {SqsClient} client
 * @param {string} QueueUrl
 * @param {number} expected
 * @param {{ concurrency: number, max?: number, stallMs?: number, onMessages?: (messages: Message[]) => void,
 *   cpu?: CpuMeter }} o
 */
export async function drain(client, QueueUrl, expected, o) {
  const recorder = new Recorder(o.cpu);
  client.recorder = recorder;
  let deleted = 0;
  let empty = 0;
  let lastProgress = performance.now();
  const stallMs = o.stallMs ?? 5_000;
  const receive = { QueueUrl, MaxNumberOfMessages: o.max ?? 10, WaitTimeSeconds: 0 };
  const outcome = await runWorkers({
    concurrency: o.concurrency,
    shouldStop: () => deleted >= expected || performance.now() - lastProgress > stallMs,
    step: async () => {
      const messages = await receiveMessages(client, receive);
      if (messages.length === 0) {
        empty++;
        return 0;
      }
      o.onMessages?.(messages);
      const out = await client.call('DeleteMessageBatch', { QueueUrl, Entries: deleteEntries(messages) });
      const n = out.Successful?.length ?? 0;
      deleted += n;
      lastProgress = performance.now();
      return n;
    },
  });
  recorder.stop();
  client.recorder = undefined;
  return { recorder, deleted, emptyReceives: empty, stepErrors: outcome.errors };
}

/** @param {number} n */
export const thousands = (n) => Math.round(n).toLocaleString('en-US');

/**
 * CPU per message for a note, e.g. "; CPU per message service 40, redis 12, client 5, total 57 µs";
 * empty without figures per message.
 * @param {import('../cpu.mjs').CpuFigures | undefined} cpu
 */
export function cpuNote(cpu) {
  const parts = Object.entries(cpu ?? {})
    .filter(([key]) => key.endsWith('UsPerMsg'))
    .map(([key, us]) => `${key.slice(0, -'UsPerMsg'.length)} ${us.toFixed(0)}`);
  return parts.length > 0 ? `; CPU per message ${parts.join(', ')} µs` : '';
}

/**
 * Latency at a steady depth: one request at a time, `iterations` times ReceiveMessage (`max`),
 * DeleteMessageBatch of what came, and SendMessageBatch of as many new messages (`refill`), so
 * the queue keeps its size. The requests go to `recorder` per action.
 * @param {SqsClient} client
 * @param {string} QueueUrl
 * @param {{ iterations: number, max: number, recorder: Recorder, refill: (received: Message[]) => object[] }} o
 */
export async function steadyCycles(client, QueueUrl, o) {
  const receive = { QueueUrl, MaxNumberOfMessages: o.max, WaitTimeSeconds: 0 };
  client.recorder = o.recorder;
  let empty = 0;
  try {
    for (let i = 0; i < o.iterations; i++) {
      const messages = await receiveMessages(client, receive);
      if (messages.length === 0) {
        empty++;
        continue;
      }
      await client.call('DeleteMessageBatch', { QueueUrl, Entries: deleteEntries(messages) });
      const out = await client.call('SendMessageBatch', { QueueUrl, Entries: o.refill(messages) });
      if (out.Failed?.length) throw new Error(`SendMessageBatch failed: ${JSON.stringify(out.Failed[0])}`);
    }
  } finally {
    client.recorder = undefined;
  }
  return { empty };
}

/**
 * Waits while Redis rewrites its append-only file (a fork and a full write, after large preloads),
 * so that it does not fall into a latency measurement. Returns the seconds waited.
 * @param {Context} ctx
 * @param {number} [limitMs]
 */
export async function settleRedis(ctx, limitMs = 120_000) {
  if (!ctx.redis) return 0;
  const started = performance.now();
  while ((await ctx.redis.persistence()).rewriteInProgress && performance.now() - started < limitMs) {
    await new Promise((r) => setTimeout(r, 200));
  }
  return (performance.now() - started) / 1000;
}

/**
 * The load window of the throughput scenarios, from the command line's options.
 * @param {{ concurrency: number, quick: boolean, durationMs: number }} options
 * @param {Context['cpu']} cpu
 */
export function windowOf(options, cpu) {
  return {
    concurrency: options.concurrency,
    warmupMs: options.quick ? 500 : 1000,
    durationMs: options.durationMs,
    cpu,
  };
}
