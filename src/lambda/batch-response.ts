/**
 * What a batch's outcome means for its messages, as for a Lambda SQS event source mapping: which
 * messages are deleted and which stay to be retried.
 */
import type { Invocation } from './handler.js';

export type BatchOutcome =
  | { kind: 'success' }
  | { kind: 'partial'; failed: Set<string> }
  | { kind: 'failure'; reason: string };

/**
 * Without ReportBatchItemFailures a returned value is success. With it, `{batchItemFailures}`
 * lists the messages to keep; an empty or null list (or an empty or null response) is full
 * success, and any malformed response fails the whole batch.
 */
export function batchOutcome(inv: Invocation, reportItemFailures: boolean, ids: ReadonlySet<string>): BatchOutcome {
  if (!inv.ok) return { kind: 'failure', reason: inv.error };
  if (!reportItemFailures) return { kind: 'success' };
  const response = inv.value;
  if (response === null || response === undefined) return { kind: 'success' };
  if (typeof response !== 'object' || Array.isArray(response)) {
    return { kind: 'failure', reason: 'the response is not an object with batchItemFailures' };
  }
  const keys = Object.keys(response);
  if (keys.some((k) => k !== 'batchItemFailures')) {
    return { kind: 'failure', reason: `unexpected response field ${keys.find((k) => k !== 'batchItemFailures')}` };
  }
  const list = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === null || list === undefined) return { kind: 'success' };
  if (!Array.isArray(list)) return { kind: 'failure', reason: 'batchItemFailures is not a list' };
  const failed = new Set<string>();
  for (const item of list) {
    const id =
      typeof item === 'object' && item !== null ? (item as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '') {
      return { kind: 'failure', reason: 'a batchItemFailures entry has no itemIdentifier' };
    }
    if (!ids.has(id)) return { kind: 'failure', reason: `itemIdentifier ${id} is not a message of the batch` };
    failed.add(id);
  }
  return failed.size === 0 ? { kind: 'success' } : { kind: 'partial', failed };
}

/**
 * On a FIFO queue a group must not skip ahead: once a message of a group is kept, the later
 * messages of that group in the batch are kept too.
 */
export function keepGroupOrder(
  messages: readonly { id: string; group?: string }[],
  failed: ReadonlySet<string>,
): Set<string> {
  const kept = new Set<string>();
  const stopped = new Set<string>();
  for (const m of messages) {
    const group = m.group ?? '';
    if (failed.has(m.id) || stopped.has(group)) {
      kept.add(m.id);
      stopped.add(group);
    }
  }
  return kept;
}
