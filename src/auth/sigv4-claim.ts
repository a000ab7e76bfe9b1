/**
 * What a SigV4-signed request says it signed (sigv4.ts verifies it): the algorithm, credential
 * scope, signed headers, signature and date, from the Authorization header or from a presigned
 * URL's query string, with AWS's answers when a part is missing or malformed.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { SqsError } from '../errors.js';

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** What the client says it signed, from the Authorization header or the query string. */
export interface Claim {
  presigned: boolean;
  algorithm: string;
  credential: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  /** Presigned only: X-Amz-Expires in seconds, when given. */
  expires?: string;
}

export type Query = Record<string, string | string[]>;

export const signatureDoesNotMatch = (message = MISMATCH) => new SqsError('InvalidSignatureException', message);
export const incomplete = (message: string) => new SqsError('IncompleteSignatureException', message);

/** The path as it arrived (the signer escapes it as the client's did) and the decoded query. */
export function splitTarget(url: string): { path: string; query: Query } {
  const target = url.split('#', 1)[0] as string;
  const q = target.indexOf('?');
  // Decoded exactly as the action reads it (URLSearchParams: `+` is a space, a malformed escape is
  // kept as it is), so that the signature covers the values the action gets: two raw queries that
  // the action reads alike must not sign differently, nor two it reads differently alike.
  const query: Query = Object.create(null) as Query;
  for (const [key, value] of new URLSearchParams(q < 0 ? '' : target.slice(q + 1))) {
    const seen = query[key];
    query[key] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return { path: q < 0 ? target : target.slice(0, q), query };
}

function single(query: Query, name: string): string | undefined {
  const v = query[name];
  return Array.isArray(v) ? v[0] : v;
}

export function claimOf(headers: IncomingHttpHeaders, query: Query): Claim {
  const auth = headers.authorization;
  const inQuery = query['X-Amz-Algorithm'] !== undefined;
  if (auth !== undefined && inQuery) {
    throw signatureDoesNotMatch(
      "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
    );
  }
  if (inQuery) return queryClaim(query);
  if (auth === undefined || !auth.trim().startsWith('AWS4-')) {
    throw new SqsError('MissingAuthenticationTokenException', 'Request is missing Authentication Token');
  }
  return headerClaim(auth.trim(), headers);
}

function headerClaim(auth: string, headers: IncomingHttpHeaders): Claim {
  const [algorithm = '', ...rest] = auth.split(/[\s,]+/).filter(Boolean);
  const params = new Map<string, string>();
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq), part.slice(eq + 1));
  }
  let missing = '';
  for (const name of ['Credential', 'Signature', 'SignedHeaders']) {
    if (!params.get(name)) missing += `Authorization header requires '${name}' parameter. `;
  }
  const amzDate = headers['x-amz-date'];
  if (typeof amzDate !== 'string') {
    // AWS also takes a Date header; the SDKs always send X-Amz-Date, which is all redsqs reads.
    missing += "Authorization header requires existence of a 'X-Amz-Date' header (redsqs does not read 'Date'). ";
  }
  if (missing) throw incomplete(missing.trim());
  return {
    presigned: false,
    algorithm,
    credential: params.get('Credential') as string,
    signedHeaders: (params.get('SignedHeaders') as string).split(';'),
    signature: params.get('Signature') as string,
    amzDate: amzDate as string,
  };
}

function queryClaim(query: Query): Claim {
  const names = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date'];
  const missing = names.filter((n) => !single(query, n));
  if (missing.length > 0) {
    const each = missing.map((n) => `AWS query-string parameters must include '${n}'. `).join('');
    throw incomplete(`${each}Re-examine the query-string parameters.`);
  }
  const expires = single(query, 'X-Amz-Expires');
  return {
    presigned: true,
    algorithm: single(query, 'X-Amz-Algorithm') as string,
    credential: single(query, 'X-Amz-Credential') as string,
    signedHeaders: (single(query, 'X-Amz-SignedHeaders') as string).split(';'),
    signature: single(query, 'X-Amz-Signature') as string,
    amzDate: single(query, 'X-Amz-Date') as string,
    ...(expires !== undefined ? { expires } : {}),
  };
}

/** X-Amz-Date (ISO 8601 basic format) in ms. */
export function dateOf(amzDate: string): number {
  const m = AMZ_DATE.exec(amzDate);
  const [, y, mo, d, h, mi, s] = (m ?? []).map(Number);
  const ms = m ? Date.UTC(y as number, (mo as number) - 1, d, h, mi, s) : Number.NaN;
  if (Number.isNaN(ms) || amzStamp(ms) !== amzDate) {
    throw incomplete(
      `Date must be in ISO-8601 'basic format'. Got '${amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    );
  }
  return ms;
}

export function amzStamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}
