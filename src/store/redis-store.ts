/**
 * The Store on Redis: builds keys, runs one Lua script per state change and maps the scripts'
 * status codes to domain results. Knows nothing of HTTP or SQS error codes.
 */
import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { dict } from '../dict.js';
import type { NewMessage, QueueAttributes, QueueRef } from '../domain.js';
import { isFifoName } from '../sqs/queue-names.js';
import { allQueueKeys, KeyCache, type QueueKeys, registryKey } from './keys.js';
import { encodePayload } from './payload.js';
import { asArray, parseFifoSendReply, parsePeekReply, parseReceiveReply, parseSendReply } from './replies.js';
import { type Reply, Scripts } from './scripts.js';
import type {
  CreateQueueResult,
  DeleteStatus,
  PeekOptions,
  PeekResult,
  QueueState,
  ReceiveOptions,
  SendResult,
  Store,
  StoreReceiveResult,
  VisibilityStatus,
} from './store.js';
import { PEEK_LIMIT } from './store.js';

function pairs(record: Record<string, string>): string[] {
  return Object.entries(record).flat();
}

function hashFrom(flat: Reply[], from = 0): Record<string, string> {
  const out = dict<string>();
  for (let i = from; i + 1 < flat.length; i += 2) out[String(flat[i])] = String(flat[i + 1]);
  return out;
}

/** SQS's deduplication interval and ReceiveRequestAttemptId lifetime: 5 minutes. */
export const DEDUP_WINDOW_MS = 5 * 60 * 1000;
export const ATTEMPT_WINDOW_MS = 5 * 60 * 1000;

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

const VISIBILITY: Record<number, VisibilityStatus> = {
  0: 'changed',
  1: 'not-inflight',
  2: 'no-message',
  3: 'over-limit',
  4: 'expired',
};

export class RedisStore implements Store {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
    private readonly scripts: Scripts = new Scripts(redis),
    private readonly keyCache = new KeyCache(prefix),
    private readonly receiptTokens = new ReceiptTokens(),
  ) {}

  private keys(q: QueueRef): QueueKeys {
    return this.keyCache.get(q).keys;
  }

  /** The KEYS of the message scripts (lib.lua). */
  private messageKeys(q: QueueRef): readonly string[] {
    return this.keyCache.get(q).message;
  }

  async createQueue(
    q: QueueRef,
    stored: QueueAttributes,
    requested: QueueAttributes,
    tags: Record<string, string>,
    now: number,
  ): Promise<CreateQueueResult> {
    const k = this.keys(q);
    const args = [
      now,
      Object.keys(stored).length,
      ...pairs(stored),
      Object.keys(requested).length,
      ...pairs(requested),
      Object.keys(tags).length,
      ...pairs(tags),
    ];
    const reply = asArray(await this.scripts.run('create-queue', [k.meta, k.tags, k.tombstone], args));
    switch (reply[0]) {
      case 1:
        // The registry lives in its own slot; ListQueues double-checks entries against meta keys.
        await this.redis.zadd(registryKey(this.prefix, q.account), 0, q.name);
        return { status: 'created' };
      case 0:
        await this.redis.zadd(registryKey(this.prefix, q.account), 0, q.name);
        return { status: 'exists' };
      case 2:
        return { status: 'differs', attribute: String(reply[1]) };
      default:
        return { status: 'deleted-recently' };
    }
  }

  async deleteQueue(q: QueueRef, now: number, tombstoneMs: number): Promise<boolean> {
    const k = this.keys(q);
    // The name leaves the registry first: a crash in between leaves a stale name (which listQueues
    // filters out), never a live queue that ListQueues cannot see.
    await this.redis.zrem(registryKey(this.prefix, q.account), q.name);
    const until = tombstoneMs > 0 ? now + tombstoneMs : 0;
    const keep = tombstoneMs + TOMBSTONE_MARGIN_MS;
    const reply = await this.scripts.run('delete-queue', [k.tombstone, ...allQueueKeys(k)], [until, keep, k.wake]);
    return reply === 1;
  }

  async queueExists(q: QueueRef): Promise<boolean> {
    return (await this.redis.exists(this.keys(q).meta)) === 1;
  }

  async getQueue(q: QueueRef, now: number): Promise<QueueState | undefined> {
    const reply = await this.scripts.run('get-queue-attributes', this.messageKeys(q), [now]);
    if (!Array.isArray(reply)) return undefined;
    const all = hashFrom(reply, 3);
    const attributes: QueueAttributes = {};
    for (const [name, value] of Object.entries(all)) if (!name.startsWith('_')) attributes[name] = value;
    return {
      attributes,
      counts: { visible: Number(reply[0]), notVisible: Number(reply[1]), delayed: Number(reply[2]) },
      createdMs: Number(all._created),
      modifiedMs: Number(all._modified),
    };
  }

  async setQueueAttributes(q: QueueRef, attributes: QueueAttributes, now: number): Promise<boolean> {
    const reply = await this.scripts.run('set-queue-attributes', [this.keys(q).meta], [now, ...pairs(attributes)]);
    return reply === 1;
  }

  async swapQueueAttribute(
    q: QueueRef,
    name: string,
    expected: string,
    next: string,
    now: number,
  ): Promise<'ok' | 'missing' | 'conflict'> {
    const reply = await this.scripts.run('swap-queue-attribute', [this.keys(q).meta], [now, name, expected, next]);
    return reply === 1 ? 'ok' : reply === 0 ? 'missing' : 'conflict';
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

  async sendMessages(q: QueueRef, messages: NewMessage[], now: number): Promise<SendResult | undefined> {
    const k = this.keys(q);
    if (isFifoName(q.name)) {
      const args: (string | number)[] = [now, k.wake, DEDUP_WINDOW_MS];
      for (const m of messages) {
        args.push(
          m.id,
          encodePayload(m.payload),
          m.size,
          m.payload.groupId ?? '',
          m.dedupId ?? '',
          m.contentHash ?? '',
        );
      }
      return parseFifoSendReply(await this.scripts.run('send-fifo-messages', this.messageKeys(q), args));
    }
    const args: (string | number)[] = [now, k.wake];
    for (const m of messages) args.push(m.id, encodePayload(m.payload), m.delayMs ?? -1, m.size);
    return parseSendReply(await this.scripts.run('send-messages', this.messageKeys(q), args));
  }

  async receiveMessages(q: QueueRef, options: ReceiveOptions): Promise<StoreReceiveResult> {
    const token = this.receiptTokens.next();
    const args = [options.now, options.max, options.visibilityMs ?? -1, token, options.inflightLimit];
    if (isFifoName(q.name)) {
      args.push(options.attemptId ?? '', ATTEMPT_WINDOW_MS);
      return parseReceiveReply(await this.scripts.run('receive-fifo-messages', this.messageKeys(q), args));
    }
    return parseReceiveReply(await this.scripts.run('receive-messages', this.messageKeys(q), args));
  }

  async deleteMessages(
    q: QueueRef,
    receipts: { id: string; token: string }[],
    now: number,
  ): Promise<DeleteStatus[] | undefined> {
    if (receipts.length === 0) return (await this.queueExists(q)) ? [] : undefined;
    const args = [now, ...receipts.flatMap((r) => [r.id, r.token])];
    const reply = await this.scripts.run('delete-messages', this.messageKeys(q), args);
    if (!Array.isArray(reply)) return undefined;
    return reply.map((code) => (code === 1 ? 'deleted' : code === 2 ? 'expired' : 'gone'));
  }

  async changeVisibility(
    q: QueueRef,
    entries: { id: string; token: string; visibilityMs: number }[],
    now: number,
    limitMs: number,
  ): Promise<VisibilityStatus[] | undefined> {
    const k = this.keys(q);
    const args: (string | number)[] = [now, limitMs, k.wake];
    for (const e of entries) args.push(e.id, e.token, e.visibilityMs);
    const reply = await this.scripts.run('change-visibility', this.messageKeys(q), args);
    if (!Array.isArray(reply)) return undefined;
    return reply.map((code) => VISIBILITY[Number(code)] ?? 'no-message');
  }

  async purgeQueue(q: QueueRef, now: number, cooldownMs: number): Promise<'ok' | 'missing' | 'too-soon'> {
    const reply = await this.scripts.run('purge-queue', this.messageKeys(q), [now, cooldownMs]);
    return reply === 1 ? 'ok' : reply === 0 ? 'missing' : 'too-soon';
  }

  async tagQueue(q: QueueRef, tags: Record<string, string>, maxTags: number): Promise<'ok' | 'missing' | 'too-many'> {
    const k = this.keys(q);
    const reply = await this.scripts.run('tag-queue', [k.meta, k.tags], [maxTags, ...pairs(tags)]);
    return reply === 1 ? 'ok' : reply === 0 ? 'missing' : 'too-many';
  }

  async untagQueue(q: QueueRef, keys: string[]): Promise<boolean> {
    const k = this.keys(q);
    return (await this.scripts.run('untag-queue', [k.meta, k.tags], keys)) === 1;
  }

  async listQueueTags(q: QueueRef): Promise<Record<string, string> | undefined> {
    const k = this.keys(q);
    const reply = await this.scripts.run('read-queue-hash', [k.meta, k.tags], []);
    return Array.isArray(reply) ? hashFrom(reply) : undefined;
  }

  async recordDeadLetterSource(dlq: QueueRef, source: string): Promise<void> {
    await this.redis.sadd(this.keys(dlq).sources, source);
  }

  async deadLetterSources(dlq: QueueRef): Promise<string[]> {
    const sourcesKey = this.keys(dlq).sources;
    const names = (await this.redis.smembers(sourcesKey)).sort();
    if (names.length === 0) return names;
    // The set only grows when a policy is set; each source's policy is the truth.
    const targets = await Promise.all(
      names.map((name) => this.redis.hget(this.keys({ account: dlq.account, name }).meta, '_redriveTarget')),
    );
    return names.filter((name, i) => {
      const current = targets[i] === `dlq:${dlq.name}`;
      if (!current) void this.redis.srem(sourcesKey, name);
      return current;
    });
  }

  async peekMessages(q: QueueRef, options: PeekOptions): Promise<PeekResult | undefined> {
    const args = [
      options.now,
      Math.max(1, options.limit ?? PEEK_LIMIT),
      options.inflight === false ? 0 : 1,
      options.delayed === false ? 0 : 1,
    ];
    return parsePeekReply(await this.scripts.run('peek-messages', this.messageKeys(q), args));
  }

  wakeChannel(q: QueueRef): string {
    return this.keys(q).wake;
  }
}
