/**
 * The routes tests steer redsqs with, from any language (JSON in and out):
 *   GET  /_redsqs/clock   -> {"now", "frozen", "offsetMs"}
 *   POST /_redsqs/clock   {"advanceMs": N} | {"setMs": T} | {"freeze": true|false} -> the same
 *   POST /_redsqs/reset   {} or {"account": "123456789012"} -> {"deletedQueues": N}
 * Errors have the AWS JSON error shape of the SQS path (400 InvalidParameterValue).
 */
import express from 'express';
import { invalidParameter, redisUnavailable, SqsError } from '../errors.js';
import { BodyTooLarge, ClientAborted } from '../protocol/body.js';
import { encodeJsonError } from '../protocol/encode.js';
import { type ClockChange, ClockChangeError, type ClockControl } from '../store/clock-control.js';
import { isRedisUnavailable } from '../store/unavailable.js';
import { requestBody } from '../web/dev-auth.js';

export interface DevRouteDeps {
  clock: ClockControl;
  /** Redis is known to be down: answer 503 at once. */
  isDown(): boolean;
  /** Deletes every queue (of one account); returns how many. */
  reset(account?: string): Promise<number>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function clockChange(body: unknown): ClockChange {
  if (!isObject(body)) {
    throw invalidParameter('The body must be a JSON object: {"advanceMs": N}, {"setMs": T} or {"freeze": true|false}.');
  }
  const keys = Object.keys(body);
  if (keys.length !== 1) {
    throw invalidParameter(
      `Give exactly one of advanceMs, setMs and freeze; got ${keys.length === 0 ? 'none' : keys.join(', ')}.`,
    );
  }
  const [key] = keys as [string];
  const value = body[key];
  if (key === 'advanceMs' || key === 'setMs') {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw invalidParameter(`${key} must be a whole number of milliseconds, 0 or more; got ${JSON.stringify(value)}.`);
    }
    return key === 'advanceMs' ? { advanceMs: value } : { setMs: value };
  }
  if (key === 'freeze') {
    if (typeof value !== 'boolean')
      throw invalidParameter(`freeze must be true or false; got ${JSON.stringify(value)}.`);
    return { freeze: value };
  }
  throw invalidParameter(`Unknown field ${key}: give advanceMs, setMs or freeze.`);
}

function resetAccount(body: unknown): string | undefined {
  if (body === undefined || (isObject(body) && Object.keys(body).length === 0)) return undefined;
  if (!isObject(body) || Object.keys(body).some((k) => k !== 'account')) {
    throw invalidParameter('The body must be empty, {} or {"account": "<12 digits>"}.');
  }
  const account = body.account;
  if (typeof account !== 'string' || !/^\d{12}$/.test(account)) {
    throw invalidParameter(`account must be a 12-digit account id; got ${JSON.stringify(account)}.`);
  }
  return account;
}

function sendError(res: express.Response, err: SqsError): void {
  const out = encodeJsonError(err);
  res.status(out.status).set(out.headers).type('application/json').send(out.body);
}

/** Runs a route, rendering bad input as a 400 in the SQS JSON error shape. */
const handle =
  (deps: DevRouteDeps, fn: (req: express.Request) => Promise<unknown>): express.RequestHandler =>
  (req, res, next) => {
    (deps.isDown() ? Promise.reject(redisUnavailable()) : fn(req)).then(
      (body) => res.json(body),
      (err: unknown) => {
        if (err instanceof SqsError) sendError(res, err);
        else if (err instanceof ClockChangeError) sendError(res, invalidParameter(err.message));
        else if (isRedisUnavailable(err)) sendError(res, redisUnavailable());
        else next(err);
      },
    );
  };

/** The largest JSON body the clock and reset routes take. */
const MAX_JSON_BYTES = 16 * 1024;

/**
 * The body as JSON, whatever its content type (`curl -d` sends a form type); empty is `{}`. Read
 * through requestBody: a signed request's body was read already to check its signature.
 */
const jsonBody: express.RequestHandler = (req, res, next) => {
  requestBody(req, MAX_JSON_BYTES).then(
    (text) => {
      try {
        req.body = text.trim() === '' ? {} : JSON.parse(text);
      } catch (err) {
        sendError(res, invalidParameter(`The body is not valid JSON: ${(err as Error).message}`));
        return;
      }
      next();
    },
    (err: unknown) => {
      if (err instanceof BodyTooLarge) {
        sendError(res, new SqsError('RequestEntityTooLarge', `The body is larger than ${MAX_JSON_BYTES} bytes.`));
      } else if (!(err instanceof ClientAborted)) next(err); // nobody left to answer otherwise
    },
  );
};

export function devRouter(deps: DevRouteDeps): express.Router {
  const router = express.Router();
  router.get(
    '/_redsqs/clock',
    handle(deps, async () => deps.clock.view()),
  );
  router.post(
    '/_redsqs/clock',
    jsonBody,
    handle(deps, async (req) => deps.clock.change(clockChange(req.body))),
  );
  router.post(
    '/_redsqs/reset',
    jsonBody,
    handle(deps, async (req) => ({ deletedQueues: await deps.reset(resetAccount(req.body)) })),
  );
  return router;
}
