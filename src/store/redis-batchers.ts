/**
 * The store's group-committed script calls (group-commit.ts): the sends and the deletes by receipt
 * of one event-loop turn, per queue, each turn's calls of a queue in one script call.
 */
import { DEDUPLICATION_WINDOW_MS } from '../sqs/limits.js';
import { GroupCommit, type GroupLimits } from './group-commit.js';
import type { CachedKeys } from './keys.js';
import * as messageScripts from './scripts/messages.js';
import type * as queueScripts from './scripts/queue.js';
import type { Scripts } from './scripts.js';
import type { DeleteStatus, SendResult } from './store.js';

/**
 * What one group-committed script call carries at most. The send and delete scripts unpack lists
 * of up to two values per item into one command, and Lua's unpack takes ~8,000; the bytes keep one
 * command (and Redis's time on it) small. Calls above them go in more script calls, in order.
 */
export const GROUP_LIMITS: GroupLimits = { items: 1000, bytes: 4 * 1024 * 1024 };

export type SendCall = messageScripts.SendCall & { keys: CachedKeys };
export type DeleteCall = messageScripts.DeleteCall & { keys: CachedKeys };

/** The calls of a batch all have the same queue: the first one's keys. */
const keysOf = (calls: readonly { keys: CachedKeys }[]): CachedKeys => (calls[0] as { keys: CachedKeys }).keys;

/** Every call of a batch gets the script's MISSING as undefined ("no such queue"). */
function perCall<R>(results: R[] | queueScripts.Missing, count: number): (R | undefined)[] {
  return Array.isArray(results) ? results : new Array<undefined>(count).fill(undefined);
}

/** Sends of one turn, per queue: standard and FIFO (each request keeps its own rules in the script). */
export function sendBatcher(scripts: Scripts): GroupCommit<SendCall, SendResult | undefined> {
  return new GroupCommit<SendCall, SendResult | undefined>(
    async (calls) => {
      const keys = keysOf(calls);
      const results = keys.fifo
        ? await messageScripts.sendFifoMessageCalls(scripts, keys, DEDUPLICATION_WINDOW_MS, calls)
        : await messageScripts.sendMessageCalls(scripts, keys, calls);
      return perCall(results, calls.length);
    },
    (c) => {
      let bytes = 0;
      for (const m of c.messages) bytes += m.size;
      return { items: c.messages.length, bytes };
    },
    GROUP_LIMITS,
  );
}

/** Deletes by receipt of one turn, per queue: a status per receipt, each judged at its request's moment. */
export function deleteBatcher(scripts: Scripts): GroupCommit<DeleteCall, DeleteStatus[] | undefined> {
  return new GroupCommit<DeleteCall, DeleteStatus[] | undefined>(
    async (calls) => perCall(await messageScripts.deleteMessageCalls(scripts, keysOf(calls), calls), calls.length),
    (c) => ({ items: c.receipts.length, bytes: 0 }),
    GROUP_LIMITS,
  );
}
