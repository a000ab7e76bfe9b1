/**
 * Reset: every queue of the deployment (the key prefix), or of one account, deleted with its
 * messages, and every other key of the prefix (or account) removed: tombstones, move tasks, leases,
 * the clock. Queues are deleted one by one with the DeleteQueue script (atomic per queue, no
 * tombstone), so an instance serving a queue meanwhile sees it exist or not, never half of it.
 * On a Redis Cluster every master is scanned and keys are removed one by one (they live in
 * different slots).
 */
import { Cluster, type Redis } from 'ioredis';
import { accountsKey, activeTasksKey, registryKey } from './keys.js';
import type { Store } from './store.js';

const globEscape = (s: string): string => s.replace(/[*?[\]\\]/g, '\\$&');

const regexEscape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The keys a deployment writes (KEYS.md), and nothing else: a deployment whose prefix merely
 * starts with this one's (`sqs:ci` for `sqs`) keeps its keys.
 */
function ownKeys(prefix: string, account: string | undefined): RegExp {
  const p = regexEscape(prefix);
  if (account !== undefined) return new RegExp(`^${p}:(\\{${account}/[^}]+\\}:[a-z]+|queues:${account})$`);
  return new RegExp(
    `^${p}:(\\{\\d{12}/[^}]+\\}:[a-z]+|queues:\\d{12}|accounts|movetasks|clock|lease:(sweeper|task:[0-9a-f-]{36}))$`,
  );
}

async function scanAll(redis: Redis | Cluster, pattern: string): Promise<string[]> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const found = new Set<string>();
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const k of keys) found.add(k);
    } while (cursor !== '0');
  }
  return [...found];
}

async function unlinkAll(redis: Redis | Cluster, keys: string[]): Promise<void> {
  if (redis instanceof Cluster) {
    await Promise.all(keys.map((k) => redis.unlink(k)));
    return;
  }
  for (let i = 0; i < keys.length; i += 500) await redis.unlink(...keys.slice(i, i + 500));
}

export interface ResetDeps {
  redis: Redis | Cluster;
  store: Store;
  prefix: string;
}

/** Returns the number of queues deleted. */
export async function resetKeys(deps: ResetDeps, account?: string): Promise<number> {
  const { redis, store } = deps;
  const prefix = globEscape(deps.prefix);
  const tag = account === undefined ? '*' : `${account}/*`;
  let deleted = 0;
  for (const meta of await scanAll(redis, `${prefix}:{${tag}}:meta`)) {
    const id = meta.slice(meta.indexOf('{') + 1, meta.lastIndexOf('}'));
    const slash = id.indexOf('/');
    const q = { account: id.slice(0, slash), name: id.slice(slash + 1) };
    // The script wakes the queue's long polls, on every instance.
    if ((await store.deleteQueue(q, 0, 0)) !== undefined) deleted++;
  }
  const own = ownKeys(deps.prefix, account);
  const left = (await scanAll(redis, account === undefined ? `${prefix}:*` : `${prefix}:{${tag}`)).filter((k) =>
    own.test(k),
  );
  if (account === undefined) {
    await unlinkAll(redis, left);
    return deleted;
  }
  // One account: its queues' keys (tombstones too), its registry and its move tasks' listings.
  // Out of the accounts set first: a CreateQueue in the account meanwhile adds it back after.
  await redis.srem(accountsKey(deps.prefix), account);
  await unlinkAll(redis, [...left, registryKey(deps.prefix, account)]);
  const tasks = (await redis.smembers(activeTasksKey(deps.prefix))).filter((m) => m.startsWith(`${account}/`));
  if (tasks.length > 0) await redis.srem(activeTasksKey(deps.prefix), ...tasks);
  return deleted;
}
