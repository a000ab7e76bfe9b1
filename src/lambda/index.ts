/**
 * startPollers: creates the configured queues (dead-letter queues first), loads the handlers and
 * runs one poller per enabled event source mapping, against redsqs or any SQS endpoint.
 */
import { type QueueNameExists, SQS } from '@aws-sdk/client-sqs';
import { type Clock, SYSTEM_CLOCK } from '../clock.js';
import { createLogger, type Logger } from '../log.js';
import type { PollerActivity } from './activity.js';
import { loadPollerConfig, type PollerConfig, PollerConfigError, type QueueSpec } from './config.js';
import { captureHandlerConsole, type Handler, loadHandler } from './handler.js';
import { MappingPoller } from './poller.js';

export { PollerActivity } from './activity.js';
export { type PollerConfig, PollerConfigError } from './config.js';
export type { SqsEvent, SqsRecord } from './event.js';

export interface StartPollersOptions {
  /** The configuration, or the path of a redsqs.config.json file. */
  config: PollerConfig | string;
  /** SQS endpoint; without it (and without `endpoint` in the config) the AWS SDK's default. */
  endpoint?: string;
  region?: string;
  /** What the pollers sign with; redsqs passes a key of its account when it checks signatures. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  log?: Logger;
  /** The time batching windows and function timeouts run on (default: real time). */
  clock?: Clock;
  /** Aborting while the queues are created stops there (the caller then stops what started). */
  signal?: AbortSignal;
  /** Where the pollers report their starts, invocations and filtered-out messages. */
  activity?: PollerActivity;
}

export interface Pollers {
  /** Creates the configuration's queues again where they are missing (after a reset). */
  ensureQueues(): Promise<void>;
  stop(): Promise<void>;
}

/** A configuration checked and its handlers loaded: nothing started, nothing contacted yet. */
export interface PreparedPollers {
  config: PollerConfig;
  /** Creates the queues (dead-letter queues first) and starts one poller per enabled mapping. */
  start(options: Omit<StartPollersOptions, 'config'>): Promise<Pollers>;
}

function redriveTarget(q: QueueSpec): string | undefined {
  const text = q.Attributes?.RedrivePolicy;
  if (!text) return undefined;
  try {
    const arn = (JSON.parse(text) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
    return typeof arn === 'string' ? arn.split(':').pop() : undefined;
  } catch {
    return undefined;
  }
}

/** Queues in an order where each dead-letter queue comes before the queues that name it. */
function creationOrder(queues: QueueSpec[]): QueueSpec[] {
  const names = new Set(queues.map((q) => q.QueueName));
  const done = new Set<string>();
  const ordered: QueueSpec[] = [];
  while (ordered.length < queues.length) {
    const next = queues.find((q) => {
      if (done.has(q.QueueName)) return false;
      const target = redriveTarget(q);
      return !target || !names.has(target) || done.has(target) || target === q.QueueName;
    });
    if (!next) throw new PollerConfigError('queues: the RedrivePolicy settings form a cycle');
    done.add(next.QueueName);
    ordered.push(next);
  }
  return ordered;
}

async function ensureQueue(sqs: SQS, q: QueueSpec, index: number): Promise<void> {
  try {
    await sqs.createQueue({ QueueName: q.QueueName, Attributes: q.Attributes, tags: q.tags });
  } catch (err) {
    if ((err as QueueNameExists).name !== 'QueueNameExists') {
      throw new PollerConfigError(`queues[${index}] (${q.QueueName}): ${(err as Error).message}`);
    }
    // The queue exists with other attributes: the file is the source of truth.
    const { QueueUrl } = await sqs.getQueueUrl({ QueueName: q.QueueName });
    const { FifoQueue: _type, ...settable } = q.Attributes ?? {};
    await sqs.setQueueAttributes({ QueueUrl, Attributes: settable });
  }
}

/** Validates the configuration completely and loads every handler module; starts nothing. */
export async function preparePollers(source: PollerConfig | string): Promise<PreparedPollers> {
  const config = typeof source === 'string' ? loadPollerConfig(source) : source;
  const order = creationOrder(config.queues);
  const handlers = new Map<string, Handler>();
  for (const [i, fn] of config.functions.entries())
    handlers.set(fn.FunctionName, await loadHandler(fn, `functions[${i}]`));
  return { config, start: (options) => runPollers(config, order, handlers, options) };
}

export async function startPollers(options: StartPollersOptions): Promise<Pollers> {
  return (await preparePollers(options.config)).start(options);
}

function aborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new PollerConfigError('stopped while the pollers were starting');
}

async function runPollers(
  config: PollerConfig,
  order: QueueSpec[],
  handlers: Map<string, Handler>,
  options: Omit<StartPollersOptions, 'config'>,
): Promise<Pollers> {
  const log = options.log ?? createLogger('info');
  const clock = options.clock ?? SYSTEM_CLOCK;
  const endpoint = options.endpoint ?? config.endpoint;
  const region = options.region ?? config.region ?? 'us-east-1';
  const credentials =
    options.credentials ?? (endpoint ? { accessKeyId: 'redsqs', secretAccessKey: 'redsqs' } : undefined);
  const sqs = new SQS({ region, ...(endpoint ? { endpoint } : {}), ...(credentials ? { credentials } : {}) });
  const byName = new Map(config.queues.map((q, i) => [q.QueueName, i]));
  const ensureQueues = async (signal?: AbortSignal): Promise<void> => {
    for (const q of order) {
      aborted(signal);
      await ensureQueue(sqs, q, byName.get(q.QueueName) ?? 0);
    }
  };
  try {
    await ensureQueues(options.signal);

    const pollers: MappingPoller[] = [];
    for (const [i, mapping] of config.eventSourceMappings.entries()) {
      aborted(options.signal);
      const path = `eventSourceMappings[${i}]`;
      if (!mapping.Enabled) {
        log.info(`poller: ${mapping.FunctionName} <- ${mapping.QueueName} is disabled`);
        continue;
      }
      const fn = config.functions.find((f) => f.FunctionName === mapping.FunctionName);
      const handler = handlers.get(mapping.FunctionName);
      if (!fn || !handler)
        throw new PollerConfigError(`${path}.FunctionName: unknown function ${mapping.FunctionName}`);
      let queueUrl: string;
      try {
        queueUrl = (await sqs.getQueueUrl({ QueueName: mapping.QueueName })).QueueUrl as string;
      } catch {
        throw new PollerConfigError(`${path}.QueueName: queue ${mapping.QueueName} does not exist`);
      }
      const attrs =
        (await sqs.getQueueAttributes({ QueueUrl: queueUrl, AttributeNames: ['VisibilityTimeout', 'QueueArn'] }))
          .Attributes ?? {};
      const visibility = Number(attrs.VisibilityTimeout);
      if (visibility < fn.Timeout) {
        // Lambda refuses such a mapping: messages would reappear while the function still runs.
        throw new PollerConfigError(
          `${path}: queue visibility timeout (${visibility} s) is less than function timeout (${fn.Timeout} s) of ${fn.FunctionName}`,
        );
      }
      const window = mapping.MaximumBatchingWindowInSeconds;
      if (visibility < fn.Timeout + window) {
        // The first messages of a batch wait up to the window before the function starts.
        log.warn(
          `${path}: queue visibility timeout (${visibility} s) is less than function timeout plus batching window (${fn.Timeout + window} s) of ${fn.FunctionName}: messages can be delivered again while their batch is still running (AWS recommends at least 6 times the function timeout)`,
        );
      }
      const queueArn = attrs.QueueArn ?? `arn:aws:sqs:${region}:000000000000:${mapping.QueueName}`;
      const account = queueArn.split(':')[4] ?? '000000000000';
      pollers.push(
        new MappingPoller({
          sqs,
          mapping,
          fn,
          handler,
          queueUrl,
          queueArn,
          region,
          account,
          log,
          clock,
          ...(options.activity ? { activity: options.activity } : {}),
        }),
      );
    }
    aborted(options.signal);
    const releaseConsole = captureHandlerConsole();
    for (const p of pollers) p.start();
    return {
      ensureQueues: () => ensureQueues(),
      async stop() {
        await Promise.all(pollers.map((p) => p.stop()));
        releaseConsole();
        sqs.destroy();
      },
    };
  } catch (err) {
    sqs.destroy();
    throw err;
  }
}
