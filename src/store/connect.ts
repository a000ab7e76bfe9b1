/** Redis connections as every part of redsqs makes them: one URL, or the seed nodes of a cluster. */
import { Cluster, Redis, type RedisOptions } from 'ioredis';

/** Every command gets an answer or an error within this (a hung Redis must not hang requests). */
export const COMMAND_TIMEOUT_MS = 5_000;

const BASE: RedisOptions = {
  enableAutoPipelining: true,
  maxRetriesPerRequest: 3,
  lazyConnect: true,
  commandTimeout: COMMAND_TIMEOUT_MS,
};

/** A lazy connection (call connect()); `extra` overrides the defaults above. */
export function connectRedis(target: string | string[], extra: RedisOptions = {}): Redis | Cluster {
  const options = { ...BASE, ...extra };
  if (typeof target === 'string') return new Redis(target, options);
  return new Cluster(
    target.map((node) => ({
      host: node.slice(0, node.lastIndexOf(':')),
      port: Number(node.slice(node.lastIndexOf(':') + 1)),
    })),
    { enableAutoPipelining: true, lazyConnect: true, redisOptions: options },
  );
}

/** A connection for SUBSCRIBE: it waits for Redis as long as it takes. */
export function subscriberConnection(target: string | string[]): Redis | Cluster {
  return connectRedis(target, { maxRetriesPerRequest: null, commandTimeout: undefined });
}
