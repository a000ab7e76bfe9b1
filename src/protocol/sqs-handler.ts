/**
 * The SQS wire path on plain node:http: read the body, detect the protocol and action, decode,
 * run the action, encode. Errors of both protocols are rendered by encode.ts from errors.ts.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ActionName, Dispatch, WireProtocol } from '../actions/dispatch.js';
import { unsignedAccount } from '../auth/caller.js';
import { verifyRequest } from '../auth/sigv4.js';
import type { Config } from '../config.js';
import { missingParameter, SqsError } from '../errors.js';
import type { LogFields, Logger } from '../log.js';
import { QUEUE_NAME_LIKE } from '../sqs/queue-names.js';
import { BodyTooLarge, ClientAborted, readBody } from './body.js';
import { decodeJsonInput, decodeQueryInput } from './decode.js';
import { encodeJsonError, encodeJsonOutput, encodeXmlError, encodeXmlOutput, type WireResponse } from './encode.js';
import { isActionName, OPERATIONS } from './model.js';

/** A 1 MiB message percent-encoded in a form body can triple in size; allow that and a margin. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024 + 64 * 1024;

const QUEUE_PATH = new RegExp(`^/\\d{12}/${QUEUE_NAME_LIKE}/?$`);

export interface SqsDeps {
  /** Runs the actions (actions/dispatch.ts): the protocol layer's one door to them. */
  dispatch: Dispatch;
  config: Config;
  log: Logger;
  /** The service's clock (milliseconds): signature dates are checked against it. */
  now(): number;
  /** Every request runs as this account, unchecked (the dashboard's route, behind its own guard). */
  account?: string;
}

/** True for requests that belong to the SQS API rather than to the service's own routes. */
export function isSqsRequest(req: IncomingMessage): boolean {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  // The developer endpoints take SQS-looking parameters (Action=...) but are not the SQS API.
  if (path.startsWith('/_aws/') || path.startsWith('/_redsqs/')) return false;
  if (req.method === 'POST') return path === '/' || QUEUE_PATH.test(path);
  // A queue URL is an SQS endpoint of its own: even without an action it answers as SQS does.
  if (req.method === 'GET') return QUEUE_PATH.test(path) || (q >= 0 && /(^|&)Action=/.test(url.slice(q + 1)));
  return false;
}

/**
 * A request to a queue URL that names no action. Real SQS answers 404 with the bare body
 * `<UnknownOperationException/>` (not an ErrorResponse), whatever the method.
 */
class NoActionOnQueueUrl extends Error {}

/** The actions SQS refuses on a queue URL (recorded against SQS). */
const ENDPOINT_ONLY = new Set(['CreateQueue', 'ListQueues']);

const NO_ACTION_ON_QUEUE_URL: WireResponse = {
  status: 404,
  contentType: 'text/xml',
  body: '<UnknownOperationException/>',
};

/** Only a receive can wait long enough for its caller to leave; other actions share one signal. */
const NEVER = new AbortController().signal;

function goneSignal(res: ServerResponse): AbortSignal {
  const gone = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) gone.abort();
  });
  return gone.signal;
}

/**
 * The Date header, from the service's clock rather than the machine's: the AWS SDKs correct their
 * signing clock from it (and retry a request refused for its date), so signed clients keep working
 * after the clock routes move time. Written once a second, as Node's own Date header is.
 */
function httpDate(now: () => number): () => string {
  let second = Number.NaN;
  let text = '';
  return () => {
    const ms = now();
    const s = Math.floor(ms / 1000);
    if (s !== second) {
      second = s;
      text = new Date(ms).toUTCString();
    }
    return text;
  };
}

function send(res: ServerResponse, requestId: string, date: string, out: WireResponse, close = false): void {
  res.writeHead(out.status, {
    'Content-Type': out.contentType,
    'Content-Length': Buffer.byteLength(out.body),
    'x-amzn-RequestId': requestId,
    Date: date,
    ...(close ? { Connection: 'close' } : {}),
    ...out.headers,
  });
  res.end(out.body);
}

function baseUrlOf(req: IncomingMessage, config: Config): string {
  if (config.baseUrl) return config.baseUrl;
  const proto = req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
  return `${proto}://${req.headers.host ?? `localhost:${config.port}`}`;
}

function traceHeaderOf(req: IncomingMessage): string | undefined {
  const value = req.headers['x-amzn-trace-id'];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

interface Decoded {
  action: ActionName;
  input: object;
}

function decodeJson(target: string, body: string): Decoded {
  const action = target.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : '';
  if (!isActionName(action)) {
    throw new SqsError('UnknownOperationException', `The operation ${target} is not supported by this service.`);
  }
  let parsed: unknown;
  try {
    parsed = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    throw new SqsError('SerializationException', 'The request body is not valid JSON.');
  }
  return { action, input: decodeJsonInput(OPERATIONS[action].input, parsed) };
}

function decodeQuery(req: IncomingMessage, body: string): Decoded {
  // Split the request target by hand: `new URL` throws on targets such as `//?Action=...`.
  const target = (req.url ?? '/').split('#', 1)[0] as string;
  const q = target.indexOf('?');
  const pathname = q < 0 ? target : target.slice(0, q);
  const params = new Map<string, string>(new URLSearchParams(q < 0 ? '' : target.slice(q + 1)));
  const type = String(req.headers['content-type'] ?? '');
  if (req.method === 'POST' && body.length > 0) {
    if (type !== '' && !type.startsWith('application/x-www-form-urlencoded')) {
      throw new SqsError(
        'SerializationException',
        `Unsupported content type ${type}: send AWS JSON 1.0 with an X-Amz-Target header, or a form-encoded query request.`,
      );
    }
    for (const [k, v] of new URLSearchParams(body)) params.set(k, v);
  }
  const onQueueUrl = QUEUE_PATH.test(pathname);
  const action = params.get('Action');
  if (!action) {
    if (onQueueUrl) throw new NoActionOnQueueUrl();
    throw missingParameter('Action');
  }
  // SQS: CreateQueue and ListQueues are InvalidAction (400) when sent to a queue URL (GetQueueUrl
  // works there, for any queue name).
  if (!isActionName(action) || (onQueueUrl && ENDPOINT_ONLY.has(action))) {
    throw new SqsError('UnknownOperationException', `The action ${action} is not valid for this endpoint.`);
  }
  if (!params.has('QueueUrl') && onQueueUrl) params.set('QueueUrl', pathname.replace(/\/$/, ''));
  return { action, input: decodeQueryInput(OPERATIONS[action].input, params) };
}

/** The queue a request names (QueueName, or the last segment of QueueUrl), for its log entry. */
function queueOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const { QueueName, QueueUrl } = input as { QueueName?: unknown; QueueUrl?: unknown };
  if (typeof QueueName === 'string') return QueueName;
  if (typeof QueueUrl !== 'string') return undefined;
  const url = QueueUrl.replace(/\/+$/, '');
  return url.slice(url.lastIndexOf('/') + 1) || undefined;
}

/** One request's log entry: built only when it will be written (debug, or a 5xx at warn). */
function requestFields(
  action: string,
  input: unknown,
  protocol: WireProtocol,
  status: number,
  started: number,
  requestId: string,
  error?: SqsError,
): LogFields {
  // queryCode: what query clients (and AWS CLI / SDKs reading x-amzn-query-error) show, when it differs.
  const queryCode = error && error.spec.queryCode !== error.code ? { queryCode: error.spec.queryCode } : {};
  return {
    action: action || undefined,
    queue: queueOf(input),
    protocol,
    status,
    ...(error ? { code: error.code, ...queryCode } : {}),
    durationMs: Math.round((performance.now() - started) * 10) / 10,
    requestId,
  };
}

/**
 * The caller's account: with credentials configured, that of the key whose signature checks out
 * (any other request is refused with AWS's error); without, the unsigned convention (caller.ts).
 */
async function callerAccount(req: IncomingMessage, body: string, deps: SqsDeps): Promise<string> {
  if (deps.account !== undefined) return deps.account;
  const { credentials, region, accountId } = deps.config;
  if (credentials.length === 0) return unsignedAccount(req, accountId);
  const signed = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body };
  // Date.now(): the machine's time, besides the service's (which tests move); see VerifyOptions.
  return (await verifyRequest(signed, credentials, deps.now(), { region, machineNow: Date.now() })).accountId;
}

export function createSqsHandler(deps: SqsDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { log } = deps;
  const date = httpDate(deps.now);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const started = performance.now();
    const target = req.headers['x-amz-target'];
    const protocol: WireProtocol = typeof target === 'string' ? 'json' : 'query';
    let action = '';
    let input: unknown;
    try {
      const body = await readBody(req, MAX_BODY_BYTES);
      const account = await callerAccount(req, body, deps);
      const decoded = protocol === 'json' ? decodeJson(target as string, body) : decodeQuery(req, body);
      action = decoded.action;
      input = decoded.input;
      const output = await deps.dispatch(decoded.action, decoded.input, {
        protocol,
        baseUrl: baseUrlOf(req, deps.config),
        signal: decoded.action === 'ReceiveMessage' ? goneSignal(res) : NEVER,
        traceHeader: traceHeaderOf(req),
        account,
      });
      const shape = OPERATIONS[decoded.action].output;
      send(
        res,
        requestId,
        date(),
        protocol === 'json'
          ? encodeJsonOutput(shape, output)
          : encodeXmlOutput(decoded.action, shape, output, requestId),
      );
      if (log.debugEnabled) {
        log.debug(`${action} ${protocol} 200`, requestFields(action, input, protocol, 200, started, requestId));
      }
    } catch (err) {
      if (err instanceof ClientAborted) {
        log.debug(`request ${requestId}: the client went away before sending the whole body`);
        return;
      }
      if (err instanceof NoActionOnQueueUrl) {
        send(res, requestId, date(), NO_ACTION_ON_QUEUE_URL);
        return;
      }
      let error: SqsError;
      let close = false;
      if (err instanceof SqsError) error = err;
      else if (err instanceof BodyTooLarge) {
        error = new SqsError('RequestEntityTooLarge', `Request body is larger than ${MAX_BODY_BYTES} bytes.`);
        close = true;
      } else {
        log.error(`${action || 'request'} ${requestId} failed`, err);
        error = new SqsError('InternalFailure', 'The request processing has failed because of an unknown error.');
      }
      const status = error.spec.status;
      if (status >= 500) {
        log.warn(
          `${action} ${requestId}: ${error.code} ${error.message}`,
          requestFields(action, input, protocol, status, started, requestId, error),
        );
      } else if (log.debugEnabled) {
        log.debug(
          `${action || '?'} ${protocol} ${status}: ${error.code} ${error.message}`,
          requestFields(action, input, protocol, status, started, requestId, error),
        );
      }
      if (!res.headersSent) {
        const out = protocol === 'json' ? encodeJsonError(error) : encodeXmlError(error, requestId);
        send(res, requestId, date(), out, close);
      }
    }
  }

  return (req, res) => {
    void handle(req, res);
  };
}
