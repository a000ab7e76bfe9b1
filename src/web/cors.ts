/**
 * CORS for the origins allowed in REDSQS_ALLOWED_ORIGINS (browser-guard.ts decides which): so that
 * a page on such an origin can use the AWS SDK against redsqs and read its answers. Other origins
 * get no CORS header at all.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Response headers a page's script may read besides the CORS-safelisted ones: the request id
 * (the SDK's $metadata.requestId), the query-compatible error code the JSON-protocol SDK reads
 * for SQS errors (x-amzn-query-error, "awsQueryCompatible" in the Smithy protocol tests) and the
 * Date the SDK corrects its clock skew with.
 */
const EXPOSED = 'x-amzn-RequestId, x-amzn-query-error, Date';
/** The methods of the SQS API (GET, POST) and of the developer routes (DELETE one message). */
const METHODS = 'GET, POST, DELETE';
/** How long a browser may cache a preflight's answer (seconds). */
const PREFLIGHT_MAX_AGE = '600';
/** A header list as Access-Control-Request-Headers carries it: tokens and commas. */
const HEADER_LIST = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(\s*,\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+)*$/;

/** A request header's single value; undefined when absent or repeated. */
export const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
};

/** CORS for an allowed origin: the headers every answer carries. */
export function allowOrigin(res: ServerResponse, origin: string): void {
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Expose-Headers', EXPOSED);
  res.setHeader('Vary', 'Origin');
}

/**
 * A preflight from an allowed origin: the methods, and the headers it asks for (the SDK's set
 * changes between versions: X-Amz-Target, X-Amz-Date, Authorization, amz-sdk-*, x-amzn-query-mode).
 * Access-Control-Allow-Private-Network answers Chrome's Private Network Access preflight
 * (Access-Control-Request-Private-Network: true) for a public page calling a loopback service.
 */
export function answerPreflight(req: IncomingMessage, res: ServerResponse, origin: string): void {
  allowOrigin(res, origin);
  res.setHeader('Vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
  res.setHeader('Access-Control-Allow-Methods', METHODS);
  const asked = header(req, 'access-control-request-headers');
  if (asked !== undefined && HEADER_LIST.test(asked.trim())) res.setHeader('Access-Control-Allow-Headers', asked);
  if (header(req, 'access-control-request-private-network') === 'true') {
    res.setHeader('Access-Control-Allow-Private-Network', 'true');
  }
  res.setHeader('Access-Control-Max-Age', PREFLIGHT_MAX_AGE);
  res.writeHead(204, { 'Content-Length': '0' });
  res.end();
}
