/**
 * Redis key names. Every key of one queue carries the hash tag `{account/name}`, so each Lua
 * script touches one hash slot (Redis Cluster safe). See KEYS.md for types and meanings.
 */
import type { QueueRef } from '../domain.js';

export interface QueueKeys {
  meta: string;
  tags: string;
  body: string;
  info: string;
  ready: string;
  delayed: string;
  inflight: string;
  sent: string;
  tombstone: string;
  /** Pub/sub channel (not a key) on which sends announce newly visible messages. */
  wake: string;
}

export function queueKeys(prefix: string, q: QueueRef): QueueKeys {
  const tag = `${prefix}:{${q.account}/${q.name}}`;
  return {
    meta: `${tag}:meta`,
    tags: `${tag}:tags`,
    body: `${tag}:body`,
    info: `${tag}:info`,
    ready: `${tag}:ready`,
    delayed: `${tag}:delayed`,
    inflight: `${tag}:inflight`,
    sent: `${tag}:sent`,
    tombstone: `${tag}:deleted`,
    wake: `${tag}:wake`,
  };
}

/** Sorted set (all scores 0) of the names of existing queues, for ListQueues by prefix. */
export function registryKey(prefix: string, account: string): string {
  return `${prefix}:queues:${account}`;
}
