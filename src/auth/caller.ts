/**
 * Who a request comes from. With no credentials configured nothing is verified: a 12-digit access
 * key id (in the Authorization header's Credential, or a presigned URL's X-Amz-Credential) names
 * the caller's account, LocalStack's convention; any other key is the default account.
 */
import type { IncomingMessage } from 'node:http';

const CREDENTIAL_IN_HEADER = /Credential=([^/,\s]+)\//;
const TWELVE_DIGITS = /^\d{12}$/;

/** The access key id a request names, signed or not; undefined when it names none. */
export function accessKeyIdOf(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = CREDENTIAL_IN_HEADER.exec(auth);
    if (m) return m[1];
  }
  const url = req.url ?? '';
  const at = url.indexOf('X-Amz-Credential=');
  if (at < 0) return undefined;
  const value = url.slice(at + 'X-Amz-Credential='.length).split('&', 1)[0] as string;
  try {
    return decodeURIComponent(value).split('/', 1)[0] || undefined;
  } catch {
    return undefined;
  }
}

/** The caller's account in unsigned mode. */
export function unsignedAccount(req: IncomingMessage, defaultAccount: string): string {
  const key = accessKeyIdOf(req);
  return key !== undefined && TWELVE_DIGITS.test(key) ? key : defaultAccount;
}
