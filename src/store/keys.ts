/**
 * Redis key names. Every key of one queue carries the hash tag `{account/name}`, so each Lua
 * script touches one hash slot (Redis Cluster safe). See KEYS.md for types and meanings.
 */
import type { QueueRef } from '../domain.js';
import { isFifoName } from '../sqs/queue-names.js';

export interface QueueKeys {
  meta: string;
  tags: string;
  body: string;
  info: string;
  ready: string;
  delayed: string;
  inflight: string;
  sent: string;
  /** FIFO: available messages, members `group NUL seq NUL id`, all with score 0. */
  fifo: string;
  /** FIFO: groups with an available message and none in flight; score = seq of their head. */
  groups: string;
  /** FIFO: group -> number of its messages in flight. */
  locked: string;
  /** FIFO: deduplication key -> end of its 5-minute window (ms). */
  dedup: string;
  /** FIFO: deduplication key -> `messageId|seq` of the message it first stored. */
  dedupIds: string;
  /** FIFO: ReceiveRequestAttemptId -> `id,token;id,token…` of the receive it made. */
  attempts: string;
  /** FIFO: ReceiveRequestAttemptId -> end of its lifetime (ms). */
  attemptExpiry: string;
  /** Ids of messages on their way to another queue -> when they were put there (ms). */
  outbox: string;
  /** Outbox id -> destination: `dlq:<queue>` (redrive), `move:<queue>` or `move:` (back to source); redrive-fields.ts. */
  outboxDest: string;
  /** Ids of messages accepted from other queues -> when (ms); makes accepting idempotent. */
  moved: string;
  /** Message move tasks of this (dead-letter) queue: task id -> JSON. */
  tasks: string;
  /** Names of queues whose RedrivePolicy named this queue (checked against them on read). */
  sources: string;
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
    fifo: `${tag}:fifo`,
    groups: `${tag}:groups`,
    locked: `${tag}:locked`,
    dedup: `${tag}:dedup`,
    dedupIds: `${tag}:dedupids`,
    attempts: `${tag}:attempts`,
    attemptExpiry: `${tag}:attemptexp`,
    outbox: `${tag}:outbox`,
    outboxDest: `${tag}:outboxdest`,
    moved: `${tag}:moved`,
    tasks: `${tag}:tasks`,
    sources: `${tag}:sources`,
    tombstone: `${tag}:deleted`,
    wake: `${tag}:wake`,
  };
}

/** Set of `<account>/<queue>/<task id>` of move tasks that are RUNNING or CANCELLING. */
export function activeTasksKey(prefix: string): string {
  return `${prefix}:movetasks`;
}

/** A lease: one instance at a time does the named background work. */
export function leaseKey(prefix: string, name: string): string {
  return `${prefix}:lease:${name}`;
}

/** Hash of the deployment's clock (offset, frozen instant, version); also its pub/sub channel. */
export function clockKey(prefix: string): string {
  return `${prefix}:clock`;
}

/** Pub/sub channel (not a key) of the event stream: each message a JSON batch of events. */
export function eventsChannel(prefix: string): string {
  return `${prefix}:events`;
}

/**
 * String with a TTL that instances with event stream listeners keep alive; also the pub/sub
 * channel on which its appearance is announced and acknowledged.
 */
export function eventListenersKey(prefix: string): string {
  return `${prefix}:events:listeners`;
}

/** Sorted set (all scores 0) of the names of existing queues, for ListQueues by prefix. */
export function registryKey(prefix: string, account: string): string {
  return `${prefix}:queues:${account}`;
}

/** Set of the accounts that have (or had) queues: what listAccounts reads instead of the keyspace. */
export function accountsKey(prefix: string): string {
  return `${prefix}:accounts`;
}

/** SCAN pattern matching every account's registry key (see registryAccount for the exact test). */
export function registryPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, '\\$&')}:queues:*`;
}

/** The account whose registry `key` is, or undefined for any other key (another prefix's too). */
export function registryAccount(prefix: string, key: string): string | undefined {
  const head = `${prefix}:queues:`;
  if (!key.startsWith(head)) return undefined;
  const account = key.slice(head.length);
  return /^\d{12}$/.test(account) ? account : undefined;
}

/** Hash of the pollers' statistics: one field per event source mapping (redis-poller-stats.ts). */
export function pollerStatsKey(prefix: string): string {
  return `${prefix}:pollers`;
}

/**
 * The KEYS every message script receives, in the order queue_keys() (lua/lib/queue-keys.lua)
 * reads them: the ten keys every queue has, then, for a FIFO queue only, its seven FIFO keys.
 * Standard queues send 10 keys instead of 17 on every hot-path call. The scripts are told which
 * kind of queue it is (a flag of their ARGV, or a script of one kind), and check the number of
 * keys against it.
 */
export function messageKeys(k: QueueKeys, fifo: boolean): string[] {
  const keys = [k.meta, k.body, k.info, k.ready, k.delayed, k.inflight, k.sent, k.outbox, k.outboxDest, k.moved];
  if (fifo) keys.push(k.fifo, k.groups, k.locked, k.dedup, k.dedupIds, k.attempts, k.attemptExpiry);
  return keys;
}

/** A queue's key names, and its message KEYS, built once per queue rather than once per call. */
export interface CachedKeys {
  keys: QueueKeys;
  message: readonly string[];
  fifo: boolean;
}

/** The sorted set of a queue's available messages: `fifo` on a FIFO queue, else `ready`. */
export function availableKey(q: CachedKeys): string {
  return q.fifo ? q.keys.fifo : q.keys.ready;
}

/**
 * Key names of recently used queues. Bounded: past `limit` queues it starts over, which costs
 * only the string building the cache saves.
 */
export class KeyCache {
  private readonly cache = new Map<string, CachedKeys>();
  constructor(
    private readonly prefix: string,
    private readonly limit = 10_000,
  ) {}

  get(q: QueueRef): CachedKeys {
    const id = `${q.account}/${q.name}`;
    let hit = this.cache.get(id);
    if (!hit) {
      if (this.cache.size >= this.limit) this.cache.clear();
      const keys = queueKeys(this.prefix, q);
      const fifo = isFifoName(q.name);
      hit = { keys, message: messageKeys(keys, fifo), fifo };
      this.cache.set(id, hit);
    }
    return hit;
  }
}

/** Every key of a queue except the tombstone, meta first (DeleteQueue removes them all). */
export function allQueueKeys(k: QueueKeys): string[] {
  const { tombstone: _tombstone, wake: _wake, meta, ...rest } = k;
  return [meta, ...Object.values(rest)];
}
