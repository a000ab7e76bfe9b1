/**
 * Moving messages between queues (dead-letter redrive, message move tasks), the background sweep,
 * move task records and leases. Queues live in different hash slots, so a move is a handoff:
 * the message waits in the source's outbox (one script), the destination accepts it idempotently
 * by message id (one script), and only then does the source forget it (one script). A crash
 * between any two steps leaves the message in the outbox, and the next drain finishes the move
 * without losing or duplicating it.
 */
import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { QueueRef } from '../domain.js';
import { isFifoName, parseQueueArn, queueArn } from '../sqs/queue-names.js';
import { activeTasksKey, KeyCache, leaseKey } from './keys.js';
import { decodePayload, encodePayload } from './payload.js';
import type { Scripts } from './scripts.js';

/** How long a destination remembers an accepted id, so a repeated move cannot store it twice. */
export const MOVED_ID_LIFETIME_MS = 60 * 60 * 1000;

/** A UUID-shaped id that depends only on the move, so a repeated move gives the same id. */
function idFromMove(moveKey: string): string {
  const h = createHash('sha256').update(`redsqs-move:${moveKey}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((Number.parseInt(h[16] as string, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export type MoveTaskStatus = 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';

export interface MoveTask {
  TaskHandle: string;
  Status: MoveTaskStatus;
  SourceArn: string;
  DestinationArn?: string;
  MaxNumberOfMessagesPerSecond?: number;
  ApproximateNumberOfMessagesMoved: number;
  ApproximateNumberOfMessagesToMove: number;
  FailureReason?: string;
  StartedTimestamp: number;
}

export interface DrainResult {
  /** Messages this drain handed over (a concurrent drain's moves are not counted twice). */
  moved: number;
  /** Messages put back in the source: their destination does not exist. */
  returned: number;
  /** Ids that have no destination (a move back to a source that is not recorded). */
  unroutable: string[];
  /** Destination queues that do not exist (their messages were returned). */
  missing: string[];
}

export interface SweepResult {
  removed: number;
  other: number;
  outbox: number;
  oldestOutboxMs?: number;
}

export interface ActiveTask {
  queue: QueueRef;
  taskId: string;
}

export class RedisMoves {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly scripts: Scripts,
    private readonly prefix: string,
    private readonly region: string,
    private readonly keyCache = new KeyCache(prefix),
  ) {}

  /** The KEYS of the message scripts (lib.lua). */
  private keys(q: QueueRef): readonly string[] {
    return this.keyCache.get(q).message;
  }

  /** Finishes the moves waiting in q's outbox (those that entered at or before `before`). */
  async drainOutbox(q: QueueRef, now: number, limit = 100, before = now): Promise<DrainResult> {
    const rows = await this.scripts.run('outbox-read', this.keys(q), [limit, before]);
    const result: DrainResult = { moved: 0, returned: 0, unroutable: [], missing: [] };
    if (!Array.isArray(rows) || rows.length === 0) return result;
    const sourceArn = queueArn(this.region, q);
    const byDestination = new Map<string, { ids: string[]; args: (string | number)[] }>();
    const finish: string[] = [];
    for (let i = 0; i + 5 < rows.length; i += 6) {
      const id = String(rows[i]);
      const dest = String(rows[i + 1]);
      const moveKey = `${q.name}#${String(rows[i + 2])}`;
      const body = String(rows[i + 3]);
      if (body === '') {
        finish.push(id, 'done'); // deleted or expired meanwhile
        continue;
      }
      const payload = decodePayload(body);
      const colon = dest.indexOf(':');
      const kind = dest.slice(0, colon);
      let target = dest.slice(colon + 1);
      let movedId = id;
      let sentAt = Number(rows[i + 5]);
      if (kind === 'dlq') {
        payload.deadLetterSourceArn = sourceArn;
      } else {
        if (!target && payload.deadLetterSourceArn) {
          target = parseQueueArn(payload.deadLetterSourceArn, this.region, q.account)?.name ?? '';
        }
        // SQS: "All redriven messages are considered new messages and are assigned a new
        // messageID and enqueueTime." The new id is derived from the move, so a repeat is the same.
        movedId = idFromMove(moveKey);
        sentAt = now;
        payload.sentTimestamp = now;
        payload.deadLetterSourceArn = undefined;
        if (payload.dedupId !== undefined) payload.dedupId = movedId;
      }
      if (!target) {
        result.unroutable.push(id);
        finish.push(id, 'return');
        continue;
      }
      const fifo = isFifoName(target);
      // A standard dead-letter queue counts retention from the original enqueue, a FIFO one from the move.
      if (fifo) sentAt = now;
      const entry = byDestination.get(target) ?? { ids: [], args: [] };
      entry.ids.push(id);
      entry.args.push(movedId, encodePayload(payload), sentAt, fifo ? (payload.groupId ?? '') : '', moveKey);
      byDestination.set(target, entry);
    }
    for (const [target, { ids, args }] of byDestination) {
      const t = this.keyCache.get({ account: q.account, name: target });
      const reply = await this.scripts.run('accept-moved', t.message, [now, t.keys.wake, ...args]);
      if (reply === -1) {
        result.missing.push(target);
        result.returned += ids.length;
        for (const id of ids) finish.push(id, 'return');
      } else {
        for (const id of ids) finish.push(id, 'done');
      }
    }
    result.returned += result.unroutable.length;
    if (finish.length > 0) result.moved = Number(await this.scripts.run('outbox-finish', this.keys(q), finish));
    return result;
  }

  /** Puts up to `max` available messages of q in its outbox for `destination` ('' = their source). */
  async claimForMove(q: QueueRef, now: number, max: number, destination: string): Promise<number> {
    return Number(await this.scripts.run('claim-for-move', this.keys(q), [now, max, `move:${destination}`]));
  }

  async sweepQueue(q: QueueRef, now: number, limit: number): Promise<SweepResult | undefined> {
    const reply = await this.scripts.run('sweep-queue', this.keys(q), [now, limit, MOVED_ID_LIFETIME_MS]);
    if (!Array.isArray(reply)) return undefined;
    const oldest = Number(reply[3]);
    return {
      removed: Number(reply[0]),
      other: Number(reply[1]),
      outbox: Number(reply[2]),
      ...(oldest >= 0 ? { oldestOutboxMs: oldest } : {}),
    };
  }

  async startTask(q: QueueRef, now: number, taskId: string, task: MoveTask): Promise<MoveTask | 'missing' | 'busy'> {
    const { keys, message } = this.keyCache.get(q);
    const reply = await this.scripts.run(
      'start-move-task',
      [...message, keys.tasks],
      [now, taskId, JSON.stringify(task)],
    );
    if (reply === 0) return 'missing';
    if (reply === -1) return 'busy';
    await this.redis.sadd(activeTasksKey(this.prefix), `${q.account}/${q.name}/${taskId}`);
    return JSON.parse(String(reply)) as MoveTask;
  }

  async updateTask(
    q: QueueRef,
    taskId: string,
    change: { moved?: number; status?: MoveTaskStatus; reason?: string; requireStatus?: MoveTaskStatus },
  ): Promise<MoveTask | 'missing' | 'wrong-status'> {
    const k = this.keyCache.get(q).keys;
    const reply = await this.scripts.run(
      'update-move-task',
      [k.meta, k.tasks],
      [taskId, change.moved ?? 0, change.status ?? '', change.reason ?? '', change.requireStatus ?? ''],
    );
    if (reply === 0) return 'missing';
    if (reply === -1) return 'wrong-status';
    const task = JSON.parse(String(reply)) as MoveTask;
    if (task.Status === 'COMPLETED' || task.Status === 'CANCELLED' || task.Status === 'FAILED') {
      await this.redis.srem(activeTasksKey(this.prefix), `${q.account}/${q.name}/${taskId}`);
    }
    return task;
  }

  async getTask(q: QueueRef, taskId: string): Promise<MoveTask | undefined> {
    const json = await this.redis.hget(this.keyCache.get(q).keys.tasks, taskId);
    return json ? (JSON.parse(json) as MoveTask) : undefined;
  }

  /** The queue's tasks, most recent first. */
  async listTasks(q: QueueRef): Promise<MoveTask[]> {
    const all = await this.redis.hvals(this.keyCache.get(q).keys.tasks);
    return all.map((j) => JSON.parse(j) as MoveTask).sort((a, b) => b.StartedTimestamp - a.StartedTimestamp);
  }

  async dropActiveTask(t: ActiveTask): Promise<void> {
    await this.redis.srem(activeTasksKey(this.prefix), `${t.queue.account}/${t.queue.name}/${t.taskId}`);
  }

  async activeTasks(): Promise<ActiveTask[]> {
    const members = await this.redis.smembers(activeTasksKey(this.prefix));
    return members.map((m) => {
      const [account, name, taskId] = m.split('/') as [string, string, string];
      return { queue: { account, name }, taskId };
    });
  }

  /** Takes or renews a lease; true while `owner` holds it. */
  async lease(name: string, owner: string, ms: number): Promise<boolean> {
    return (await this.scripts.run('lease', [leaseKey(this.prefix, name)], [owner, ms])) === 1;
  }

  /** Gives a lease up, if `owner` holds it (compare and delete in one script). */
  async releaseLease(name: string, owner: string): Promise<void> {
    await this.scripts.run('lease', [leaseKey(this.prefix, name)], [owner, 0]);
  }
}
