/**
 * The routes around the SQS API (dashboard data, /metrics, /_redsqs/*, /_aws/*) when credentials
 * are configured: they read every account's messages, reset, move the clock, so they need a
 * credential too. Two ways in:
 *   Authorization: Bearer <REDSQS_DEV_TOKEN>   (Prometheus, curl, the dashboard)
 *   a request signed with AWS Signature Version 4 by a configured key (service `sqs`)
 * /health stays open (load balancers and orchestrators probe it without credentials), and so do
 * the dashboard's static files: a browser cannot add a header to the navigation that opens the
 * page, and the files hold no data; what the page shows comes from the routes guarded here.
 * A token is never taken from the query string, where access logs and browser history keep it.
 * Without credentials nothing is checked here (web/browser-guard.ts keeps other web pages out).
 */
import type { IncomingMessage } from 'node:http';
import type express from 'express';
import { type SignedRequest, signaturesMatch } from '../auth/sigv4.js';
import type { Credential } from '../credentials.js';
import { SqsError } from '../errors.js';
import { BodyTooLarge, ClientAborted, readBody } from '../protocol/body.js';

/** auth/sigv4.ts's verifyRequest: the matching credential, or an SqsError saying what is wrong. */
export type VerifySigned = (
  request: SignedRequest,
  credentials: readonly Credential[],
  now: number,
) => Promise<Credential>;

export interface DevAuthOptions {
  credentials: readonly Credential[];
  /**
   * The instance's account (REDSQS_ACCOUNT_ID): only its keys' signatures get in. These routes
   * reach every account's queues (peek, delete, reset) and the clock all share, so a key of
   * another account, which the SQS API confines to its own queues, is refused here.
   */
  account: string;
  /** Hears of each refusal (the reason, never the token or a signature), for the log. */
  refused?: (reason: string) => void;
  /** REDSQS_DEV_TOKEN; without it only signed requests get in. */
  devToken?: string;
  /** The service's clock (milliseconds): signature dates are checked against it. */
  now(): number;
  /** Checks a signed request; without it signed requests are refused with a clear message. */
  verify?: VerifySigned;
}

/** The largest body a signed request to these routes may carry (their bodies are small JSON or forms). */
export const MAX_SIGNED_BODY_BYTES = 64 * 1024;

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
const PRESIGNED = /[?&]X-Amz-Signature=/;

/** Bodies read to check a signature, for the route that reads the body next. */
const bodies = new WeakMap<IncomingMessage, string>();

/**
 * The request body, read once: the signature check may have read it already. The developer
 * routes read their bodies through this rather than from the stream.
 */
export async function requestBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const read = bodies.get(req);
  if (read === undefined) return readBody(req, maxBytes);
  if (Buffer.byteLength(read) > maxBytes) throw new BodyTooLarge();
  return read;
}

function howTo(devToken: string | undefined): string {
  const bearer = devToken
    ? 'send the header "Authorization: Bearer <REDSQS_DEV_TOKEN>"'
    : 'set REDSQS_DEV_TOKEN and send "Authorization: Bearer <token>"';
  return (
    `Credentials are configured (REDSQS_CREDENTIALS), so this route needs one too: ${bearer}, or sign the ` +
    'request with AWS Signature Version 4 (service "sqs") with a configured key. In a browser, open ' +
    '/dashboard#token=<REDSQS_DEV_TOKEN>.'
  );
}

function answer401(res: express.Response, message: string): void {
  res.status(401).set('WWW-Authenticate', 'Bearer realm="redsqs"').json({ error: message });
}

/** Signed with SigV4, in the Authorization header or as a presigned URL. */
export function isSigned(req: express.Request): boolean {
  const auth = req.headers.authorization;
  return (typeof auth === 'string' && auth.startsWith('AWS4-')) || PRESIGNED.test(req.originalUrl);
}

/** A key of another account than the instance's: its signature may be good, its way in is not. */
class OtherAccount extends Error {}

async function checkSignature(req: express.Request, options: DevAuthOptions, verify: VerifySigned): Promise<void> {
  const body = await readBody(req, MAX_SIGNED_BODY_BYTES);
  bodies.set(req, body);
  const key = await verify(
    { method: req.method, url: req.originalUrl, headers: req.headers, body },
    options.credentials,
    options.now(),
  );
  if (key.accountId !== options.account) {
    throw new OtherAccount(
      `The key ${key.accessKeyId} is of account ${key.accountId}; these routes reach every account's queues, so ` +
        `they take keys of the instance's account ${options.account} (REDSQS_ACCOUNT_ID) or the developer token.`,
    );
  }
}

/** Lets a request through when it carries the token or a good signature (credentials configured). */
export function devAuth(options: DevAuthOptions): express.RequestHandler {
  const { credentials, devToken, verify } = options;
  if (credentials.length === 0) return (_req, _res, next) => next();
  const refuse = (res: express.Response, message: string, req: express.Request): void => {
    options.refused?.(`${req.method} ${req.path}: ${message.split('. ')[0]}`);
    answer401(res, message);
  };
  return (req, res, next) => {
    const auth = req.headers.authorization;
    const bearer = typeof auth === 'string' ? BEARER.exec(auth)?.[1] : undefined;
    if (bearer !== undefined) {
      if (devToken !== undefined && signaturesMatch(bearer, devToken)) next();
      else if (devToken === undefined) {
        refuse(res, `No REDSQS_DEV_TOKEN is configured, so no bearer token is accepted. ${howTo(devToken)}`, req);
      } else refuse(res, `The bearer token is not the configured one. ${howTo(devToken)}`, req);
      return;
    }
    if (!isSigned(req)) {
      refuse(res, howTo(devToken), req);
      return;
    }
    if (!verify) {
      refuse(res, `Signed requests are not checked on this route yet. ${howTo(devToken)}`, req);
      return;
    }
    checkSignature(req, options, verify).then(
      () => next(),
      (err: unknown) => {
        if (err instanceof SqsError) refuse(res, `${err.spec.queryCode}: ${err.message} ${howTo(devToken)}`, req);
        else if (err instanceof OtherAccount) refuse(res, err.message, req);
        else if (err instanceof BodyTooLarge) {
          res.status(413).json({ error: `A signed request body is at most ${MAX_SIGNED_BODY_BYTES} bytes here.` });
        } else if (!(err instanceof ClientAborted)) next(err); // nobody left to answer otherwise
      },
    );
  };
}
