/** Typed call of lease.lua: take, renew or release a lease on a piece of background work. */
import type { Scripts } from '../scripts.js';
import { decode } from './status.js';

/**
 * Takes or renews the lease `key` for `owner` for `lifetimeMs`, or (lifetimeMs 0) releases it: a
 * compare-and-delete, so an owner never releases a lease another owner holds. 'held': another
 * owner holds it, and it is left as it is.
 */
export async function lease(
  scripts: Scripts,
  a: { key: string; owner: string; lifetimeMs: number },
): Promise<{ status: 'ok' | 'held' }> {
  const reply = await scripts.run('lease', [a.key], [a.owner, a.lifetimeMs]);
  return { status: decode('lease', reply, ['OK', 'HELD']).status === 'OK' ? 'ok' : 'held' };
}
