/**
 * AWS Signature Version 4 verification, for requests when credentials are configured: the
 * Authorization header form and the presigned query-string form. The signature is recomputed with
 * @smithy/signature-v4 (the signer the AWS SDK for JavaScript itself uses) over exactly what the
 * client says it signed, and compared in constant time; the checks around it follow the order and
 * the wording of AWS's answers, and never echo a signature or a secret.
 *
 * AWS facts used here, and where they come from:
 * - Codes and statuses: the SQS API reference, "Common Errors" (IncompleteSignature 400,
 *   InvalidClientTokenId 403, MissingAuthenticationToken 403, RequestExpired 400). SQS answers a bad
 *   signature with SignatureDoesNotMatch, 403 (recorded in erlcloud/erlcloud#113, boto/boto#1573).
 * - A header signature more than 15 minutes off the server's time: SQS answers SignatureDoesNotMatch
 *   "Signature expired: <date> is now earlier than <limit> (<now> - 15 min.)" (recorded against SQS
 *   in celery/kombu#1937 and aws/aws-sdk-php#642); a date in the future: "Signature not yet current:
 *   <date> is still later than <limit> (<now> + 15 min.)" (the same service family, recorded in
 *   serverless/enterprise#11). A presigned URL past X-Amz-Date + X-Amz-Expires is RequestExpired,
 *   which the "Common Errors" page gives for pre-signed URLs.
 * - The other messages and the order of the checks: AWS's answers recorded by dynalite
 *   (mhart/dynalite, index.js) from the same front end (com.amazon.coral.service), e.g. "Request is
 *   missing Authentication Token", "Credential should be scoped to correct service: 'sqs'. ", "The
 *   security token included in the request is invalid.". AWS appends "Authorization=<header>" to an
 *   IncompleteSignature message and the canonical request to a SignatureDoesNotMatch one: both are
 *   left out here, so that no error message (and so no log line) holds a signature.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest, SourceData } from '@smithy/types';
import type { Credential } from '../credentials.js';
import { SqsError } from '../errors.js';
import {
  amzStamp,
  type Claim,
  claimOf,
  dateOf,
  incomplete,
  signatureDoesNotMatch,
  splitTarget,
} from './sigv4-claim.js';

export interface SignedRequest {
  method: string;
  /** The raw request target, path and query, as it arrived. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface VerifyOptions {
  /** The region a credential scope must name (AWS: the endpoint's region); absent: any region. */
  region?: string;
  /**
   * The machine's time (ms), when the service's clock may have been moved away from it: a date
   * good by either clock is accepted (refusals name the service's clock). Clients that sign with
   * the machine's time and never correct it from the Date header (boto3, the AWS CLI, older SDKs)
   * keep working after a test moves the clock; those that do correct it (the JavaScript SDK v3),
   * too.
   */
  machineNow?: number;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const SERVICE = 'sqs';
const TERMINATOR = 'aws4_request';
/** AWS accepts a signature dated up to 15 minutes from its own time, either way. */
const MAX_SKEW_MS = 15 * 60_000;
/** SigV4 presigned URLs live at most a week (the signing key is valid that long). */
const MAX_EXPIRES_SECONDS = 604_800;
const SHA256_HEADER = 'x-amz-content-sha256';

const BAD_TOKEN = 'The security token included in the request is invalid.';

/** node:crypto in the shape @smithy/signature-v4 hashes with (a hash, or an HMAC given a key). */
class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest());
  }
}

function bytes(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/**
 * The credential whose secret signed the request; an SqsError with AWS's code otherwise. `now` is
 * the service's clock (ms), which tests move: signature dates are checked against it.
 */
export async function verifyRequest(
  request: SignedRequest,
  credentials: readonly Credential[],
  now: number,
  options: VerifyOptions = {},
): Promise<Credential> {
  const { path, query } = splitTarget(request.url);
  const claim = claimOf(request.headers, query);
  const signedAt = dateOf(claim.amzDate);
  checkEitherTime(claim, signedAt, now, options.machineNow);
  if (!claim.signedHeaders.includes('host')) {
    throw signatureDoesNotMatch("'Host' must be a 'SignedHeader' in the AWS Authorization.");
  }
  if (claim.algorithm !== ALGORITHM) {
    throw incomplete(`Unsupported AWS 'algorithm': '${claim.algorithm}' (only ${ALGORITHM} for now).`);
  }
  const [keyId, region, service] = scopeOf(claim, options);
  const credential = credentials.find((c) => c.accessKeyId === keyId);
  if (!credential) throw new SqsError('UnrecognizedClientException', BAD_TOKEN);
  checkPayloadHash(request);
  const headers = signedHeaderValues(request.headers, claim.signedHeaders);
  if (!headers) throw signatureDoesNotMatch();
  const expected = await computeSignature(credential, {
    request: { method: request.method, path, query, headers, body: request.body },
    signedAt,
    signedHeaders: claim.signedHeaders,
    region,
    service,
  });
  if (!signaturesMatch(claim.signature, expected)) throw signatureDoesNotMatch();
  // A configured key is a long-term key: it has no session token, so any token is not one of ours.
  if (request.headers['x-amz-security-token'] !== undefined || query['X-Amz-Security-Token'] !== undefined) {
    throw new SqsError('UnrecognizedClientException', BAD_TOKEN);
  }
  return credential;
}

/**
 * Equal secrets (a signature, a bearer token), compared in time that depends neither on where they
 * differ nor on their lengths: their SHA-256 digests, of one length, go to timingSafeEqual.
 */
export function signaturesMatch(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** Good by the service's clock or, when given, by the machine's; otherwise the service clock's refusal. */
function checkEitherTime(claim: Claim, signedAt: number, now: number, machineNow: number | undefined): void {
  try {
    checkTime(claim, signedAt, now);
  } catch (err) {
    if (machineNow === undefined || machineNow === now) throw err;
    try {
      checkTime(claim, signedAt, machineNow);
    } catch {
      throw err;
    }
  }
}

/** Too old or too far ahead of the service's clock. */
function checkTime(claim: Claim, signedAt: number, now: number): void {
  if (signedAt > now + MAX_SKEW_MS) {
    throw signatureDoesNotMatch(
      `Signature not yet current: ${claim.amzDate} is still later than ${amzStamp(now + MAX_SKEW_MS)} (${amzStamp(now)} + 15 min.)`,
    );
  }
  if (!claim.presigned) {
    if (signedAt < now - MAX_SKEW_MS) {
      throw signatureDoesNotMatch(
        `Signature expired: ${claim.amzDate} is now earlier than ${amzStamp(now - MAX_SKEW_MS)} (${amzStamp(now)} - 15 min.)`,
      );
    }
    return;
  }
  const seconds = claim.expires === undefined ? MAX_SKEW_MS / 1000 : Number(claim.expires);
  if (!/^\d+$/.test(claim.expires ?? '900') || seconds < 1 || seconds > MAX_EXPIRES_SECONDS) {
    throw incomplete(`X-Amz-Expires must be a whole number of seconds from 1 to ${MAX_EXPIRES_SECONDS} (one week).`);
  }
  if (now > signedAt + seconds * 1000) {
    throw new SqsError(
      'RequestExpired',
      `Request has expired. X-Amz-Date ${claim.amzDate} + X-Amz-Expires ${seconds} s ended at ${amzStamp(signedAt + seconds * 1000)}; the service's time is ${amzStamp(now)}.`,
    );
  }
}

/** The credential's key id, region and service, once its scope is checked. */
function scopeOf(claim: Claim, options: VerifyOptions): [string, string, string] {
  const parts = claim.credential.split('/');
  if (parts.length !== 5) {
    throw incomplete(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${claim.credential}'`,
    );
  }
  const [keyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  let wrong = '';
  if (region === '' || (options.region !== undefined && region !== options.region)) {
    wrong += `Credential should be scoped to a valid region, not '${region}'. `;
  }
  if (service !== SERVICE) wrong += `Credential should be scoped to correct service: '${SERVICE}'. `;
  if (terminator !== TERMINATOR) {
    wrong += `Credential should be scoped with a valid terminator: '${TERMINATOR}', not '${terminator}'. `;
  }
  if (date !== claim.amzDate.slice(0, 8)) {
    wrong += `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${claim.amzDate.slice(0, 8)}', from '${claim.amzDate}'.`;
  }
  if (wrong) throw signatureDoesNotMatch(wrong.trim());
  return [keyId, region, service];
}

/**
 * The signer takes a declared x-amz-content-sha256 as the body's hash: it must be the real one.
 * Chunked (STREAMING-...) and UNSIGNED-PAYLOAD bodies, which the SQS SDKs never send, are refused.
 */
function checkPayloadHash(request: SignedRequest): void {
  const declared = request.headers[SHA256_HEADER];
  if (declared === undefined) return;
  if (typeof declared === 'string' && (declared.startsWith('STREAMING-') || declared === 'UNSIGNED-PAYLOAD')) {
    throw incomplete(
      `redsqs does not accept ${SHA256_HEADER}: ${declared}: sign the whole request body, as the SQS SDKs do.`,
    );
  }
  const actual = createHash('sha256').update(request.body, 'utf8').digest('hex');
  if (declared !== actual) throw signatureDoesNotMatch();
}

/** Exactly the signed headers, as they arrived; undefined when one of them is missing. */
function signedHeaderValues(headers: IncomingHttpHeaders, names: string[]): Record<string, string> | undefined {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const name of names) {
    const lower = name.toLowerCase();
    // Own properties only: a name such as `constructor` is no header of the request.
    const value = Object.hasOwn(headers, lower) ? headers[lower] : undefined;
    if (value === undefined) return undefined;
    out[lower] = Array.isArray(value) ? value.join(',') : value;
  }
  return out;
}

interface Recompute {
  request: Pick<HttpRequest, 'method' | 'path' | 'query' | 'headers' | 'body'>;
  signedAt: number;
  signedHeaders: string[];
  region: string;
  service: string;
}

/**
 * The signature the credential's secret gives this request. The signer's header form covers both
 * forms: a presigned request's X-Amz-* parameters are in the canonical query (the signer leaves
 * out X-Amz-Signature), and X-Amz-Date counts as a signed header only where the client signed it.
 */
async function computeSignature(credential: Credential, r: Recompute): Promise<string> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: credential.accessKeyId, secretAccessKey: credential.secretAccessKey },
    region: r.region,
    service: r.service,
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = new Set(r.signedHeaders.map((h) => h.toLowerCase()));
  const out = await signer.sign(
    { protocol: 'http:', hostname: '', ...r.request },
    {
      signingDate: new Date(r.signedAt),
      signableHeaders: signed,
      ...(signed.has('x-amz-date') ? {} : { unsignableHeaders: new Set(['x-amz-date']) }),
    },
  );
  const auth = String(out.headers.authorization ?? '');
  return /Signature=([0-9a-f]+)/.exec(auth)?.[1] ?? '';
}
