/**
 * Typed calls of the queue scripts (create, delete, attributes, purge, tags): each builds the
 * script's KEYS and ARGV (see the .lua header) from named fields and decodes its reply.
 */
import { dict } from '../../dict.js';
import type { QueueAttributes } from '../../domain.js';
import { allQueueKeys, availableKey, type CachedKeys } from '../keys.js';
import type { Reply, Scripts } from '../scripts.js';
import type { CreateQueueResult } from '../store.js';
import { decode, flag, pairs } from './status.js';

/** The reply's name/value pairs from index `from` on, as a record. */
export function hashFrom(flat: Reply[], from: number): Record<string, string> {
  const out = dict<string>();
  for (let i = from; i + 1 < flat.length; i += 2) out[String(flat[i])] = String(flat[i + 1]);
  return out;
}

export type Missing = { status: 'missing' };
const MISSING: Missing = { status: 'missing' };

/** create-queue.lua */
export async function createQueue(
  scripts: Scripts,
  q: CachedKeys,
  a: { now: number; stored: QueueAttributes; requested: QueueAttributes; tags: Record<string, string> },
): Promise<CreateQueueResult> {
  const k = q.keys;
  const args = [
    a.now,
    Object.keys(a.stored).length,
    ...pairs(a.stored),
    Object.keys(a.requested).length,
    ...pairs(a.requested),
    Object.keys(a.tags).length,
    ...pairs(a.tags),
  ];
  const { status, reply } = decode(
    'create-queue',
    await scripts.run('create-queue', [k.meta, k.tags, k.tombstone], args),
    ['OK', 'EXISTS', 'DIFFERS', 'DELETED_RECENTLY'],
  );
  switch (status) {
    case 'OK':
      return { status: 'created' };
    case 'EXISTS':
      return { status: 'exists' };
    case 'DIFFERS':
      return { status: 'differs', attribute: String(reply[1]) };
    case 'DELETED_RECENTLY':
      return { status: 'deleted-recently' };
  }
}

/** delete-queue.lua: every key of the queue, and a tombstone when `blockedUntil` > 0. */
export async function deleteQueue(
  scripts: Scripts,
  q: CachedKeys,
  a: { blockedUntil: number; tombstoneLifetimeMs: number },
): Promise<{ status: 'ok' } | Missing> {
  const k = q.keys;
  const reply = await scripts.run(
    'delete-queue',
    [k.tombstone, ...allQueueKeys(k)],
    [a.blockedUntil, a.tombstoneLifetimeMs, k.wake],
  );
  return decode('delete-queue', reply, ['OK', 'MISSING']).status === 'OK' ? { status: 'ok' } : MISSING;
}

export interface QueueRead {
  status: 'ok';
  visible: number;
  notVisible: number;
  delayed: number;
  /** Enqueue time (ms) of the queue's oldest message (lowest score of `sent`); undefined: no message. */
  oldestSentMs: number | undefined;
  /** Every field of the meta hash: attributes and internal `_` fields. */
  meta: Record<string, string>;
}

/** get-queue-attributes.lua */
export async function getQueueAttributes(
  scripts: Scripts,
  q: CachedKeys,
  a: { now: number },
): Promise<QueueRead | Missing> {
  const k = q.keys;
  const keys = [k.meta, availableKey(q), k.delayed, k.inflight, k.sent];
  const { status, reply } = decode('get-queue-attributes', await scripts.run('get-queue-attributes', keys, [a.now]), [
    'OK',
    'MISSING',
  ]);
  if (status === 'MISSING') return MISSING;
  return {
    status: 'ok',
    visible: Number(reply[1]),
    notVisible: Number(reply[2]),
    delayed: Number(reply[3]),
    oldestSentMs: reply[4] === '' ? undefined : Number(reply[4]),
    meta: hashFrom(reply, 5),
  };
}

/** set-queue-attributes.lua: an empty value removes the attribute. */
export async function setQueueAttributes(
  scripts: Scripts,
  q: CachedKeys,
  a: { now: number; attributes: QueueAttributes },
): Promise<{ status: 'ok' } | Missing> {
  const reply = await scripts.run('set-queue-attributes', [q.keys.meta], [a.now, ...pairs(a.attributes)]);
  return decode('set-queue-attributes', reply, ['OK', 'MISSING']).status === 'OK' ? { status: 'ok' } : MISSING;
}

/** swap-queue-attribute.lua: '' is an absent value. */
export async function swapQueueAttribute(
  scripts: Scripts,
  q: CachedKeys,
  a: { now: number; name: string; expected: string; next: string },
): Promise<{ status: 'ok' | 'conflict' } | Missing> {
  const reply = await scripts.run('swap-queue-attribute', [q.keys.meta], [a.now, a.name, a.expected, a.next]);
  const { status } = decode('swap-queue-attribute', reply, ['OK', 'MISSING', 'CONFLICT']);
  return status === 'MISSING' ? MISSING : { status: status === 'OK' ? 'ok' : 'conflict' };
}

/** purge-queue.lua */
export async function purgeQueue(
  scripts: Scripts,
  q: CachedKeys,
  a: { now: number; cooldownMs: number },
): Promise<{ status: 'ok' | 'too-soon' } | Missing> {
  const reply = await scripts.run('purge-queue', q.message, [flag(q.fifo), a.now, a.cooldownMs]);
  const { status } = decode('purge-queue', reply, ['OK', 'MISSING', 'TOO_SOON']);
  return status === 'MISSING' ? MISSING : { status: status === 'OK' ? 'ok' : 'too-soon' };
}

/** tag-queue.lua */
export async function tagQueue(
  scripts: Scripts,
  q: CachedKeys,
  a: { tags: Record<string, string>; maxTags: number },
): Promise<{ status: 'ok' | 'too-many' } | Missing> {
  const reply = await scripts.run('tag-queue', [q.keys.meta, q.keys.tags], [a.maxTags, ...pairs(a.tags)]);
  const { status } = decode('tag-queue', reply, ['OK', 'MISSING', 'TOO_MANY']);
  return status === 'MISSING' ? MISSING : { status: status === 'OK' ? 'ok' : 'too-many' };
}

/** untag-queue.lua */
export async function untagQueue(
  scripts: Scripts,
  q: CachedKeys,
  a: { keys: string[] },
): Promise<{ status: 'ok' } | Missing> {
  const reply = await scripts.run('untag-queue', [q.keys.meta, q.keys.tags], a.keys);
  return decode('untag-queue', reply, ['OK', 'MISSING']).status === 'OK' ? { status: 'ok' } : MISSING;
}

/** read-queue-hash.lua: a hash of the queue (`hash`: a key of q.keys), telling a missing queue apart. */
export async function readQueueHash(
  scripts: Scripts,
  q: CachedKeys,
  a: { hash: 'tags' },
): Promise<{ status: 'ok'; fields: Record<string, string> } | Missing> {
  const reply = await scripts.run('read-queue-hash', [q.keys.meta, q.keys[a.hash]], []);
  const decoded = decode('read-queue-hash', reply, ['OK', 'MISSING']);
  return decoded.status === 'MISSING' ? MISSING : { status: 'ok', fields: hashFrom(decoded.reply, 1) };
}
