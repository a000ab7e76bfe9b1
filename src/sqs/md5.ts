/**
 * MD5 checksums as SQS computes them. For message attributes: names sorted, and for each one the
 * length-prefixed (4-byte big-endian) name, data type, a transport byte (1 string, 2 binary) and
 * the length-prefixed value bytes; the MD5 of the whole concatenation, in hex.
 */
import * as crypto from 'node:crypto';
import type { MessageAttributeMap } from '../domain.js';

/** crypto.hash (Node 20.12+): one call instead of a Hash object per checksum. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string | Buffer, encoding: 'hex') => string }).hash;

export function md5Hex(data: string | Buffer): string {
  return oneShot ? oneShot('md5', data, 'hex') : crypto.createHash('md5').update(data).digest('hex');
}

function lengthPrefixed(bytes: Buffer): Buffer[] {
  const len = Buffer.allocUnsafe(4);
  len.writeUInt32BE(bytes.length, 0);
  return [len, bytes];
}

export function md5OfAttributes(attributes: MessageAttributeMap): string {
  const parts: Buffer[] = [];
  for (const name of Object.keys(attributes).sort()) {
    const a = attributes[name];
    if (!a) continue;
    parts.push(...lengthPrefixed(Buffer.from(name, 'utf8')));
    parts.push(...lengthPrefixed(Buffer.from(a.DataType, 'utf8')));
    if (a.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]), ...lengthPrefixed(a.BinaryValue));
    } else {
      parts.push(Buffer.from([1]), ...lengthPrefixed(Buffer.from(a.StringValue ?? '', 'utf8')));
    }
  }
  return md5Hex(Buffer.concat(parts));
}
