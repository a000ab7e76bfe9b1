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
import { activeTasksKey, type CachedKeys, KeyCache, leaseKey } from './keys.js';
import type {
  ActiveTask,
  DrainResult,
  MovedBatch,
  MoveObserver,
  Moves,
  MoveTask,
  MoveTaskChange,
  SweepResult,
} from './moves.js';
import { decodePayload } from './payload.js';
import { decodeDestination, encodeDestination } from './redrive-fields.js';
import { lease } from './scripts/lease.js';
import * as moveScripts from './scripts/moves.js';
import type { Scripts } from './scripts.js';

/** How long a destination remembers an accepted id, so a repeated move cannot store it twice. */
export const MOVED_ID_LIFETIME_MS = 60 * 60 * 1000;

/** A UUID-shaped id that depends only on the move, so a repeated move gives the same id. */
function idFromMove(moveKey: string): string {
  const h = createHash('sha256').update(`redsqs-move:${moveKey}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((Number.parseInt(h[16] as string, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export class RedisMoves implements Moves {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly scripts: Scripts,
    private readonly prefix: string,
    private readonly region: string,
    private readonly keyCache = new KeyCache(prefix),
  ) {}

  /** The queue's key names and message KEYS, as the script wrappers take them. */
  private keys(q: QueueRef): CachedKeys {
    return this.keyCache.get(q);
  }

  private observers: MoveObserver[] = [];

  observe(observer: MoveObserver): () => void {
    this.observers = [...this.observers, observer];
    return () => {
      this.observers = this.observers.filter((o) => o !== observer);
    };
  }

  /** Finishes the moves waiting in q's outbox (those that entered at or before `before`). */
  async drainOutbox(q: QueueRef, now: number, limit = 100, before = now): Promise<DrainResult> {
    const rows = await moveScripts.outboxRead(this.scripts, this.keys(q), { limit, before });
    const result: DrainResult = { moved: 0, returned: 0, unroutable: [], missing: [], batches: [] };
    if (rows.length === 0) return result;
    const sourceArn = queueArn(this.region, q);
    const byDestination = new Map<
      string,
      { ids: string[]; messages: moveScripts.MovedMessage[]; kind: MovedBatch['kind'] }
    >();
    const finish: { id: string; outcome: 'done' | 'return' }[] = [];
    for (const row of rows) {
      const { id } = row;
      const moveKey = `${q.name}#${row.moveToken}`;
      if (row.payload === undefined) {
        finish.push({ id, outcome: 'done' }); // deleted or expired meanwhile
        continue;
      }
      const payload = decodePayload(row.payload);
      const destination = decodeDestination(row.destination);
      let target = destination.queue;
      let movedId = id;
      let sentAt = row.sentAt;
      if (destination.kind === 'dlq') {
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
        finish.push({ id, outcome: 'return' });
        continue;
      }
      const fifo = isFifoName(target);
      // A standard dead-letter queue counts retention from the original enqueue, a FIFO one from the move.
      if (fifo) sentAt = now;
      const kind = destination.kind === 'dlq' ? 'dead-letter' : 'move';
      const entry = byDestination.get(target) ?? { ids: [], messages: [], kind };
      entry.ids.push(id);
      entry.messages.push({ id: movedId, payload, sentAt, group: fifo ? (payload.groupId ?? '') : '', moveKey });
      byDestination.set(target, entry);
    }
    const accepted = new Map<string, { target: string; kind: MovedBatch['kind']; movedId: string }>();
    for (const [target, { ids, messages, kind }] of byDestination) {
      const t = this.keyCache.get({ account: q.account, name: target });
      const reply = await moveScripts.acceptMoved(this.scripts, t, { now, messages });
      const outcome = reply.status === 'missing' ? 'return' : 'done';
      if (reply.status === 'missing') {
        result.missing.push(target);
        result.returned += ids.length;
      } else {
        for (const [j, id] of ids.entries()) accepted.set(id, { target, kind, movedId: messages[j]?.id ?? id });
      }
      for (const id of ids) finish.push({ id, outcome });
    }
    result.returned += result.unroutable.length;
    if (finish.length === 0) return result;
    const ended = await moveScripts.outboxFinish(this.scripts, this.keys(q), { entries: finish });
    result.moved = ended.length;
    const batches = new Map<string, MovedBatch>();
    for (const id of ended) {
      const a = accepted.get(id);
      if (!a) continue; // deleted or expired meanwhile: nothing was handed over
      let batch = batches.get(a.target);
      if (!batch) {
        batch = { source: q, target: { account: q.account, name: a.target }, kind: a.kind, messages: [], at: now };
        batches.set(a.target, batch);
      }
      batch.messages.push({ id, movedId: a.movedId });
    }
    result.batches = [...batches.values()];
    for (const batch of result.batches) {
      for (const o of this.observers) {
        try {
          o.moved(batch);
        } catch {
          // an observer's failure is its own: the moves are done
        }
      }
    }
    return result;
  }

  /** Puts up to `max` available messages of q in its outbox for `destination` ('' = their source). */
  async claimForMove(q: QueueRef, now: number, max: number, destination: string): Promise<number> {
    const claim = await moveScripts.claimForMove(this.scripts, this.keys(q), {
      now,
      max,
      destination: encodeDestination({ kind: 'move', queue: destination }),
    });
    return claim.status === 'ok' ? claim.claimed : 0;
  }

  /**
   * One bounded step of the sweeper on q. It also lists q's active move task for the task runners
   * (an idempotent SADD): the listing is written after the task (startTask), so a crash between the
   * two would otherwise leave a task that no runner sees, and that blocks the queue's next task.
   */
  async sweepQueue(q: QueueRef, now: number, limit: number): Promise<SweepResult | undefined> {
    const step = await moveScripts.sweepQueue(this.scripts, this.keys(q), {
      now,
      limit,
      movedIdLifetimeMs: MOVED_ID_LIFETIME_MS,
    });
    if (step.status === 'missing') return undefined;
    if (step.activeTask !== undefined) await this.listActiveTask(q, step.activeTask);
    return {
      removed: step.removed,
      other: step.other,
      outbox: step.outbox,
      ...(step.oldestOutboxMs !== undefined ? { oldestOutboxMs: step.oldestOutboxMs } : {}),
    };
  }

  /**
   * Two steps: the task (the queue's slot), then its listing for the runners (a shared key). The
   * other order would let a runner that finds the listing before the task drop it as stale. A crash
   * between the two leaves a task that no runner sees: the failed call's retry finds it active
   * ('busy') and lists it, and so does the sweeper's next pass over the queue (sweepQueue).
   */
  async startTask(q: QueueRef, now: number, taskId: string, task: MoveTask): Promise<MoveTask | 'busy' | undefined> {
    const started = await moveScripts.startMoveTask(this.scripts, this.keys(q), {
      now,
      taskId,
      taskJson: JSON.stringify(task),
    });
    if (started.status === 'missing') return undefined;
    if (started.status === 'busy') {
      const active = await this.redis.hget(this.keys(q).keys.meta, '_movetask');
      if (active) await this.listActiveTask(q, active);
      return 'busy';
    }
    await this.listActiveTask(q, taskId);
    return JSON.parse(started.taskJson) as MoveTask;
  }

  /** Lists a task for the task runners (idempotent; a runner drops a listing whose task has ended). */
  private async listActiveTask(q: QueueRef, taskId: string): Promise<void> {
    await this.redis.sadd(activeTasksKey(this.prefix), `${q.account}/${q.name}/${taskId}`);
  }

  /**
   * Two steps: the task (the queue's slot), then, once it has ended, its listing goes. A crash
   * between the two leaves a listing of an ended task, which a runner drops at its next tick.
   */
  async updateTask(
    q: QueueRef,
    taskId: string,
    change: MoveTaskChange,
  ): Promise<MoveTask | 'wrong-status' | undefined> {
    const updated = await moveScripts.updateMoveTask(this.scripts, this.keys(q), {
      taskId,
      moved: change.moved ?? 0,
      status: change.status ?? '',
      reason: change.reason ?? '',
      requireStatus: change.requireStatus ?? '',
    });
    if (updated.status === 'no-task') return undefined;
    if (updated.status === 'wrong-status') return 'wrong-status';
    const task = JSON.parse(updated.taskJson) as MoveTask;
    if (task.Status === 'COMPLETED' || task.Status === 'CANCELLED' || task.Status === 'FAILED') {
      await this.redis.srem(activeTasksKey(this.prefix), `${q.account}/${q.name}/${taskId}`);
    }
    return task;
  }

  async getTask(q: QueueRef, taskId: string): Promise<MoveTask | undefined> {
    const json = await this.redis.hget(this.keys(q).keys.tasks, taskId);
    return json ? (JSON.parse(json) as MoveTask) : undefined;
  }

  /** The queue's tasks, most recent first. */
  async listTasks(q: QueueRef): Promise<MoveTask[]> {
    const all = await this.redis.hvals(this.keys(q).keys.tasks);
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
    const taken = await lease(this.scripts, { key: leaseKey(this.prefix, name), owner, lifetimeMs: ms });
    return taken.status === 'ok';
  }

  /** Gives a lease up, if `owner` holds it (compare and delete in one script). */
  async releaseLease(name: string, owner: string): Promise<void> {
    await lease(this.scripts, { key: leaseKey(this.prefix, name), owner, lifetimeMs: 0 });
  }
}
