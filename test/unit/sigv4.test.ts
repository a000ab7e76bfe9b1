/**
 * SigV4 verification (src/auth/sigv4.ts) against requests signed by @smithy/signature-v4 (the AWS
 * SDK's signer, here with its own hash from @smithy/hash-node) and hand-made variants of them:
 * every error with AWS's code and wording, and the constant-time comparison.
 */
import * as crypto from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { describe, expect, it, vi } from 'vitest';
import { type SignedRequest, signaturesMatch, verifyRequest } from '../../src/auth/sigv4.js';
import { CredentialsError, credentialFor, mergeCredentials } from '../../src/credentials.js';
import { SqsError } from '../../src/errors.js';
import { PollerConfigError, parsePollerConfig } from '../../src/lambda/config.js';
import { ALICE, BOB } from '../helpers/keys.js';

vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:crypto')>();
  return { ...original, timingSafeEqual: vi.fn(original.timingSafeEqual) };
});

const KEYS = [ALICE, BOB];
const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);
const HOST = '127.0.0.1:9324';
const MISMATCH = /^The request signature we calculated does not match the signature you provided\./;

interface SignOptions {
  secret?: string;
  keyId?: string;
  sessionToken?: string;
  at?: number;
  region?: string;
  service?: string;
  /** false: no x-amz-content-sha256 header (botocore sends none to SQS). */
  applyChecksum?: boolean;
}

function signer(o: SignOptions = {}): SignatureV4 {
  return new SignatureV4({
    credentials: {
      accessKeyId: o.keyId ?? ALICE.accessKeyId,
      secretAccessKey: o.secret ?? ALICE.secretAccessKey,
      ...(o.sessionToken ? { sessionToken: o.sessionToken } : {}),
    },
    region: o.region ?? 'us-east-1',
    service: o.service ?? 'sqs',
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: o.applyChecksum ?? true,
  });
}

function jsonRequest(body = '{"QueueName":"q1"}'): HttpRequest {
  return {
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 9324,
    path: '/',
    query: {},
    headers: {
      host: HOST,
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'AmazonSQS.CreateQueue',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'test',
    },
    body,
  };
}

function formRequest(): HttpRequest {
  const body =
    'Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2F127.0.0.1%3A9324%2F111111111111%2Fq1&MessageBody=h%C3%A9llo%20w%C3%B6rld';
  return {
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    path: '/111111111111/q1',
    query: {},
    headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
  };
}

function presignable(query: Record<string, string> = {}): HttpRequest {
  return {
    method: 'GET',
    protocol: 'http:',
    hostname: '127.0.0.1',
    path: '/',
    query: {
      Action: 'SendMessage',
      QueueUrl: 'http://127.0.0.1:9324/111111111111/q1',
      MessageBody: "héllo wörld + & = ~!*'()",
      ...query,
    },
    headers: { host: HOST },
  };
}

/** Query strings as the SDKs write them (RFC 3986 escaping: a space is %20). */
const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The request as the service receives it. */
function wire(r: HttpRequest): SignedRequest {
  const pairs = Object.entries(r.query ?? {}).flatMap(([k, v]) =>
    (Array.isArray(v) ? v : [v ?? '']).map((x) => `${rfc3986(k)}=${rfc3986(x)}`),
  );
  const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    method: r.method,
    url: `${r.path}${pairs.length > 0 ? `?${pairs.join('&')}` : ''}`,
    headers,
    body: typeof r.body === 'string' ? r.body : '',
  };
}

async function signed(r: HttpRequest = jsonRequest(), o: SignOptions = {}): Promise<SignedRequest> {
  return wire(await signer(o).sign(r, { signingDate: new Date(o.at ?? T0) }));
}

async function presigned(r: HttpRequest = presignable(), o: SignOptions = {}, expiresIn = 300) {
  return wire(await signer(o).presign(r, { signingDate: new Date(o.at ?? T0), expiresIn }));
}

/** The SqsError verification throws (the test fails when it passes). */
async function refusal(r: SignedRequest, now = T0, options = {}): Promise<SqsError> {
  try {
    await verifyRequest(r, KEYS, now, options);
  } catch (err) {
    if (err instanceof SqsError) return err;
    throw err;
  }
  throw new Error('the request was accepted');
}

function withHeader(r: SignedRequest, name: string, value: string | undefined): SignedRequest {
  const headers = { ...r.headers };
  if (value === undefined) delete headers[name];
  else headers[name] = value;
  return { ...r, headers };
}

describe('SigV4 verification: accepted requests', () => {
  it('an AWS JSON request signed in the Authorization header gives its key', async () => {
    expect(await verifyRequest(await signed(), KEYS, T0)).toBe(ALICE);
    const bob = await signed(jsonRequest(), { keyId: BOB.accessKeyId, secret: BOB.secretAccessKey });
    expect((await verifyRequest(bob, KEYS, T0)).accountId).toBe('222222222222');
  });

  it('a form-encoded query request to a queue URL, with non-ASCII text', async () => {
    expect(await verifyRequest(await signed(formRequest()), KEYS, T0)).toBe(ALICE);
  });

  it('a presigned GET ?Action=SendMessage URL, its message text escaped', async () => {
    const r = await presigned();
    expect(r.url).toContain('X-Amz-Signature=');
    expect(r.headers.authorization).toBeUndefined();
    expect(await verifyRequest(r, KEYS, T0 + 299_000)).toBe(ALICE);
  });

  it('a repeated query parameter is signed as a sorted list', async () => {
    const r = jsonRequest();
    r.query = { b: ['2', '1'], a: 'x y' };
    expect(await verifyRequest(await signed(r), KEYS, T0)).toBe(ALICE);
  });

  it('a header the client did not sign may change (user-agent is never signed)', async () => {
    const r = withHeader(await signed(), 'user-agent', 'a proxy rewrote me');
    expect(await verifyRequest(r, KEYS, T0)).toBe(ALICE);
  });

  it('a date within 15 minutes either side of the service clock', async () => {
    const r = await signed();
    expect(await verifyRequest(r, KEYS, T0 + 14 * 60_000)).toBe(ALICE);
    expect(await verifyRequest(r, KEYS, T0 - 14 * 60_000)).toBe(ALICE);
  });

  it('a date good by the machine’s clock when the service clock was moved; off both, refused on the service’s', async () => {
    const r = await signed();
    const moved = T0 + 3_600_000;
    expect(await verifyRequest(r, KEYS, moved, { machineNow: T0 + 60_000 })).toBe(ALICE);
    const refused = await refusal(r, moved, { machineNow: T0 + 20 * 60_000 });
    expect(refused.message).toMatch(/^Signature expired: .* \(20260301T130000Z - 15 min\.\)$/);
    // A presigned URL: expired only when it is by both clocks.
    const p = await presigned(presignable(), {}, 60);
    expect(await verifyRequest(p, KEYS, moved, { machineNow: T0 + 30_000 })).toBe(ALICE);
    expect((await refusal(p, moved, { machineNow: T0 + 61_000 })).code).toBe('RequestExpired');
  });

  it('the region when one is required', async () => {
    const r = await signed(jsonRequest(), { region: 'eu-west-1' });
    expect(await verifyRequest(r, KEYS, T0, { region: 'eu-west-1' })).toBe(ALICE);
    expect(await verifyRequest(r, KEYS, T0)).toBe(ALICE);
  });
});

describe('SigV4 verification: refusals with AWS codes', () => {
  it('no signature at all: MissingAuthenticationToken (403)', async () => {
    const e = await refusal(wire(jsonRequest()));
    expect([e.code, e.spec.queryCode, e.spec.status]).toEqual([
      'MissingAuthenticationTokenException',
      'MissingAuthenticationToken',
      403,
    ]);
    expect(e.message).toBe('Request is missing Authentication Token');
    // A signature version 2 header is no SigV4 token either.
    const v2 = withHeader(wire(jsonRequest()), 'authorization', 'AWS AKIAALICE0000000001:c2lnbmF0dXJl');
    expect((await refusal(v2)).code).toBe('MissingAuthenticationTokenException');
  });

  it('a wrong secret: SignatureDoesNotMatch (403)', async () => {
    const e = await refusal(await signed(jsonRequest(), { secret: 'not-alices' }));
    expect([e.code, e.spec.queryCode, e.spec.status]).toEqual([
      'InvalidSignatureException',
      'SignatureDoesNotMatch',
      403,
    ]);
    expect(e.message).toMatch(MISMATCH);
  });

  it('an unknown access key: InvalidClientTokenId (403)', async () => {
    const e = await refusal(await signed(jsonRequest(), { keyId: 'AKIANOBODY000000000' }));
    expect([e.code, e.spec.queryCode, e.spec.status]).toEqual([
      'UnrecognizedClientException',
      'InvalidClientTokenId',
      403,
    ]);
    expect(e.message).toBe('The security token included in the request is invalid.');
  });

  it('a tampered body: SignatureDoesNotMatch, whether or not x-amz-content-sha256 was sent', async () => {
    const r = await signed();
    expect(r.headers['x-amz-content-sha256']).toBeDefined();
    expect((await refusal({ ...r, body: '{"QueueName":"q2"}' })).message).toMatch(MISMATCH);
    // Tampering the declared hash along with the body breaks the signature over that header.
    const rehashed = withHeader(r, 'x-amz-content-sha256', crypto.createHash('sha256').update('{}').digest('hex'));
    expect((await refusal({ ...rehashed, body: '{}' })).message).toMatch(MISMATCH);
    const form = await signed(formRequest(), { applyChecksum: false });
    expect(form.headers['x-amz-content-sha256']).toBeUndefined();
    expect(await verifyRequest(form, KEYS, T0)).toBe(ALICE);
    expect((await refusal({ ...form, body: `${form.body}&DelaySeconds=5` })).message).toMatch(MISMATCH);
  });

  it('a tampered signed header, path or query: SignatureDoesNotMatch', async () => {
    const r = await signed();
    expect((await refusal(withHeader(r, 'x-amz-target', 'AmazonSQS.DeleteQueue'))).code).toBe(
      'InvalidSignatureException',
    );
    expect((await refusal(withHeader(r, 'host', 'other:9324'))).code).toBe('InvalidSignatureException');
    expect((await refusal({ ...r, url: '/111111111111/q1' })).code).toBe('InvalidSignatureException');
    const p = await presigned();
    expect((await refusal({ ...p, url: p.url.replace('MessageBody=h', 'MessageBody=H') })).code).toBe(
      'InvalidSignatureException',
    );
    // A signed header that did not arrive.
    expect((await refusal(withHeader(r, 'x-amz-target', undefined))).code).toBe('InvalidSignatureException');
  });

  it('a query the action would read otherwise than it was signed: `+` for %2B, a bare % for %25', async () => {
    // The action reads a query as URLSearchParams does: `+` is a space, a malformed escape stays.
    const plus = await presigned(presignable({ MessageBody: 'amount=+100' }));
    expect(plus.url).toContain('amount%3D%2B100');
    expect((await refusal({ ...plus, url: plus.url.replace('%2B100', '+100') })).code).toBe(
      'InvalidSignatureException',
    );
    const percent = await presigned(presignable({ MessageBody: '%41%zz' }));
    expect(percent.url).toContain('%2541%25zz');
    expect((await refusal({ ...percent, url: percent.url.replace('%2541%25zz', '%41%zz') })).code).toBe(
      'InvalidSignatureException',
    );
  });

  it('names of Object.prototype: a signed header `constructor` is missing (a 4xx, not a crash); query names work', async () => {
    const r = await signed();
    const auth = String(r.headers.authorization).replace('SignedHeaders=', 'SignedHeaders=constructor;');
    expect((await refusal(withHeader(r, 'authorization', auth))).code).toBe('InvalidSignatureException');
    const odd = await presigned(presignable({ constructor: 'x', toString: 'y', __proto__: 'z' }));
    expect(await verifyRequest(odd, KEYS, T0)).toBe(ALICE);
  });

  it('a header signature more than 15 minutes old or ahead: SignatureDoesNotMatch with the times', async () => {
    const r = await signed();
    const old = await refusal(r, T0 + 16 * 60_000);
    expect(old.code).toBe('InvalidSignatureException');
    expect(old.message).toBe(
      'Signature expired: 20260301T120000Z is now earlier than 20260301T120100Z (20260301T121600Z - 15 min.)',
    );
    const ahead = await refusal(r, T0 - 16 * 60_000);
    expect(ahead.message).toBe(
      'Signature not yet current: 20260301T120000Z is still later than 20260301T115900Z (20260301T114400Z + 15 min.)',
    );
  });

  it('a presigned URL after X-Amz-Date + X-Amz-Expires: RequestExpired (400)', async () => {
    const r = await presigned(presignable(), {}, 60);
    expect(await verifyRequest(r, KEYS, T0 + 60_000)).toBe(ALICE);
    const e = await refusal(r, T0 + 61_000);
    expect([e.code, e.spec.queryCode, e.spec.status]).toEqual(['RequestExpired', 'RequestExpired', 400]);
    expect(e.message).toMatch(/^Request has expired\. X-Amz-Date 20260301T120000Z \+ X-Amz-Expires 60 s/);
    // A presigned date far in the future is refused as for the header form.
    expect((await refusal(r, T0 - 16 * 60_000)).message).toMatch(/^Signature not yet current/);
  });

  it('X-Amz-Expires outside 1 s .. one week: IncompleteSignature', async () => {
    const r = await presigned();
    for (const bad of ['0', '604801', 'soon']) {
      const e = await refusal({ ...r, url: r.url.replace('X-Amz-Expires=300', `X-Amz-Expires=${bad}`) });
      expect(e.code).toBe('IncompleteSignatureException');
      expect(e.message).toMatch(/X-Amz-Expires must be/);
    }
  });

  it('an incomplete Authorization header: IncompleteSignature (400), naming what is missing', async () => {
    const r = await signed();
    const auth = r.headers.authorization as string;
    const noSig = withHeader(r, 'authorization', auth.replace(/, Signature=[0-9a-f]+/, ''));
    const e = await refusal(noSig);
    expect([e.code, e.spec.queryCode, e.spec.status]).toEqual([
      'IncompleteSignatureException',
      'IncompleteSignature',
      400,
    ]);
    expect(e.message).toBe("Authorization header requires 'Signature' parameter.");
    const noDate = await refusal(withHeader(r, 'x-amz-date', undefined));
    expect(noDate.message).toMatch(/requires existence of a 'X-Amz-Date' header/);
  });

  it('an incomplete presigned query: IncompleteSignature naming the parameter', async () => {
    const r = await presigned();
    const e = await refusal({ ...r, url: r.url.replace(/&X-Amz-Signature=[0-9a-f]+/, '') });
    expect(e.message).toBe(
      "AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters.",
    );
  });

  it('both a header and a query signature: SignatureDoesNotMatch', async () => {
    const p = await presigned();
    const both = withHeader(p, 'authorization', (await signed()).headers.authorization as string);
    expect((await refusal(both)).message).toBe(
      "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
    );
  });

  it('a malformed date, algorithm or credential: IncompleteSignature', async () => {
    const r = await signed();
    const date = await refusal(withHeader(r, 'x-amz-date', '2026-03-01T12:00:00Z'));
    expect(date.message).toBe(
      "Date must be in ISO-8601 'basic format'. Got '2026-03-01T12:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601",
    );
    const auth = r.headers.authorization as string;
    const algo = await refusal(withHeader(r, 'authorization', auth.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA1')));
    expect(algo.message).toBe("Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1' (only AWS4-HMAC-SHA256 for now).");
    const cred = await refusal(withHeader(r, 'authorization', auth.replace('/us-east-1/', '/')));
    expect(cred.code).toBe('IncompleteSignatureException');
    expect(cred.message).toMatch(/^Credential must have exactly 5 slash-delimited elements/);
  });

  it('a credential scoped to another service, region, terminator or date: SignatureDoesNotMatch', async () => {
    const s3 = await refusal(await signed(jsonRequest(), { service: 's3' }));
    expect(s3.message).toBe("Credential should be scoped to correct service: 'sqs'.");
    const region = await refusal(await signed(), T0, { region: 'eu-west-1' });
    expect(region.message).toBe("Credential should be scoped to a valid region, not 'us-east-1'.");
    const r = await signed();
    const auth = r.headers.authorization as string;
    const term = await refusal(withHeader(r, 'authorization', auth.replace('aws4_request', 'aws5_request')));
    expect(term.message).toBe(
      "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'.",
    );
    const day = await refusal(withHeader(r, 'authorization', auth.replace('/20260301/', '/20260228/')));
    expect(day.message).toBe(
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260228' != '20260301', from '20260301T120000Z'.",
    );
  });

  it('a request whose host is not signed: SignatureDoesNotMatch', async () => {
    const r = await signer().sign(jsonRequest(), { signingDate: new Date(T0), unsignableHeaders: new Set(['host']) });
    expect((await refusal(wire(r))).message).toBe("'Host' must be a 'SignedHeader' in the AWS Authorization.");
  });

  it('a session token (a configured key has none): InvalidClientTokenId, in either form', async () => {
    const withToken = await signed(jsonRequest(), { sessionToken: 'FwoGZXIvYXdzEBY' });
    expect(withToken.headers['x-amz-security-token']).toBe('FwoGZXIvYXdzEBY');
    expect((await refusal(withToken)).code).toBe('UnrecognizedClientException');
    const url = await presigned(presignable(), { sessionToken: 'FwoGZXIvYXdzEBY' });
    expect(url.url).toContain('X-Amz-Security-Token=');
    expect((await refusal(url)).code).toBe('UnrecognizedClientException');
  });

  it('streaming and unsigned payloads, which SQS SDKs never send: IncompleteSignature, said plainly', async () => {
    for (const hash of ['STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'UNSIGNED-PAYLOAD']) {
      const r = jsonRequest();
      r.headers['x-amz-content-sha256'] = hash;
      const e = await refusal(await signed(r));
      expect(e.code).toBe('IncompleteSignatureException');
      expect(e.message).toContain(`x-amz-content-sha256: ${hash}`);
    }
  });

  it('no refusal message holds the signature or a secret', async () => {
    const r = await signed();
    const signature = /Signature=([0-9a-f]{64})/.exec(r.headers.authorization as string)?.[1] as string;
    const auth = r.headers.authorization as string;
    const cases = [
      await signed(jsonRequest(), { secret: 'wrong' }),
      withHeader(r, 'authorization', auth.replace('Credential=', 'Credentia=')),
      withHeader(r, 'authorization', auth.replace('/us-east-1/', '/')),
      withHeader(r, 'x-amz-date', 'yesterday'),
      { ...r, body: 'tampered' },
    ];
    for (const c of cases) {
      const e = await refusal(c, T0);
      expect(e.message).not.toContain(signature);
      expect(e.message).not.toContain(ALICE.secretAccessKey);
    }
  });
});

describe('SigV4 verification: constant-time comparison', () => {
  it('compares signatures with crypto.timingSafeEqual on equal-length buffers', async () => {
    const spy = vi.mocked(crypto.timingSafeEqual);
    spy.mockClear();
    await verifyRequest(await signed(), KEYS, T0);
    await refusal(await signed(jsonRequest(), { secret: 'wrong' }));
    expect(spy).toHaveBeenCalledTimes(2);
    for (const [a, b] of spy.mock.calls) expect((a as Buffer).length).toBe((b as Buffer).length);
  });

  it('signaturesMatch: equal only when identical, whatever the lengths', () => {
    const sig = 'a'.repeat(64);
    expect(signaturesMatch(sig, sig)).toBe(true);
    expect(signaturesMatch(`${sig}0`, sig)).toBe(false);
    expect(signaturesMatch('b'.repeat(64), sig)).toBe(false);
    expect(signaturesMatch('', sig)).toBe(false);
  });
});

describe('credentials in redsqs.config.json', () => {
  const entry = { accessKeyId: 'AKIAFILE00000000003', secretAccessKey: 'file/Secret+3', accountId: '000000000000' };
  const parse = (credentials: unknown) => parsePollerConfig({ credentials }, '/tmp');

  it('a list of {accessKeyId, secretAccessKey, accountId}', () => {
    expect(parse([entry]).credentials).toEqual([entry]);
    expect(parsePollerConfig({}, '/tmp').credentials).toBeUndefined();
  });

  it('a bad entry is refused naming it, never with its secret', () => {
    const cases: [unknown, RegExp][] = [
      [{ ...entry, accountId: '12' }, /^credentials\[0\]: the account of AKIAFILE00000000003 must be 12 digits/],
      [{ ...entry, accessKeyId: 'short' }, /^credentials\[0\]: the access key id "short" must be 16 to 128/],
      [{ ...entry, secretAccessKey: '' }, /^credentials\[0\]: the secret of AKIAFILE00000000003 is empty/],
      [{ ...entry, secretAccessKey: 3 }, /^credentials\[0\]\.secretAccessKey: is required, as a string/],
      [{ ...entry, region: 'x' }, /^credentials\[0\]\.region: is not a known field/],
      ['AKIA:x:1', /^credentials\[0\]: must be an object/],
    ];
    for (const [bad, message] of cases) {
      expect(() => parse([bad])).toThrow(PollerConfigError);
      expect(() => parse([bad])).toThrow(message);
      try {
        parse([bad]);
      } catch (err) {
        expect((err as Error).message).not.toContain(entry.secretAccessKey);
      }
    }
    expect(() => parse(entry)).toThrow('credentials: must be a list');
    expect(() => parse([entry, entry])).toThrow('credentials: access key AKIAFILE00000000003 is listed twice');
  });

  it('merged with REDSQS_CREDENTIALS: a key in both is an error', () => {
    expect(mergeCredentials([ALICE], [entry], 'redsqs.config.json')).toEqual([ALICE, entry]);
    expect(() => mergeCredentials([entry], [{ ...entry, secretAccessKey: 'other' }], 'redsqs.config.json')).toThrow(
      'access key AKIAFILE00000000003 is in both REDSQS_CREDENTIALS and redsqs.config.json: keep one',
    );
  });

  it("the pollers' key: one of the service's account, none when nothing is checked", () => {
    expect(credentialFor([ALICE, BOB], '222222222222', 'The pollers')).toBe(BOB);
    expect(credentialFor([], '000000000000', 'The pollers')).toBeUndefined();
    expect(() => credentialFor([ALICE], '000000000000', 'The pollers')).toThrow(CredentialsError);
  });
});
