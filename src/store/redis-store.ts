/**
 * The Store on Redis: runs one Lua script per state change through the typed wrappers of scripts/
 * (which build KEYS and ARGV and decode the replies) and turns their results into the Store's.
 * Knows nothing of HTTP or SQS error codes. The changes that take a second command (another hash
 * slot) say why a crash between the two is safe; KEYS.md lists them.
 */
import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { NewMessage, QueueAttributes, QueueRef } from '../domain.js';
import { RECEIVE_ATTEMPT_WINDOW_MS } from '../sqs/limits.js';
import { type CachedKeys, KeyCache, type QueueKeys, registryKey } from './keys.js';
import { RedisAccounts } from './redis-accounts.js';
import { deleteBatcher, sendBatcher } from './redis-batchers.js';
import { readPollerStats } from './redis-poller-stats.js';
import { decodeRedriveTarget, REDRIVE_TARGET } from './redrive-fields.js';
import * as messageScripts from './scripts/messages.js';
import * as queueScripts from './scripts/queue.js';
import { Scripts } from './scripts.js';
import type {
  CreateQueueResult,
  DeleteOneStatus,
  DeleteStatus,
  PeekOptions,
  PeekResult,
  PollerStats,
  QueueState,
  ReceiveOptions,
  SendResult,
  Store,
  StoreReceiveResult,
  VisibilityStatus,
} from './store.js';
import { PEEK_LIMIT } from './store.js';

/**
 * A tombstone blocks its name until a moment of the service's clock; Redis keeps it this much
 * (real time) longer than the block, so that a frozen clock still finds it. Then it expires.
 */
export const TOMBSTONE_MARGIN_MS = 60 * 60 * 1000;

/**
 * Receipt token prefixes, unique per receive call: this instance's random part (fixed length) and a
 * counter, then a dot; the script appends the message's position in the reply. One getrandom per
 * instance rather than one per receive (a system call that cost ~10 µs here).
 */
export class ReceiptTokens {
  private readonly instance = randomBytes(6).toString('base64url');
  private counter = 0;
  next(): string {
    this.counter++;
    return `${this.instance}${this.counter.toString(36)}.`;
  }
}

type Missing = queueScripts.Missing;

/** A script's result, or undefined for its `{status: 'missing'}`: the Store's one way to say "no such queue". */
function present<R extends { status: string }>(result: R): Exclude<R, Missing> | undefined {
  return result.status === 'missing' ? undefined : (result as Exclude<R, Missing>);
}

export class RedisStore implements Store {
  /** Sends and deletes by receipt of one turn, per queue, in one script call (redis-batchers.ts). */
  private readonly sends: ReturnType<typeof sendBatcher>;
  private readonly deletes: ReturnType<typeof deleteBatcher>;
  private readonly accounts: RedisAccounts;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
    private readonly scripts: Scripts = new Scripts(redis),
    private readonly keyCache = new KeyCache(prefix),
    private readonly receiptTokens = new ReceiptTokens(),
  ) {
    this.sends = sendBatcher(scripts);
    this.deletes = deleteBatcher(scripts);
    this.accounts = new RedisAccounts(redis, prefix);
  }

  private keys(q: QueueRef): QueueKeys {
    return this.keyCache.get(q).keys;
  }

  /** The queue's key names and message KEYS, as the script wrappers take them. */
  private cached(q: QueueRef): CachedKeys {
    return this.keyCache.get(q);
  }

  /**
   * Two steps: the queue's script, then its name in the registry (another slot). A crash between
   * them leaves a queue that works but that ListQueues (and the sweeper, which lists queues by it)
   * does not show until CreateQueue is called for it again: the failed call's retry, or the next
   * start of an application that creates its queues. 'exists' registers the name too. The other
   * order would let a ListQueues in between drop the name as stale, with no crash at all.
   */
  async createQueue(
    q: QueueRef,
    stored: QueueAttributes,
    requested: QueueAttributes,
    tags: Record<string, string>,
    now: number,
  ): Promise<CreateQueueResult> {
    const result = await queueScripts.createQueue(this.scripts, this.cached(q), { now, stored, requested, tags });
    if (result.status === 'created' || result.status === 'exists') {
      await Promise.all([
        this.redis.zadd(registryKey(this.prefix, q.account), 0, q.name),
        this.accounts.add(q.account),
      ]);
    }
    return result;
  }

  /**
   * Two steps: the name leaves the registry (another slot), then the queue's script deletes it. A
   * crash in between leaves a live queue that ListQueues does not show, which the failed call's
   * retry deletes (or a CreateQueue of it registers again); never a listed name without a queue
   * that stays (listQueues drops stale names).
   */
  async deleteQueue(q: QueueRef, now: number, tombstoneMs: number): Promise<'ok' | undefined> {
    await this.redis.zrem(registryKey(this.prefix, q.account), q.name);
    const result = await queueScripts.deleteQueue(this.scripts, this.cached(q), {
      blockedUntil: tombstoneMs > 0 ? now + tombstoneMs : 0,
      tombstoneLifetimeMs: tombstoneMs + TOMBSTONE_MARGIN_MS,
    });
    return present(result)?.status;
  }

  async queueExists(q: QueueRef): Promise<boolean> {
    return (await this.redis.exists(this.keys(q).meta)) === 1;
  }

  async getQueue(q: QueueRef, now: number): Promise<QueueState | undefined> {
    const read = await queueScripts.getQueueAttributes(this.scripts, this.cached(q), { now });
    if (read.status === 'missing') return undefined;
    const attributes: QueueAttributes = {};
    for (const [name, value] of Object.entries(read.meta)) if (!name.startsWith('_')) attributes[name] = value;
    return {
      attributes,
      counts: { visible: read.visible, notVisible: read.notVisible, delayed: read.delayed },
      createdMs: Number(read.meta._created),
      modifiedMs: Number(read.meta._modified),
      ...(read.oldestSentMs === undefined ? {} : { oldestSentMs: read.oldestSentMs }),
    };
  }

  async setQueueAttributes(q: QueueRef, attributes: QueueAttributes, now: number): Promise<'ok' | undefined> {
    return present(await queueScripts.setQueueAttributes(this.scripts, this.cached(q), { now, attributes }))?.status;
  }

  async swapQueueAttribute(
    q: QueueRef,
    name: string,
    expected: string,
    next: string,
    now: number,
  ): Promise<'ok' | 'conflict' | undefined> {
    return present(await queueScripts.swapQueueAttribute(this.scripts, this.cached(q), { now, name, expected, next }))
      ?.status;
  }

  async listQueues(account: string, prefix: string, after: string | undefined, limit: number): Promise<string[]> {
    const registry = registryKey(this.prefix, account);
    const live: string[] = [];
    let cursor = after !== undefined && after >= prefix ? `(${after}` : `[${prefix}`;
    while (live.length < limit) {
      const want = limit - live.length;
      const names = await this.redis.zrangebylex(registry, cursor, `[${prefix}\u{10FFFF}`, 'LIMIT', 0, want);
      if (names.length === 0) break;
      // The meta keys are the truth: a name whose queue is gone (a crash between the two steps of
      // a delete) is dropped from the registry here.
      // One command per queue (their keys live in different cluster slots); auto-pipelining
      // sends them in one round trip per node.
      const exists = await Promise.all(names.map((name) => this.redis.exists(this.keys({ account, name }).meta)));
      names.forEach((name, i) => {
        if (exists[i] === 1) live.push(name);
        else void this.redis.zrem(registry, name);
      });
      if (names.length < want) break;
      cursor = `(${names[names.length - 1]}`;
    }
    return live;
  }

  /**
   * Group-committed with the other sends of the turn to the same queue. On a FIFO queue the script
   * keeps each request's rules: its own `now` (deduplication window), its whole-request refusal of
   * a message without a deduplication id, and deduplication against the requests before it.
   */
  async sendMessages(q: QueueRef, messages: NewMessage[], now: number): Promise<SendResult | undefined> {
    const keys = this.cached(q);
    return this.sends.submit(keys.keys.meta, { keys, now, messages });
  }

  async receiveMessages(q: QueueRef, options: ReceiveOptions): Promise<StoreReceiveResult | undefined> {
    const keys = this.cached(q);
    const args = {
      now: options.now,
      max: options.max,
      visibilityMs: options.visibilityMs,
      tokenPrefix: this.receiptTokens.next(),
      inflightLimit: options.inflightLimit,
    };
    const result = keys.fifo
      ? await messageScripts.receiveFifoMessages(this.scripts, keys, {
          ...args,
          attemptId: options.attemptId,
          attemptLifetimeMs: RECEIVE_ATTEMPT_WINDOW_MS,
        })
      : await messageScripts.receiveMessages(this.scripts, keys, args);
    return present(result);
  }

  async deleteMessages(
    q: QueueRef,
    receipts: { id: string; token: string }[],
    now: number,
  ): Promise<DeleteStatus[] | undefined> {
    if (receipts.length === 0) return (await this.queueExists(q)) ? [] : undefined;
    const keys = this.cached(q);
    // Group-committed with the other deletes of the turn on the same queue: a receipt's status does
    // not depend on the others of its call (a repeated id is gone the second time, as it would be
    // in a later call), and each carries its request's `now`.
    return this.deletes.submit(keys.keys.meta, { keys, now, receipts });
  }

  async changeVisibility(
    q: QueueRef,
    entries: { id: string; token: string; visibilityMs: number }[],
    now: number,
    limitMs: number,
  ): Promise<VisibilityStatus[] | undefined> {
    const result = await messageScripts.changeVisibility(this.scripts, this.cached(q), { now, limitMs, entries });
    return result.status === 'ok' ? result.results : undefined;
  }

  async purgeQueue(q: QueueRef, now: number, cooldownMs: number): Promise<'ok' | 'too-soon' | undefined> {
    return present(await queueScripts.purgeQueue(this.scripts, this.cached(q), { now, cooldownMs }))?.status;
  }

  async tagQueue(q: QueueRef, tags: Record<string, string>, maxTags: number): Promise<'ok' | 'too-many' | undefined> {
    return present(await queueScripts.tagQueue(this.scripts, this.cached(q), { tags, maxTags }))?.status;
  }

  async untagQueue(q: QueueRef, keys: string[]): Promise<'ok' | undefined> {
    return present(await queueScripts.untagQueue(this.scripts, this.cached(q), { keys }))?.status;
  }

  async listQueueTags(q: QueueRef): Promise<Record<string, string> | undefined> {
    const read = await queueScripts.readQueueHash(this.scripts, this.cached(q), { hash: 'tags' });
    return read.status === 'ok' ? read.fields : undefined;
  }

  /**
   * The other slot of CreateQueue and SetQueueAttributes (the dead-letter queue's): the actions
   * record the source both before and after its policy is stored (actions/redrive-check.ts). A name
   * recorded for a write that never happened is harmless: deadLetterSources checks each against its
   * source's policy.
   */
  async recordDeadLetterSource(dlq: QueueRef, source: string): Promise<void> {
    await this.redis.sadd(this.keys(dlq).sources, source);
  }

  async deadLetterSources(dlq: QueueRef): Promise<string[]> {
    const sourcesKey = this.keys(dlq).sources;
    const names = (await this.redis.smembers(sourcesKey)).sort();
    if (names.length === 0) return names;
    // The set only grows when a policy is set; each source's policy is the truth. A name whose
    // policy does not (yet) name dlq is dropped: the action that records it records it again once
    // its policy is stored.
    const targets = await Promise.all(
      names.map((name) => this.redis.hget(this.keys({ account: dlq.account, name }).meta, REDRIVE_TARGET)),
    );
    return names.filter((name, i) => {
      const current = decodeRedriveTarget(targets[i]) === dlq.name;
      if (!current) void this.redis.srem(sourcesKey, name);
      return current;
    });
  }

  async peekMessages(q: QueueRef, options: PeekOptions): Promise<PeekResult | undefined> {
    const result = await messageScripts.peekMessages(this.scripts, this.cached(q), {
      now: options.now,
      limit: options.limit ?? PEEK_LIMIT,
      inflight: options.inflight !== false,
      delayed: options.delayed !== false,
    });
    if (result.status === 'missing') return undefined;
    return { messages: result.messages, more: result.more };
  }

  async deleteMessage(q: QueueRef, id: string, now: number): Promise<DeleteOneStatus | undefined> {
    return present(await messageScripts.deleteMessage(this.scripts, this.cached(q), { now, id }))?.status;
  }

  /** The accounts that have queues (redis-accounts.ts). */
  listAccounts(): Promise<string[]> {
    return this.accounts.list();
  }

  pollerStats(): Promise<PollerStats[]> {
    return readPollerStats(this.redis, this.prefix);
  }

  wakeChannel(q: QueueRef): string {
    return this.keys(q).wake;
  }
}
