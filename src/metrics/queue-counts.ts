/**
 * The message counts of every queue of an account, as a scrape reads them: the names a page at a
 * time, then the queues' GetQueueAttributes reads (one script call per queue: the counts at `now`
 * and the enqueue time of the oldest message, from which its age at `now`)
 * issued together in batches, which ioredis's auto-pipelining sends as one round trip per batch
 * (per node of a cluster) rather than one per queue or per metric.
 */
import type { Store } from '../store/store.js';

export interface QueueCountsRow {
  account: string;
  name: string;
  visible: number;
  notVisible: number;
  delayed: number;
  /**
   * Age (whole seconds at `now`) of the queue's oldest message, whatever its state; absent when the
   * queue holds none (CloudWatch reports ApproximateAgeOfOldestMessage only for a queue with a message).
   */
  ageOfOldestSeconds?: number;
}

/** Names asked of the registry at a time. */
const PAGE = 1000;
/** getQueue calls in flight at a time: one pipeline each, and a bound on the replies held at once. */
export const COUNTS_BATCH = 250;

export async function readQueueCounts(
  store: Pick<Store, 'listQueues' | 'getQueue'>,
  account: string,
  now: number,
  batch = COUNTS_BATCH,
): Promise<QueueCountsRow[]> {
  const rows: QueueCountsRow[] = [];
  let after: string | undefined;
  for (;;) {
    const names = await store.listQueues(account, '', after, PAGE);
    for (let i = 0; i < names.length; i += batch) {
      const chunk = names.slice(i, i + batch);
      const states = await Promise.all(chunk.map((name) => store.getQueue({ account, name }, now)));
      states.forEach((state, j) => {
        // undefined: deleted since the names were read.
        if (state === undefined) return;
        const { visible, notVisible, delayed } = state.counts;
        const { oldestSentMs } = state;
        const row: QueueCountsRow = { account, name: chunk[j] as string, visible, notVisible, delayed };
        // Never below 0: a message sent before the clock was set back.
        if (oldestSentMs !== undefined) row.ageOfOldestSeconds = Math.max(0, Math.floor((now - oldestSentMs) / 1000));
        rows.push(row);
      });
    }
    if (names.length < PAGE) return rows;
    after = names[names.length - 1];
  }
}

/**
 * How long scrapes reuse the list of accounts (real time): listing them (Store.listAccounts) costs
 * a read per account, which a scrape at a short interval need not pay every time.
 */
export const ACCOUNTS_TTL_MS = 60_000;

/**
 * The accounts that have queues (the accounts of other instances on the same Redis too), the
 * configured one always, listed again after ACCOUNTS_TTL_MS: an account whose first queue was
 * created since the last listing shows within that time. Shared by /metrics and the dashboard's
 * queue list, so that neither walks the keyspace on every call.
 */
export function cachedAccounts(
  store: Pick<Store, 'listAccounts'>,
  configured: string,
  ttlMs = ACCOUNTS_TTL_MS,
): () => Promise<string[]> {
  let accounts: Promise<string[]> | undefined;
  let listedAt = 0;
  return () => {
    if (accounts === undefined || performance.now() - listedAt >= ttlMs) {
      listedAt = performance.now();
      const listing = store.listAccounts().then((found) => [...new Set([configured, ...found])].sort());
      // A failed listing is not kept: the next call tries again.
      listing.catch(() => {
        if (accounts === listing) accounts = undefined;
      });
      accounts = listing;
    }
    return accounts;
  };
}

/** The counts of the queues of every account that `accounts` lists (see cachedAccounts). */
export function everyAccountCounts(
  store: Pick<Store, 'listQueues' | 'getQueue'>,
  accounts: () => Promise<string[]>,
): (now: number) => Promise<QueueCountsRow[]> {
  return async (now) => {
    const rows: QueueCountsRow[] = [];
    for (const account of await accounts()) rows.push(...(await readQueueCounts(store, account, now)));
    return rows;
  };
}
