/**
 * Where events come from. Messages and queues: the store the actions use, wrapped, because only
 * the store's answers say what happened (a FIFO duplicate is no send, a CreateQueue of an existing
 * queue creates nothing, a receive's count is there whether or not the client asked for it).
 * Redrives and move tasks: Moves.observe. Poller invocations: PollerActivity.observe.
 * While nobody listens anywhere, a wrapped call costs one boolean check.
 */
import type { QueueRef } from '../domain.js';
import type { PollerObserver } from '../lambda/activity.js';
import type { MovedBatch, MoveObserver } from '../store/moves.js';
import type { Store } from '../store/store.js';
import type { EventHub } from './hub.js';
import type { ServiceEvent } from './types.js';

const base = (hub: EventHub, q: QueueRef) => ({ time: hub.time(), account: q.account, queue: q.name });

/**
 * The store, reporting what changed to the hub. Every method not replaced here is the store's own
 * (reached through the prototype), so the wrapper needs no change when the Store grows.
 */
export function observedStore(store: Store, hub: EventHub): Store {
  const s = Object.create(store) as Store;
  s.createQueue = async (q, stored, requested, tags, now) => {
    const r = await store.createQueue(q, stored, requested, tags, now);
    if (r.status === 'created') hub.emitWith(() => [{ type: 'queue-created', ...base(hub, q) }]);
    return r;
  };
  s.deleteQueue = async (q, now, tombstoneMs) => {
    const r = await store.deleteQueue(q, now, tombstoneMs);
    if (r === 'ok') hub.emitWith(() => [{ type: 'queue-deleted', ...base(hub, q) }]);
    return r;
  };
  s.purgeQueue = async (q, now, cooldownMs) => {
    const r = await store.purgeQueue(q, now, cooldownMs);
    if (r === 'ok') hub.emitWith(() => [{ type: 'purged', ...base(hub, q) }]);
    return r;
  };
  s.sendMessages = (q, messages, now) => {
    const pending = store.sendMessages(q, messages, now);
    if (!hub.isActive) return pending;
    return pending.then((r) => {
      hub.emitWith(() => {
        const b = base(hub, q);
        const out: ServiceEvent[] = [];
        r?.outcomes.forEach((o, i) => {
          const m = messages[i];
          if (o.status !== 'stored' || !m) return;
          const groupId = m.payload.groupId;
          out.push({ type: 'sent', ...b, messageId: m.id, ...(groupId !== undefined ? { groupId } : {}) });
        });
        return out;
      });
      return r;
    });
  };
  s.receiveMessages = (q, options) => {
    const pending = store.receiveMessages(q, options);
    if (!hub.isActive) return pending;
    return pending.then((r) => {
      if (r?.status === 'ok') {
        hub.emitWith(() => {
          const b = base(hub, q);
          return r.messages.map((m) => {
            const groupId = m.payload.groupId;
            return {
              type: 'received',
              ...b,
              messageId: m.id,
              receiveCount: m.receiveCount,
              ...(groupId !== undefined ? { groupId } : {}),
            };
          });
        });
      }
      return r;
    });
  };
  s.deleteMessages = (q, receipts, now) => {
    const pending = store.deleteMessages(q, receipts, now);
    if (!hub.isActive) return pending;
    return pending.then((r) => {
      hub.emitWith(() => {
        const b = base(hub, q);
        return receipts.flatMap((m, i) => (r?.[i] === 'deleted' ? [{ type: 'deleted', ...b, messageId: m.id }] : []));
      });
      return r;
    });
  };
  s.changeVisibility = (q, entries, now, limitMs) => {
    const pending = store.changeVisibility(q, entries, now, limitMs);
    if (!hub.isActive) return pending;
    return pending.then((r) => {
      hub.emitWith(() => {
        const b = base(hub, q);
        return entries.flatMap((m, i) =>
          r?.[i] === 'changed'
            ? [{ type: 'visibility-changed', ...b, messageId: m.id, visibilityTimeout: m.visibilityMs / 1000 }]
            : [],
        );
      });
      return r;
    });
  };
  s.deleteMessage = async (q, id, now) => {
    const r = await store.deleteMessage(q, id, now);
    if (r === 'deleted') hub.emitWith(() => [{ type: 'deleted', ...base(hub, q), messageId: id }]);
    return r;
  };
  return s;
}

/** Each drain's handover: dead-lettered (redrive) or moved (a move task), one event per message. */
export function moveEvents(hub: EventHub): MoveObserver {
  return {
    moved(batch: MovedBatch) {
      hub.emitWith(() => {
        const b = base(hub, batch.source);
        const type = batch.kind === 'dead-letter' ? 'dead-lettered' : 'moved';
        return batch.messages.map((m) => ({
          type,
          ...b,
          messageId: m.id,
          newMessageId: m.movedId,
          source: batch.source.name,
          target: batch.target.name,
        }));
      });
    },
  };
}

/** Poller invocations (the pollers' queues are the service's account's). */
export function invocationEvents(hub: EventHub, account: string): PollerObserver {
  return {
    invoked(report) {
      hub.emitWith(() => [
        {
          type: 'invocation',
          time: hub.time(),
          account,
          queue: report.queue,
          function: report.function,
          invocationId: report.invocationId,
          outcome: report.outcome,
          records: report.records,
          retried: report.retried,
          durationMs: report.durationMs,
          ...(report.error !== undefined ? { error: report.error } : {}),
        },
      ]);
    },
  };
}
