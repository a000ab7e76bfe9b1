/**
 * Typed calls of the message scripts (send, receive, delete, change visibility, peek): each builds
 * the script's KEYS (the queue's message keys) and ARGV (see the .lua header) from named fields and
 * decodes its reply.
 */
import type { NewMessage } from '../../domain.js';
import type { CachedKeys } from '../keys.js';
import { decodePayload, encodePayload } from '../payload.js';
import type { Reply, Scripts } from '../scripts.js';
import type {
  DeleteStatus,
  PeekedMessage,
  PeekResult,
  SendOutcome,
  SendResult,
  StoredReceipt,
  StoreReceiveResult,
  VisibilityStatus,
} from '../store.js';
import type { Missing } from './queue.js';
import { decode, entryStatus, flag } from './status.js';

const MISSING: Missing = { status: 'missing' };

// The statuses each reply may hold, made once (not an array per call or per entry).
const OK_OR_MISSING = ['OK', 'MISSING'] as const;
const SEND_ENTRY = ['OK', 'TOO_LARGE'] as const;
const FIFO_SEND_ENTRY = ['OK', 'DUPLICATE', 'TOO_LARGE', 'NO_DEDUP_ID'] as const;
const RECEIVE = ['OK', 'EMPTY', 'MISSING', 'TOO_MANY'] as const;
const DELETE_ENTRY = ['OK', 'GONE', 'EXPIRED'] as const;
const DELETE_ONE = ['OK', 'GONE', 'MISSING'] as const;
const VISIBILITY_ENTRY = ['OK', 'NOT_INFLIGHT', 'GONE', 'OVER_LIMIT', 'EXPIRED'] as const;

/** The messages of one request and its moment (send time, start of their delays). */
export interface SendCall {
  now: number;
  messages: readonly NewMessage[];
}

/**
 * send-messages.lua (standard queue), carrying the messages of one or more requests in one call:
 * a result per request, in order (or MISSING for all of them). delayMs undefined takes the queue's
 * DelaySeconds.
 */
export async function sendMessageCalls(
  scripts: Scripts,
  q: CachedKeys,
  calls: readonly SendCall[],
): Promise<SendResult[] | Missing> {
  const args: (string | number)[] = [q.keys.wake];
  for (const c of calls) {
    for (const m of c.messages) args.push(m.id, encodePayload(m.payload), m.delayMs ?? -1, m.size, c.now);
  }
  const { status, reply } = decode('send-messages', await scripts.run('send-messages', q.message, args), OK_OR_MISSING);
  if (status === 'MISSING') return MISSING;
  return perRequest(calls, reply, 2, (i) =>
    entryStatus('send-messages', reply, i, SEND_ENTRY) === 'OK'
      ? { status: 'stored', seq: String(reply[i + 1]) }
      : { status: 'too-large' },
  );
}

/**
 * A send reply ({OK, maxSize, then `stride` values per message}) as one result per request: each
 * request's messages are the next ones, in order.
 */
function perRequest(
  calls: readonly SendCall[],
  reply: Reply[],
  stride: number,
  outcome: (at: number) => SendOutcome,
): SendResult[] {
  const maxSize = Number(reply[1]);
  let i = 2;
  return calls.map((c) => {
    const outcomes: SendOutcome[] = [];
    for (let n = 0; n < c.messages.length; n++, i += stride) outcomes.push(outcome(i));
    return { maxSize, outcomes };
  });
}

/**
 * send-fifo-messages.lua (FIFO queue), carrying the messages of one or more requests in one call:
 * a result per request, in order (or MISSING for all of them), the same as one call each would give.
 */
export async function sendFifoMessageCalls(
  scripts: Scripts,
  q: CachedKeys,
  dedupWindowMs: number,
  calls: readonly SendCall[],
): Promise<SendResult[] | Missing> {
  const args: (string | number)[] = [q.keys.wake, dedupWindowMs];
  for (const c of calls) {
    args.push(c.now, c.messages.length);
    for (const m of c.messages) {
      args.push(m.id, encodePayload(m.payload), m.size, m.payload.groupId ?? '', m.dedupId ?? '', m.contentHash ?? '');
    }
  }
  const { status, reply } = decode(
    'send-fifo-messages',
    await scripts.run('send-fifo-messages', q.message, args),
    OK_OR_MISSING,
  );
  if (status === 'MISSING') return MISSING;
  return perRequest(calls, reply, 3, (i) => fifoOutcome(reply, i));
}

function fifoOutcome(reply: Reply[], i: number): SendOutcome {
  const seq = String(reply[i + 2]);
  switch (entryStatus('send-fifo-messages', reply, i, FIFO_SEND_ENTRY)) {
    case 'OK':
      return { status: 'stored', seq };
    case 'DUPLICATE':
      return { status: 'duplicate', id: String(reply[i + 1]), seq };
    case 'TOO_LARGE':
      return { status: 'too-large' };
    case 'NO_DEDUP_ID':
      return { status: 'no-dedup-id' };
  }
}

export interface ReceiveArgs {
  now: number;
  max: number;
  /** Undefined: the queue's VisibilityTimeout. */
  visibilityMs: number | undefined;
  /** Unique per call; the script appends each message's position. */
  tokenPrefix: string;
  inflightLimit: number;
}

/** receive-messages.lua (standard queue). */
export async function receiveMessages(
  scripts: Scripts,
  q: CachedKeys,
  a: ReceiveArgs,
): Promise<StoreReceiveResult | Missing> {
  const args = [a.now, a.max, a.visibilityMs ?? -1, a.tokenPrefix, a.inflightLimit];
  return receiveReply('receive-messages', await scripts.run('receive-messages', q.message, args));
}

/** receive-fifo-messages.lua (FIFO queue). */
export async function receiveFifoMessages(
  scripts: Scripts,
  q: CachedKeys,
  a: ReceiveArgs & { attemptId: string | undefined; attemptLifetimeMs: number },
): Promise<StoreReceiveResult | Missing> {
  const args = [
    a.now,
    a.max,
    a.visibilityMs ?? -1,
    a.tokenPrefix,
    a.inflightLimit,
    a.attemptId ?? '',
    a.attemptLifetimeMs,
  ];
  return receiveReply('receive-fifo-messages', await scripts.run('receive-fifo-messages', q.message, args));
}

/** The reply of both receive scripts; see their headers. */
function receiveReply(script: 'receive-messages' | 'receive-fifo-messages', raw: Reply): StoreReceiveResult | Missing {
  const { status, reply } = decode(script, raw, RECEIVE);
  switch (status) {
    case 'MISSING':
      return MISSING;
    case 'TOO_MANY':
      return { status: 'over-limit' };
    case 'EMPTY': {
      const next = Number(reply[1]);
      const queueWaitSeconds = Number(reply[2] ?? 0);
      const moved = Number(reply[3] ?? 0);
      return next >= 0
        ? { status: 'empty', nextVisibleMs: next, queueWaitSeconds, moved }
        : { status: 'empty', queueWaitSeconds, moved };
    }
  }
  const messages: StoredReceipt[] = [];
  for (let i = 2; i + 5 < reply.length; i += 6) {
    messages.push({
      id: String(reply[i]),
      payload: decodePayload(String(reply[i + 1])),
      receiveCount: Number(reply[i + 2]),
      firstReceiveTimestamp: Number(reply[i + 3]),
      token: String(reply[i + 4]),
      sequenceNumber: String(reply[i + 5]),
    });
  }
  return { status: 'ok', messages, moved: Number(reply[1]) };
}

const DELETE: Record<'OK' | 'GONE' | 'EXPIRED', DeleteStatus> = { OK: 'deleted', GONE: 'gone', EXPIRED: 'expired' };

/** The receipts of one request and its moment (when its FIFO handles are judged). */
export interface DeleteCall {
  now: number;
  receipts: readonly { id: string; token: string }[];
}

/**
 * delete-messages.lua, carrying the receipts of one or more requests in one call: per request a
 * status per receipt, in order (or MISSING for all of them).
 */
export async function deleteMessageCalls(
  scripts: Scripts,
  q: CachedKeys,
  calls: readonly DeleteCall[],
): Promise<DeleteStatus[][] | Missing> {
  const args: (string | number)[] = [flag(q.fifo)];
  for (const c of calls) for (const r of c.receipts) args.push(r.id, r.token, c.now);
  const { status, reply } = decode(
    'delete-messages',
    await scripts.run('delete-messages', q.message, args),
    OK_OR_MISSING,
  );
  if (status === 'MISSING') return MISSING;
  const results: DeleteStatus[][] = [];
  let i = 1;
  for (const c of calls) {
    const statuses: DeleteStatus[] = [];
    for (let n = 0; n < c.receipts.length; n++, i++) {
      statuses.push(DELETE[entryStatus('delete-messages', reply, i, DELETE_ENTRY)]);
    }
    results.push(statuses);
  }
  return results;
}

/** delete-message.lua: one message by id, whatever its state (no receipt needed). */
export async function deleteMessage(
  scripts: Scripts,
  q: CachedKeys,
  a: { now: number; id: string },
): Promise<{ status: 'deleted' | 'gone' } | Missing> {
  const reply = await scripts.run('delete-message', q.message, [flag(q.fifo), a.now, q.keys.wake, a.id]);
  const { status } = decode('delete-message', reply, DELETE_ONE);
  if (status === 'MISSING') return MISSING;
  return { status: status === 'OK' ? 'deleted' : 'gone' };
}

const VISIBILITY: Record<'OK' | 'NOT_INFLIGHT' | 'GONE' | 'OVER_LIMIT' | 'EXPIRED', VisibilityStatus> = {
  OK: 'changed',
  NOT_INFLIGHT: 'not-inflight',
  GONE: 'no-message',
  OVER_LIMIT: 'over-limit',
  EXPIRED: 'expired',
};

/** change-visibility.lua: a status per entry, in order. */
export async function changeVisibility(
  scripts: Scripts,
  q: CachedKeys,
  a: { now: number; limitMs: number; entries: readonly { id: string; token: string; visibilityMs: number }[] },
): Promise<{ status: 'ok'; results: VisibilityStatus[] } | Missing> {
  const args: (string | number)[] = [flag(q.fifo), a.now, a.limitMs, q.keys.wake];
  for (const e of a.entries) args.push(e.id, e.token, e.visibilityMs);
  const { status, reply } = decode(
    'change-visibility',
    await scripts.run('change-visibility', q.message, args),
    OK_OR_MISSING,
  );
  if (status === 'MISSING') return MISSING;
  const results: VisibilityStatus[] = [];
  for (let i = 1; i < reply.length; i++) {
    const s = entryStatus('change-visibility', reply, i, VISIBILITY_ENTRY);
    results.push(VISIBILITY[s]);
  }
  return { status: 'ok', results };
}

const PEEK_STATES = ['available', 'inflight', 'delayed'] as const;

/** peek-messages.lua (read-only). */
export async function peekMessages(
  scripts: Scripts,
  q: CachedKeys,
  a: { now: number; limit: number; inflight: boolean; delayed: boolean },
): Promise<({ status: 'ok' } & PeekResult) | Missing> {
  const args = [flag(q.fifo), a.now, Math.max(1, a.limit), flag(a.inflight), flag(a.delayed)];
  const { status, reply } = decode('peek-messages', await scripts.run('peek-messages', q.message, args), OK_OR_MISSING);
  if (status === 'MISSING') return MISSING;
  const messages: PeekedMessage[] = [];
  for (let i = 2; i + 7 < reply.length; i += 8) {
    const state = PEEK_STATES[Number(reply[i + 5])] ?? 'available';
    const visibleAtMs = Number(reply[i + 6]);
    messages.push({
      id: String(reply[i]),
      payload: decodePayload(String(reply[i + 1])),
      sequenceNumber: String(reply[i + 2]),
      receiveCount: Number(reply[i + 3]),
      firstReceiveTimestamp: Number(reply[i + 4]),
      state,
      ...(visibleAtMs >= 0 ? { visibleAtMs } : {}),
      groupLocked: reply[i + 7] === 1,
    });
  }
  return { status: 'ok', messages, more: reply[1] === 1 };
}
