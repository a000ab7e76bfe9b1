/**
 * LocalStack's SQS developer endpoint, so tests written against LocalStack keep working: the
 * messages of a queue in the shape of a ReceiveMessage response, without receiving them (no
 * receive count, visibility, first-receive time or receipt handle changes).
 *
 *   GET|POST /_aws/sqs/messages?QueueUrl=<queue url>[&ShowInvisible=true][&ShowDelayed=true]
 *   GET|POST /_aws/sqs/messages/<region>/<account id>/<queue name>[?ShowInvisible=…&ShowDelayed=…]
 *
 * As LocalStack (docs.localstack.cloud/user-guide/aws/sqs/#developer-endpoints, and its
 * services/sqs/developer_api.py): available messages always; in-flight ones (and, on FIFO queues,
 * the messages of a group held by one in flight) with ShowInvisible, adding the attribute IsVisible;
 * delayed ones with ShowDelayed, adding IsDelayed; every system and message attribute; the receipt
 * handle "SQS/BACKDOOR/ACCESS"; XML unless `Accept: application/json`; an SDK pointed at
 * /_aws/sqs/messages as its endpoint gets a ReceiveMessage answer in its own protocol. At most
 * PEEK_LIMIT messages are listed; when more exist the answer carries `x-redsqs-truncated: true`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Message } from '@aws-sdk/client-sqs';
import express from 'express';
import type { Config } from '../config.js';
import type { QueueRef } from '../domain.js';
import { queueDoesNotExist, redisUnavailable, SqsError } from '../errors.js';
import type { Logger } from '../log.js';
import { BodyTooLarge } from '../protocol/body.js';
import type { WireResponse } from '../protocol/encode.js';
import { parseAnyQueueUrl } from '../sqs/queue-names.js';
import { buildReceivedMessage, checkSystemAttributeNames } from '../sqs/received-message.js';
import type { PeekedMessage, Store } from '../store/store.js';
import { isRedisUnavailable } from '../store/unavailable.js';
import { requestBody } from '../web/dev-auth.js';
import { type PeekMode, renderError, renderMessages } from './peek-render.js';

export interface PeekDeps {
  store: Store;
  config: Config;
  now: () => number;
  log?: Logger;
  /** Redis is known to be down: answer 503 at once. */
  isDown?: () => boolean;
}

/** LocalStack's placeholder: a peek receives nothing, so there is no handle to give. */
export const PEEK_RECEIPT_HANDLE = 'SQS/BACKDOOR/ACCESS';

const ALL_SYSTEM_ATTRIBUTES = checkSystemAttributeNames(['All']);
const MAX_BODY_BYTES = 64 * 1024;
const AMZ_JSON = 'application/x-amz-json-1.0';
const FORM = 'application/x-www-form-urlencoded';

function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

/**
 * The preferred of LocalStack's XML serializer's media types (text/xml, application/xml,
 * application/json, in that order) under an Accept header: highest quality, then the most specific
 * range, then the earlier type.
 */
function negotiate(accept: string): 'text/xml' | 'application/xml' | 'application/json' {
  const offers = ['text/xml', 'application/xml', 'application/json'] as const;
  let best: (typeof offers)[number] = offers[0];
  let bestQ = -1;
  let bestSpecificity = -1;
  for (const offer of offers) {
    for (const part of accept.split(',')) {
      const [range = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const quality = q ? Number(q.slice(2)) : 1;
      const specificity = range === offer ? 2 : range === `${offer.split('/')[0]}/*` ? 1 : range === '*/*' ? 0 : -1;
      if (specificity < 0 || !(quality > 0)) continue;
      if (quality > bestQ || (quality === bestQ && specificity > bestSpecificity)) {
        best = offer;
        bestQ = quality;
        bestSpecificity = specificity;
      }
    }
  }
  return best;
}

/** As LocalStack: AWS JSON requests get AWS JSON; otherwise Accept (or, without one, the Content-Type) decides. */
function modeOf(req: IncomingMessage): PeekMode {
  const type = mediaType(req);
  if (req.method === 'POST' && type === AMZ_JSON) return 'amz-json';
  const accept = (req.headers.accept ?? '').trim();
  const basis = accept !== '' && accept !== '*/*' ? accept : type !== '' ? `${type}, */*` : '';
  return basis !== '' && negotiate(basis) === 'application/json' ? 'json' : 'xml';
}

const onlyReceive = (): SqsError =>
  new SqsError('UnsupportedOperation', 'This endpoint only accepts ReceiveMessage calls.');

/**
 * The request's parameters: the query string, then (without overriding it) a form body. An AWS
 * JSON body gives only QueueUrl; LocalStack ignores the other ReceiveMessage members too.
 */
async function paramsOf(req: IncomingMessage, mode: PeekMode): Promise<Map<string, string>> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const params = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(q < 0 ? '' : url.slice(q + 1))) if (!params.has(k)) params.set(k, v);
  if (req.method !== 'POST') return params;
  let body: string;
  try {
    body = await requestBody(req, MAX_BODY_BYTES);
  } catch (err) {
    if (err instanceof BodyTooLarge) {
      throw new SqsError('RequestEntityTooLarge', `A peek request body is at most ${MAX_BODY_BYTES} bytes.`);
    }
    throw err;
  }
  if (mode === 'amz-json') {
    const target = req.headers['x-amz-target'];
    if (target !== undefined && target !== 'AmazonSQS.ReceiveMessage') throw onlyReceive();
    let parsed: unknown;
    try {
      parsed = body.trim() === '' ? {} : JSON.parse(body);
    } catch {
      throw new SqsError('SerializationException', 'The request body is not valid JSON.');
    }
    const queueUrl = (parsed as { QueueUrl?: unknown } | null)?.QueueUrl;
    if (typeof queueUrl === 'string') params.set('QueueUrl', queueUrl);
    return params;
  }
  if (mediaType(req) === FORM) {
    const form = new URLSearchParams(body);
    const action = form.get('Action') ?? params.get('Action');
    if (action !== null && action !== undefined && action !== 'ReceiveMessage') throw onlyReceive();
    for (const [k, v] of form) if (!params.has(k)) params.set(k, v);
  }
  return params;
}

/** LocalStack's reading of ShowInvisible and ShowDelayed: "true" or "1", in any case; anything else is false. */
function flag(value: string | undefined): boolean {
  return value !== undefined && ['true', '1'].includes(value.toLowerCase());
}

function queueFromUrl(url: string | undefined): QueueRef {
  // LocalStack answers a missing QueueUrl with QueueDoesNotExist, and a URL it cannot take apart
  // (fewer than two path segments, e.g. http://localhost:4566/nonsense) with InvalidAddress (404).
  if (url === undefined || url.trim() === '') throw queueDoesNotExist();
  const path =
    url
      .trim()
      .replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '')
      .split(/[?#]/, 1)[0] ?? '';
  if (path.split('/').filter((s) => s !== '').length < 2) {
    throw new SqsError('InvalidAddress', `The address ${url} is not valid for this endpoint.`);
  }
  return parseAnyQueueUrl(url);
}

/** The path form names region, account and queue; another region or account has no such queue. */
function queueFromPath(params: Record<string, string>, config: Config): QueueRef {
  const { region = '', account = '', queue = '' } = params;
  if (region !== config.region) throw queueDoesNotExist();
  return parseAnyQueueUrl(`/${encodeURIComponent(account)}/${encodeURIComponent(queue)}`);
}

/** LocalStack's order: in flight, then the messages of held FIFO groups, then available, then delayed. */
const RANK = (m: PeekedMessage): number =>
  m.state === 'inflight' ? 0 : m.state === 'delayed' ? 3 : m.groupLocked ? 1 : 2;

function bySendOrder(a: PeekedMessage, b: PeekedMessage): number {
  const rank = RANK(a) - RANK(b);
  if (rank !== 0) return rank;
  const sa = a.sequenceNumber;
  const sb = b.sequenceNumber;
  return sa.length - sb.length || (sa < sb ? -1 : sa > sb ? 1 : 0);
}

function toWire(q: QueueRef, m: PeekedMessage, showInvisible: boolean, showDelayed: boolean): Message {
  const out = buildReceivedMessage(q, { ...m, token: '' }, ALL_SYSTEM_ATTRIBUTES, ['All']);
  out.ReceiptHandle = PEEK_RECEIPT_HANDLE;
  // LocalStack's own attributes, present only when their flag asked for such messages. IsVisible
  // is the message's own visibility (a message of a held FIFO group is "true"), as in LocalStack.
  const extra = (out.Attributes ?? {}) as Record<string, string>;
  if (showInvisible) extra.IsVisible = String(m.state !== 'inflight');
  if (showDelayed) extra.IsDelayed = String(m.state === 'delayed');
  out.Attributes = extra;
  return out;
}

function send(res: ServerResponse, requestId: string, out: WireResponse, truncated = false): void {
  res.writeHead(out.status, {
    'Content-Type': out.contentType,
    'Content-Length': Buffer.byteLength(out.body),
    'x-amzn-RequestId': requestId,
    ...(truncated ? { 'x-redsqs-truncated': 'true' } : {}),
    ...out.headers,
  });
  res.end(out.body);
}

export function peekRouter(deps: PeekDeps): express.Router {
  const { store, config, now } = deps;
  const router = express.Router();

  async function peek(req: express.Request, res: express.Response): Promise<void> {
    const requestId = randomUUID();
    const mode = modeOf(req);
    try {
      if (deps.isDown?.()) throw redisUnavailable();
      const params = await paramsOf(req, mode);
      const q =
        req.params.queue !== undefined
          ? queueFromPath(req.params as Record<string, string>, config)
          : queueFromUrl(params.get('QueueUrl'));
      const showInvisible = flag(params.get('ShowInvisible'));
      const showDelayed = flag(params.get('ShowDelayed'));
      const result = await store.peekMessages(q, { now: now(), inflight: showInvisible, delayed: showDelayed });
      if (!result) throw queueDoesNotExist();
      const messages = result.messages
        .filter((m) => showInvisible || !m.groupLocked)
        .sort(bySendOrder)
        .map((m) => toWire(q, m, showInvisible, showDelayed));
      send(res, requestId, renderMessages(mode, messages, requestId), result.more);
    } catch (err) {
      let error: SqsError;
      if (err instanceof SqsError) error = err;
      else if (isRedisUnavailable(err)) error = redisUnavailable();
      else {
        deps.log?.error(`peek ${requestId} failed`, err);
        error = new SqsError('InternalFailure', 'The request processing has failed because of an unknown error.');
      }
      send(res, requestId, renderError(mode, error, requestId));
    }
  }

  for (const path of ['/_aws/sqs/messages', '/_aws/sqs/messages/:region/:account/:queue']) {
    router.get(path, peek);
    router.post(path, peek);
  }
  return router;
}
