/**
 * The events of GET /_redsqs/events. Each is one JSON object, `{ type, time, account, queue, ...details }`,
 * one per message (a batch of ten sends makes ten `sent` events), so a test waiting for "message X was
 * dead-lettered" matches a single event on its `messageId`.
 */

export const EVENT_TYPES = [
  'sent',
  'received',
  'deleted',
  'visibility-changed',
  'dead-lettered',
  'moved',
  'purged',
  'queue-created',
  'queue-deleted',
  'invocation',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

interface Base {
  /** The service's clock (ISO 8601), which the clock routes may have moved. */
  time: string;
  account: string;
  /** The queue's name (for dead-lettered and moved: the source queue). */
  queue: string;
}

export type ServiceEvent =
  | (Base & { type: 'sent'; messageId: string; groupId?: string })
  | (Base & { type: 'received'; messageId: string; receiveCount: number; groupId?: string })
  | (Base & { type: 'deleted'; messageId: string })
  | (Base & { type: 'visibility-changed'; messageId: string; visibilityTimeout: number })
  | (Base & {
      type: 'dead-lettered' | 'moved';
      /** The id in the source queue. */
      messageId: string;
      /** The id in the target queue (a dead-lettered message keeps its id; a moved one gets a new id). */
      newMessageId: string;
      source: string;
      target: string;
    })
  | (Base & { type: 'purged' | 'queue-created' | 'queue-deleted' })
  | (Base & {
      type: 'invocation';
      function: string;
      invocationId: string;
      outcome: 'ok' | 'partial' | 'failed';
      records: number;
      retried: number;
      durationMs: number;
      error?: string;
    });

/** What one SSE client asked for: undefined means every queue (or type). */
export interface EventFilter {
  queues?: ReadonlySet<string>;
  types?: ReadonlySet<EventType>;
}

/** A queue filter matches the event's queue, and for moves their target too. */
export function matches(filter: EventFilter, e: ServiceEvent): boolean {
  if (filter.types && !filter.types.has(e.type)) return false;
  if (!filter.queues) return true;
  if (filter.queues.has(e.queue)) return true;
  return (e.type === 'dead-lettered' || e.type === 'moved') && filter.queues.has(e.target);
}

export class FilterError extends Error {}

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}(\.fifo)?$/;

/** A comma-separated query parameter (given once or repeated) as a list; undefined when absent. */
function list(value: unknown, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => {
    if (typeof v !== 'string') throw new FilterError(`${name}: give a comma-separated list.`);
    return v.split(',');
  });
  const items = parts.map((p) => p.trim()).filter((p) => p !== '');
  if (items.length === 0) throw new FilterError(`${name} is empty: leave it out to get every ${name}.`);
  return items;
}

/** `?queue=a,b&type=sent,dead-lettered` into a filter; FilterError for anything else. */
export function parseFilter(query: Record<string, unknown>): EventFilter {
  const unknown = Object.keys(query).filter((k) => k !== 'queue' && k !== 'type');
  if (unknown.length > 0) {
    throw new FilterError(`Unknown parameter ${unknown.join(', ')}: the filters are queue and type.`);
  }
  const filter: EventFilter = {};
  const queues = list(query.queue, 'queue');
  if (queues) {
    const bad = queues.find((q) => !QUEUE_NAME.test(q));
    if (bad !== undefined) throw new FilterError(`queue: ${JSON.stringify(bad)} is not a queue name.`);
    filter.queues = new Set(queues);
  }
  const types = list(query.type, 'type');
  if (types) {
    const bad = types.filter((t) => !(EVENT_TYPES as readonly string[]).includes(t));
    if (bad.length > 0) {
      throw new FilterError(`Unknown event type ${bad.join(', ')}; the types are ${EVENT_TYPES.join(', ')}.`);
    }
    filter.types = new Set(types as EventType[]);
  }
  return filter;
}
