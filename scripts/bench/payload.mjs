/** Message bodies of the benchmark: 1 KiB of ASCII, fixed or carrying a small header. */
import { createHash } from 'node:crypto';

export const BODY_BYTES = 1024;

/** The fixed body of send1, sendbatch and the ceiling (the ceiling answers with its MD5). */
export const BODY_1K = 'redsqs-bench '.padEnd(BODY_BYTES, 'x');
export const BODY_1K_MD5 = md5(BODY_1K);

/** @param {string} text */
export function md5(text) {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/**
 * A 1 KiB body starting with `head` and a '|' (e.g. a send timestamp, or group and sequence).
 * @param {string} head
 */
export function bodyWith(head) {
  return `${head}|`.padEnd(BODY_BYTES, 'x');
}

/** @param {string} body the head given to bodyWith */
export function headOf(body) {
  const bar = body.indexOf('|');
  return bar < 0 ? body : body.slice(0, bar);
}

/**
 * Ten SendMessageBatch entries with the fixed body.
 * @returns {{ Id: string, MessageBody: string }[]}
 */
export function fixedBatchEntries() {
  return Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: BODY_1K }));
}
