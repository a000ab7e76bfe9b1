/**
 * Typed calls of the scripts that move messages between queues (outbox, accept), sweep a queue and
 * keep its message move tasks: each builds the script's KEYS and ARGV (see the .lua header) from
 * named fields and decodes its reply.
 */
import type { MessagePayload } from '../../domain.js';
import { availableKey, type CachedKeys } from '../keys.js';
import { encodePayload } from '../payload.js';
import type { Scripts } from '../scripts.js';
import type { Missing } from './queue.js';
import { decode, entryStatus, flag } from './status.js';

const MISSING: Missing = { status: 'missing' };

export interface OutboxEntry {
  id: string;
  /** `dlq:<queue>`, `move:<queue>`, or `move:` (back to the message's source): redrive-fields.ts. */
  destination: string;
  /** The move's own token (a repeated move of the same message is another move). */
  moveToken: string;
  /** The encoded payload; undefined when the message is gone (deleted or expired meanwhile). */
  payload: string | undefined;
  /** Enqueue time of the message (ms). */
  sentAt: number;
}

/** outbox-read.lua (read-only): the oldest `limit` entries that entered at or before `before`. */
export async function outboxRead(
  scripts: Scripts,
  q: CachedKeys,
  a: { limit: number; before: number },
): Promise<OutboxEntry[]> {
  const reply = await scripts.run('outbox-read', q.message, [flag(q.fifo), a.limit, a.before]);
  const rows = decode('outbox-read', reply, ['OK']).reply;
  const out: OutboxEntry[] = [];
  for (let i = 1; i + 5 < rows.length; i += 6) {
    const body = String(rows[i + 3]);
    out.push({
      id: String(rows[i]),
      destination: String(rows[i + 1]),
      moveToken: String(rows[i + 2]),
      payload: body === '' ? undefined : body,
      sentAt: Number(rows[i + 5]),
    });
  }
  return out;
}

export interface MovedMessage {
  id: string;
  payload: MessagePayload;
  /** Counts for the retention period. */
  sentAt: number;
  /** '' on a standard queue. */
  group: string;
  /** `<source queue>#<move token>`: a move accepted before is not stored again. */
  moveKey: string;
}

/** accept-moved.lua: stores messages moved here; per message, whether it was accepted before. */
export async function acceptMoved(
  scripts: Scripts,
  q: CachedKeys,
  a: { now: number; messages: readonly MovedMessage[] },
): Promise<{ status: 'ok'; stored: boolean[] } | Missing> {
  const args: (string | number)[] = [flag(q.fifo), a.now, q.keys.wake];
  for (const m of a.messages) args.push(m.id, encodePayload(m.payload), m.sentAt, m.group, m.moveKey);
  const { status, reply } = decode('accept-moved', await scripts.run('accept-moved', q.message, args), [
    'OK',
    'MISSING',
  ]);
  if (status === 'MISSING') return MISSING;
  const stored: boolean[] = [];
  for (let i = 1; i < reply.length; i++)
    stored.push(entryStatus('accept-moved', reply, i, ['OK', 'DUPLICATE']) === 'OK');
  return { status: 'ok', stored };
}

/**
 * outbox-finish.lua: 'done' forgets a message the destination now holds, 'return' makes it
 * available here again. Returns the ids of the 'done' entries this call ended (a concurrent drain
 * may have ended others).
 */
export async function outboxFinish(
  scripts: Scripts,
  q: CachedKeys,
  a: { entries: readonly { id: string; outcome: 'done' | 'return' }[] },
): Promise<string[]> {
  const args: (string | number)[] = [flag(q.fifo)];
  for (const e of a.entries) args.push(e.id, e.outcome);
  const { reply } = decode('outbox-finish', await scripts.run('outbox-finish', q.message, args), ['OK']);
  return reply.slice(2).map(String);
}

/** claim-for-move.lua: up to `max` available messages into the outbox for `destination`. */
export async function claimForMove(
  scripts: Scripts,
  q: CachedKeys,
  a: { now: number; max: number; destination: string },
): Promise<{ status: 'ok'; claimed: number } | Missing> {
  const reply = await scripts.run('claim-for-move', q.message, [flag(q.fifo), a.now, a.max, a.destination]);
  const decoded = decode('claim-for-move', reply, ['OK', 'MISSING']);
  return decoded.status === 'MISSING' ? MISSING : { status: 'ok', claimed: Number(decoded.reply[1]) };
}

export interface SweepStep {
  status: 'ok';
  removed: number;
  other: number;
  outbox: number;
  /** When the oldest outbox entry entered (ms); undefined when the outbox is empty. */
  oldestOutboxMs: number | undefined;
  /** The id of the queue's active move task (meta `_movetask`), if any. */
  activeTask: string | undefined;
}

/** sweep-queue.lua: one bounded step of the sweeper on one queue. */
export async function sweepQueue(
  scripts: Scripts,
  q: CachedKeys,
  a: { now: number; limit: number; movedIdLifetimeMs: number },
): Promise<SweepStep | Missing> {
  const args = [flag(q.fifo), a.now, a.limit, a.movedIdLifetimeMs];
  const { status, reply } = decode('sweep-queue', await scripts.run('sweep-queue', q.message, args), ['OK', 'MISSING']);
  if (status === 'MISSING') return MISSING;
  const oldest = Number(reply[4]);
  const task = String(reply[5] ?? '');
  return {
    status: 'ok',
    removed: Number(reply[1]),
    other: Number(reply[2]),
    outbox: Number(reply[3]),
    oldestOutboxMs: oldest >= 0 ? oldest : undefined,
    activeTask: task === '' ? undefined : task,
  };
}

/** start-move-task.lua: the stored task JSON, unless a task is active ('busy'). */
export async function startMoveTask(
  scripts: Scripts,
  q: CachedKeys,
  a: { now: number; taskId: string; taskJson: string },
): Promise<{ status: 'ok'; taskJson: string } | { status: 'busy' } | Missing> {
  const k = q.keys;
  const keys = [k.meta, k.tasks, availableKey(q), k.delayed, k.inflight];
  const { status, reply } = decode(
    'start-move-task',
    await scripts.run('start-move-task', keys, [a.now, a.taskId, a.taskJson]),
    ['OK', 'MISSING', 'BUSY'],
  );
  if (status === 'MISSING') return MISSING;
  if (status === 'BUSY') return { status: 'busy' };
  return { status: 'ok', taskJson: String(reply[1]) };
}

/** update-move-task.lua: the updated task JSON. */
export async function updateMoveTask(
  scripts: Scripts,
  q: CachedKeys,
  a: { taskId: string; moved: number; status: string; reason: string; requireStatus: string },
): Promise<{ status: 'ok'; taskJson: string } | { status: 'no-task' } | { status: 'wrong-status' }> {
  const { status, reply } = decode(
    'update-move-task',
    await scripts.run(
      'update-move-task',
      [q.keys.meta, q.keys.tasks],
      [a.taskId, a.moved, a.status, a.reason, a.requireStatus],
    ),
    ['OK', 'NO_TASK', 'WRONG_STATUS'],
  );
  if (status === 'NO_TASK') return { status: 'no-task' };
  if (status === 'WRONG_STATUS') return { status: 'wrong-status' };
  return { status: 'ok', taskJson: String(reply[1]) };
}
