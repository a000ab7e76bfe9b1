/**
 * What actions and background work need for moving messages between queues (dead-letter redrive,
 * message move tasks), the retention sweep, move task records and leases on background work. The
 * Redis implementation is redis-moves.ts. As in the Store, a queue (or task) that does not exist is
 * `undefined`.
 */
import type { QueueRef } from '../domain.js';

export type MoveTaskStatus = 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';

/** A message move task as ListMessageMoveTasks shows it (plus the handle and failure it may hide). */
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

export interface MoveTaskChange {
  /** Messages moved since the last update (added to the count). */
  moved?: number;
  status?: MoveTaskStatus;
  /** Why a task FAILED. */
  reason?: string;
  /** Change it only while it has this status ('wrong-status' otherwise). */
  requireStatus?: MoveTaskStatus;
}

/**
 * Messages one drain handed over from one queue to another: to its dead-letter queue (`dead-letter`,
 * the message keeps its id) or by a message move task (`move`, a new id).
 */
export interface MovedBatch {
  source: QueueRef;
  target: QueueRef;
  kind: 'dead-letter' | 'move';
  /** id: in the source; movedId: in the target. */
  messages: { id: string; movedId: string }[];
  /** The service time of the drain (ms). */
  at: number;
}

/** Hears of every batch of messages handed over, by whichever caller drained the outbox. */
export interface MoveObserver {
  moved(batch: MovedBatch): void;
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
  /** What this drain handed over, by destination (`moved` in all). */
  batches: MovedBatch[];
}

export interface SweepResult {
  removed: number;
  other: number;
  outbox: number;
  oldestOutboxMs?: number;
}

/** A move task that is RUNNING or CANCELLING, as the task runners find it. */
export interface ActiveTask {
  queue: QueueRef;
  taskId: string;
}

export interface Moves {
  /** Adds an observer of every drain's moves; returns the function that removes it. */
  observe(observer: MoveObserver): () => void;
  /** Finishes the moves waiting in q's outbox (those that entered at or before `before`). */
  drainOutbox(q: QueueRef, now: number, limit?: number, before?: number): Promise<DrainResult>;
  /**
   * Puts up to `max` available messages of q in its outbox for `destination` ('' = their source);
   * returns how many (0 when q does not exist).
   */
  claimForMove(q: QueueRef, now: number, max: number, destination: string): Promise<number>;
  /** One bounded step of the retention sweep on q; undefined when q does not exist. */
  sweepQueue(q: QueueRef, now: number, limit: number): Promise<SweepResult | undefined>;

  /** The stored task; 'busy' while another task of q is active; undefined when q does not exist. */
  startTask(q: QueueRef, now: number, taskId: string, task: MoveTask): Promise<MoveTask | 'busy' | undefined>;
  /** The updated task; undefined when q has no such task. */
  updateTask(q: QueueRef, taskId: string, change: MoveTaskChange): Promise<MoveTask | 'wrong-status' | undefined>;
  getTask(q: QueueRef, taskId: string): Promise<MoveTask | undefined>;
  /** The queue's tasks, most recent first. */
  listTasks(q: QueueRef): Promise<MoveTask[]>;
  /** Every instance's active tasks. */
  activeTasks(): Promise<ActiveTask[]>;
  /** Forgets a listing whose task has ended (or never started). */
  dropActiveTask(t: ActiveTask): Promise<void>;

  /** Takes or renews a lease on a piece of background work; true while `owner` holds it. */
  lease(name: string, owner: string, ms: number): Promise<boolean>;
  /** Gives a lease up, if `owner` holds it. */
  releaseLease(name: string, owner: string): Promise<void>;
}
