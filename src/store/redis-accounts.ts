/**
 * The accounts that have queues: the set `<prefix>:accounts` (KEYS.md), written by CreateQueue and
 * cleared by a reset, less the accounts whose registry is gone (their last queue was deleted: they
 * stay in the set, as removing them here could race a CreateQueue in that account). Queues created
 * by a version without the set are found once per process by a scan of the keyspace (on a cluster,
 * of every master), and added to it.
 */
import { Cluster, type Redis } from 'ioredis';
import { accountsKey, registryAccount, registryKey, registryPattern } from './keys.js';

export class RedisAccounts {
  private scan: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
  ) {}

  /** Records that `account` has a queue (after its registry entry). */
  async add(account: string): Promise<void> {
    await this.redis.sadd(accountsKey(this.prefix), account);
  }

  async list(): Promise<string[]> {
    const key = accountsKey(this.prefix);
    // One scan per process, shared by the calls that arrive while it runs; tried again if it failed.
    this.scan ??= this.scanRegistries().then(async (found) => {
      if (found.length > 0) await this.redis.sadd(key, ...found);
    });
    try {
      await this.scan;
    } catch (err) {
      this.scan = undefined;
      throw err;
    }
    const members = await this.redis.smembers(key);
    const live = await Promise.all(members.map((a) => this.redis.exists(registryKey(this.prefix, a))));
    return members.filter((_, i) => live[i] === 1).sort();
  }

  private async scanRegistries(): Promise<string[]> {
    const nodes = this.redis instanceof Cluster ? this.redis.nodes('master') : [this.redis];
    const found = new Set<string>();
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', registryPattern(this.prefix), 'COUNT', 1000);
        cursor = next;
        for (const key of keys) {
          const account = registryAccount(this.prefix, key);
          if (account !== undefined) found.add(account);
        }
      } while (cursor !== '0');
    }
    return [...found].sort();
  }
}
