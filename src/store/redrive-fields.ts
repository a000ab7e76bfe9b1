/**
 * How the store keeps a queue's RedrivePolicy and where a message on its way out is going: the one
 * place that writes and reads this encoding in TypeScript. The Lua scripts that read it say so
 * (lua/lib/receive.lua, lua/lib/outbox.lua, claim-for-move.lua); KEYS.md describes the fields.
 *
 * Besides the policy's JSON (the RedrivePolicy attribute), a source queue's `meta` hash holds two
 * internal fields: REDRIVE_MAX (maxReceiveCount) and REDRIVE_TARGET (the dead-letter queue as an
 * outbox destination, `dlq:<queue>`). A receive that meets a message received REDRIVE_MAX times puts
 * it in the outbox with REDRIVE_TARGET as its destination, so the target and the destinations of
 * move tasks (`move:<queue>`, or `move:` for the message's own source) share one grammar.
 */
import type { QueueAttributes } from '../domain.js';

/** Meta field: the policy's maxReceiveCount (absent: no redrive). */
export const REDRIVE_MAX = '_redriveMax';
/** Meta field: the policy's dead-letter queue, as an outbox destination (`dlq:<queue>`). */
export const REDRIVE_TARGET = '_redriveTarget';

/**
 * Where a message in the outbox goes: to a dead-letter queue (redrive), or to a queue by a move
 * task (queue '' = back to the queue its DeadLetterQueueSourceArn names).
 */
export type Destination = { kind: 'dlq'; queue: string } | { kind: 'move'; queue: string };

export function encodeDestination(d: Destination): string {
  return `${d.kind}:${d.queue}`;
}

/** The destination an outbox entry names; anything but `dlq:` is a move. */
export function decodeDestination(text: string): Destination {
  const colon = text.indexOf(':');
  const queue = text.slice(colon + 1);
  return text.slice(0, colon) === 'dlq' ? { kind: 'dlq', queue } : { kind: 'move', queue };
}

/**
 * The internal fields of a queue's RedrivePolicy, to store with its attributes; `undefined` (the
 * policy is removed) gives empty values, which remove the fields.
 */
export function encodeRedrive(
  policy: { maxReceiveCount: number; deadLetterQueue: string } | undefined,
): QueueAttributes {
  if (!policy) return { [REDRIVE_MAX]: '', [REDRIVE_TARGET]: '' };
  return {
    [REDRIVE_MAX]: String(policy.maxReceiveCount),
    [REDRIVE_TARGET]: encodeDestination({ kind: 'dlq', queue: policy.deadLetterQueue }),
  };
}

/** The dead-letter queue a stored REDRIVE_TARGET value names, or undefined when there is none. */
export function decodeRedriveTarget(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const d = decodeDestination(value);
  return d.kind === 'dlq' ? d.queue : undefined;
}
