/**
 * The dashboard's developer routes (JSON in and out), for every account on the Redis, not only
 * the one this instance serves:
 *   GET    /_redsqs/queues                               -> {now, account, accounts, queues: [...]}
 *   GET    /_redsqs/messages?QueueUrl=<url>[&limit=N]    -> {queue, now, truncated, messages: [...]}
 *   DELETE /_redsqs/messages/<message id>?QueueUrl=<url> -> {deleted: "<message id>"}
 *   GET    /_redsqs/pollers                              -> {pollers: [...]}
 * Counts and ages are at the service's clock (`now`), so a moved clock shows. The messages route is
 * the peek (nothing changes) with each message's state and, for in-flight and delayed ones, when
 * it becomes visible: LocalStack's /_aws/sqs/messages keeps its own shape. Errors have the AWS JSON
 * error shape of the SQS path: 400 for bad input, 404 for an unknown queue or message, 503 while
 * Redis is down.
 */
import type { Message } from '@aws-sdk/client-sqs';
import express from 'express';
import type { Config } from '../config.js';
import type { QueueRef } from '../domain.js';
import { invalidParameter, queueDoesNotExist, redisUnavailable, SqsError } from '../errors.js';
import { readQueueCounts } from '../metrics/queue-counts.js';
import { encodeJsonError } from '../protocol/encode.js';
import { parseQueueUrl, queueArn, queueUrl } from '../sqs/queue-names.js';
import { buildReceivedMessage, checkSystemAttributeNames } from '../sqs/received-message.js';
import { PEEK_LIMIT, type PeekedMessage, type Store } from '../store/store.js';
import { isRedisUnavailable } from '../store/unavailable.js';

export interface QueuesRouteDeps {
  store: Store;
  config: Config;
  now: () => number;
  /** The accounts that have queues, this instance's always. */
  accounts(): Promise<string[]>;
  /** Redis is known to be down: answer 503 at once. */
  isDown(): boolean;
}

/** One queue as GET /_redsqs/queues lists it. */
export interface QueueRow {
  account: string;
  name: string;
  url: string;
  arn: string;
  fifo: boolean;
  visible: number;
  delayed: number;
  inFlight: number;
  /** Whole seconds at the service's clock; null when the queue holds no message. */
  ageOfOldestSeconds: number | null;
  deadLetterQueue: { name: string; url: string; maxReceiveCount: number } | null;
  /** Queues whose RedrivePolicy names this one (its account's), by name. */
  sources: { name: string; url: string }[];
  attributes: Record<string, string>;
}

const ALL_SYSTEM_ATTRIBUTES = checkSystemAttributeNames(['All']);
const QUEUE_URL = /^(?:https?:\/\/[^/]+)?\/+(\d{12})\/([^/?#]+)\/*$/;
/** getQueue calls in flight at a time (each one script call, pipelined). */
const BATCH = 250;

/** A 404 in the SQS JSON error shape: QueueDoesNotExist, or redsqs's MessageDoesNotExist. */
class NotFound extends Error {
  constructor(
    readonly code: 'QueueDoesNotExist' | 'MessageDoesNotExist',
    message: string,
  ) {
    super(message);
  }
}

const noQueue = (): NotFound => new NotFound('QueueDoesNotExist', queueDoesNotExist().message);

function baseUrlOf(req: express.Request, config: Config): string {
  if (config.baseUrl) return config.baseUrl;
  const proto = req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
  return `${proto}://${req.headers.host ?? `localhost:${config.port}`}`;
}

/** A queue of any account, from its URL (the host is ignored, as on the SQS path). */
function queueOf(value: unknown): QueueRef {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalidParameter('QueueUrl is required: ?QueueUrl=<the queue URL>.');
  }
  const m = QUEUE_URL.exec(value.trim());
  if (!m) throw invalidParameter(`QueueUrl ${value} is not a queue URL (…/<12-digit account>/<queue name>).`);
  try {
    return parseQueueUrl(value, m[1] as string);
  } catch (err) {
    throw err instanceof SqsError && err.code === 'QueueDoesNotExist' ? noQueue() : err;
  }
}

function policyOf(attributes: Record<string, string>): { target: string; maxReceiveCount: number } | undefined {
  if (!attributes.RedrivePolicy) return undefined;
  try {
    const p = JSON.parse(attributes.RedrivePolicy) as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
    if (typeof p.deadLetterTargetArn !== 'string') return undefined;
    return { target: p.deadLetterTargetArn, maxReceiveCount: Number(p.maxReceiveCount) };
  } catch {
    return undefined;
  }
}

async function listQueues(
  deps: QueuesRouteDeps,
  base: string,
): Promise<{ now: number; account: string; accounts: string[]; queues: QueueRow[] }> {
  const { store, config } = deps;
  const now = deps.now();
  const accounts = await deps.accounts();
  const rows: QueueRow[] = [];
  for (const account of accounts) {
    const counted = await readQueueCounts(store, account, now);
    const states: (Record<string, string> | undefined)[] = [];
    for (let i = 0; i < counted.length; i += BATCH) {
      const chunk = counted.slice(i, i + BATCH);
      const read = await Promise.all(chunk.map((c) => store.getQueue({ account, name: c.name }, now)));
      states.push(...read.map((s) => s?.attributes));
    }
    const byArn = new Map<string, QueueRow>();
    counted.forEach((c, i) => {
      const attributes = states[i];
      if (attributes === undefined) return; // deleted meanwhile
      const q = { account, name: c.name };
      const row: QueueRow = {
        account,
        name: c.name,
        url: queueUrl(base, q),
        arn: queueArn(config.region, q),
        fifo: attributes.FifoQueue === 'true',
        visible: c.visible,
        delayed: c.delayed,
        inFlight: c.notVisible,
        ageOfOldestSeconds: c.ageOfOldestSeconds ?? null,
        deadLetterQueue: null,
        sources: [],
        attributes,
      };
      rows.push(row);
      byArn.set(row.arn, row);
    });
    // Lineage both ways, from the policies just read (a dead-letter queue is of the same account).
    for (const row of byArn.values()) {
      const policy = policyOf(row.attributes);
      if (!policy) continue;
      const name = policy.target.split(':').pop() ?? policy.target;
      row.deadLetterQueue = {
        name,
        url: queueUrl(base, { account, name }),
        maxReceiveCount: policy.maxReceiveCount,
      };
      byArn.get(policy.target)?.sources.push({ name: row.name, url: row.url });
    }
  }
  for (const row of rows) row.sources.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { now, account: config.accountId, accounts, queues: rows };
}

/** A peeked message: the ReceiveMessage shape (binary values in base64), its state and when it becomes visible. */
function messageOut(q: QueueRef, m: PeekedMessage) {
  const wire: Message = buildReceivedMessage(q, { ...m, token: '' }, ALL_SYSTEM_ATTRIBUTES, ['All']);
  const { ReceiptHandle: _none, ...rest } = wire;
  const attributes: Record<string, { DataType?: string; StringValue?: string; BinaryValue?: string }> = {};
  for (const [name, v] of Object.entries(wire.MessageAttributes ?? {})) {
    attributes[name] = {
      DataType: v.DataType,
      ...(v.StringValue !== undefined ? { StringValue: v.StringValue } : {}),
      ...(v.BinaryValue !== undefined ? { BinaryValue: Buffer.from(v.BinaryValue).toString('base64') } : {}),
    };
  }
  return {
    ...rest,
    ...(wire.MessageAttributes ? { MessageAttributes: attributes } : {}),
    state: m.state,
    visibleAt: m.visibleAtMs ?? null,
    groupLocked: m.groupLocked,
  };
}

const STATE_ORDER = { inflight: 0, available: 1, delayed: 2 } as const;

async function messages(deps: QueuesRouteDeps, req: express.Request, base: string) {
  const q = queueOf(req.query.QueueUrl);
  let limit = PEEK_LIMIT;
  if (req.query.limit !== undefined) {
    const n = Number(req.query.limit);
    if (typeof req.query.limit !== 'string' || !Number.isSafeInteger(n) || n < 1 || n > PEEK_LIMIT) {
      throw invalidParameter(
        `limit must be a whole number from 1 to ${PEEK_LIMIT}; got ${JSON.stringify(req.query.limit)}.`,
      );
    }
    limit = n;
  }
  const now = deps.now();
  const result = await deps.store.peekMessages(q, { now, limit });
  if (!result) throw noQueue();
  const sorted = [...result.messages].sort(
    (a, b) =>
      STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
      a.sequenceNumber.length - b.sequenceNumber.length ||
      (a.sequenceNumber < b.sequenceNumber ? -1 : a.sequenceNumber > b.sequenceNumber ? 1 : 0),
  );
  return {
    queue: { account: q.account, name: q.name, url: queueUrl(base, q) },
    now,
    truncated: result.more,
    messages: sorted.map((m) => messageOut(q, m)),
  };
}

async function deleteOne(deps: QueuesRouteDeps, req: express.Request) {
  const q = queueOf(req.query.QueueUrl);
  const id = String(req.params.messageId ?? '');
  if (id === '' || id.length > 128) throw invalidParameter('The message id must be 1 to 128 characters.');
  const status = await deps.store.deleteMessage(q, id, deps.now());
  if (status === undefined) throw noQueue();
  if (status === 'gone') {
    throw new NotFound('MessageDoesNotExist', `The queue ${q.name} has no message ${id}.`);
  }
  return { deleted: id };
}

function send(res: express.Response, err: SqsError): void {
  const out = encodeJsonError(err);
  res.status(out.status).set(out.headers).type('application/json').send(out.body);
}

const handle =
  (deps: QueuesRouteDeps, fn: (req: express.Request) => Promise<unknown>): express.RequestHandler =>
  (req, res, next) => {
    (deps.isDown() ? Promise.reject(redisUnavailable()) : fn(req)).then(
      (body) => res.set('Cache-Control', 'no-store').json(body),
      (err: unknown) => {
        if (err instanceof NotFound) {
          res
            .status(404)
            .type('application/json')
            .send(JSON.stringify({ __type: `com.amazonaws.sqs#${err.code}`, message: err.message }));
        } else if (err instanceof SqsError) send(res, err);
        else if (isRedisUnavailable(err)) send(res, redisUnavailable());
        else next(err);
      },
    );
  };

export function queuesRouter(deps: QueuesRouteDeps): express.Router {
  const router = express.Router();
  router.get(
    '/_redsqs/queues',
    handle(deps, (req) => listQueues(deps, baseUrlOf(req, deps.config))),
  );
  router.get(
    '/_redsqs/messages',
    handle(deps, (req) => messages(deps, req, baseUrlOf(req, deps.config))),
  );
  router.delete(
    '/_redsqs/messages/:messageId',
    handle(deps, (req) => deleteOne(deps, req)),
  );
  router.get(
    '/_redsqs/pollers',
    handle(deps, async () => ({ pollers: await deps.store.pollerStats() })),
  );
  return router;
}
