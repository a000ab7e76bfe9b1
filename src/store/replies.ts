/** Turns the replies of the message scripts into domain results. */
import { decodePayload } from './payload.js';
import type { Reply } from './scripts.js';
import type { PeekedMessage, PeekResult, SendOutcome, SendResult, StoredReceipt, StoreReceiveResult } from './store.js';

export function asArray(reply: Reply): Reply[] {
  if (!Array.isArray(reply)) throw new Error(`unexpected Redis reply ${JSON.stringify(reply)}`);
  return reply;
}

/** send-messages.lua: 0 | {maxSize, seq or '' (too large), ...}. */
export function parseSendReply(reply: Reply): SendResult | undefined {
  if (!Array.isArray(reply)) return undefined;
  const [maxSize, ...seqs] = reply;
  const outcomes = seqs.map(
    (s): SendOutcome => (s === '' ? { status: 'too-large' } : { status: 'stored', seq: String(s) }),
  );
  return { maxSize: Number(maxSize), outcomes };
}

/** send-fifo-messages.lua: 0 | {maxSize, status, id, seq, ...}. */
export function parseFifoSendReply(reply: Reply): SendResult | undefined {
  if (!Array.isArray(reply)) return undefined;
  const outcomes: SendOutcome[] = [];
  for (let i = 1; i + 2 < reply.length; i += 3) {
    const status = String(reply[i]);
    const id = String(reply[i + 1]);
    const seq = String(reply[i + 2]);
    if (status === 'new') outcomes.push({ status: 'stored', seq });
    else if (status === 'dup') outcomes.push({ status: 'duplicate', id, seq });
    else if (status === 'big') outcomes.push({ status: 'too-large' });
    else outcomes.push({ status: 'no-dedup-id' });
  }
  return { maxSize: Number(reply[0]), outcomes };
}

/** receive-messages.lua and receive-fifo-messages.lua share one reply format; see their headers. */
export function parseReceiveReply(raw: Reply): StoreReceiveResult {
  const reply = asArray(raw);
  switch (reply[0]) {
    case -1:
      return { status: 'missing' };
    case -2:
      return { status: 'over-limit' };
    case 1: {
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

const PEEK_STATES = ['available', 'inflight', 'delayed'] as const;

/** peek-messages.lua: 0 | {more, id, payload, seq, count, firstMs, state, visibleAtMs, locked, ...}. */
export function parsePeekReply(reply: Reply): PeekResult | undefined {
  if (!Array.isArray(reply)) return undefined;
  const messages: PeekedMessage[] = [];
  for (let i = 1; i + 7 < reply.length; i += 8) {
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
  return { messages, more: reply[0] === 1 };
}
