/**
 * Runs message move tasks. Every instance looks at the active tasks; a task is worked on by the
 * instance holding its lease, so a task goes on when the instance that started it stops. Each tick
 * claims as many messages as the task's rate allows into the source's outbox and moves them.
 */
import type { Logger } from '../log.js';
import { parseQueueArn } from '../sqs/queue-names.js';
import type { ActiveTask, MovedBatch, MoveObserver, Moves, MoveTask } from '../store/moves.js';
import type { Store } from '../store/store.js';

/** SQS moves at a "system optimized" rate when none is given; ours is the maximum allowed. */
export const DEFAULT_MOVE_RATE = 500;
const TICK_MS = 100;
const LEASE_MS = 5_000;
/**
 * The rate follows the service's clock: a move of the clock (a test advancing it) earns its
 * messages, up to this many seconds' worth, claimed at most MAX_PER_TICK a tick. A gap in real
 * time (a stall, a task taken over from another instance) earns at most one second's worth.
 */
const MAX_CATCH_UP_SECONDS = 60;
const MAX_PER_TICK = 1_000;
const MAX_REAL_GAP_MS = 1_000;

export interface MoveTaskRunnerOptions {
  moves: Moves;
  store: Store;
  owner: string;
  region: string;
  now: () => number;
  log: Logger;
}

/** When a task last moved messages: its clock time, real time, and the fraction of a message left over. */
export interface Pace {
  at: number;
  realAt: number;
  carry: number;
}

/**
 * How many messages a task may move now at `rate` per second of the clock: the clock's time since
 * the last step, of which the part real time explains counts up to MAX_REAL_GAP_MS.
 */
export function paceStep(
  pace: Pace | undefined,
  now: number,
  real: number,
  rate: number,
): { budget: number; next: Pace } {
  const last = pace ?? { at: now - TICK_MS, realAt: real - TICK_MS, carry: 0 };
  const clockMs = Math.max(0, now - last.at);
  const realMs = Math.max(0, real - last.realAt);
  const earnedMs = Math.min(clockMs, Math.min(realMs, MAX_REAL_GAP_MS) + Math.max(0, clockMs - realMs));
  const allowance = Math.min(rate * MAX_CATCH_UP_SECONDS, last.carry + (rate * earnedMs) / 1000);
  const budget = Math.min(Math.floor(allowance), MAX_PER_TICK);
  return { budget, next: { at: now, realAt: real, carry: allowance - budget } };
}

/**
 * A debug entry for every batch handed over, whoever drained it: redrives to a dead-letter queue
 * (by ReceiveMessage) and the batches of move tasks. Registered only when debug is on.
 */
export function logMovedBatches(log: Logger): MoveObserver {
  return {
    moved(batch: MovedBatch) {
      const what = batch.kind === 'dead-letter' ? 'redrive' : 'move';
      log.debug(`${what}: ${batch.messages.length} message(s) ${batch.source.name} -> ${batch.target.name}`, {
        kind: batch.kind,
        source: batch.source.name,
        target: batch.target.name,
        account: batch.source.account,
        count: batch.messages.length,
        messageIds: batch.messages.map((m) => m.id),
      });
    },
  };
}

export class MoveTaskRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** Per task: when it last moved and the fraction of a message its rate allowed but not used. */
  private readonly pace = new Map<string, Pace>();

  constructor(private readonly o: MoveTaskRunnerOptions) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.tick()
        .catch((err: unknown) => this.o.log.warn(`move tasks: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.timer = setTimeout(tick, TICK_MS);
        });
    };
    this.timer = setTimeout(tick, TICK_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  async tick(): Promise<void> {
    for (const active of await this.o.moves.activeTasks()) {
      if (this.stopped) return;
      if (!(await this.o.moves.lease(`task:${active.taskId}`, this.o.owner, LEASE_MS))) {
        this.pace.delete(active.taskId); // another instance paces it now
        continue;
      }
      await this.step(active);
    }
  }

  private async step(active: ActiveTask): Promise<void> {
    const { queue, taskId } = active;
    const { moves, now } = this.o;
    const task = await moves.getTask(queue, taskId);
    if (!task || (task.Status !== 'RUNNING' && task.Status !== 'CANCELLING')) {
      await moves.dropActiveTask(active); // a listing left by a crash, or a task already ended
      return;
    }
    if (task.Status === 'CANCELLING') {
      // Finish the moves already claimed; nothing new is claimed.
      let moved = 0;
      for (let i = 0; i < 50; i++) {
        const done = await moves.drainOutbox(queue, now());
        moved += done.moved;
        if (done.moved + done.returned === 0) break;
      }
      await moves.updateTask(queue, taskId, { moved, status: 'CANCELLED' });
      this.o.log.debug(`move task ${taskId}: cancelled after finishing ${moved} claimed move(s)`, {
        taskId,
        source: queue.name,
        moved,
      });
      this.finish(taskId, task, 'CANCELLED', moved);
      return;
    }
    const rate = task.MaxNumberOfMessagesPerSecond ?? DEFAULT_MOVE_RATE;
    const t = now();
    const { budget, next } = paceStep(this.pace.get(taskId), t, Date.now(), rate);
    this.pace.set(taskId, next);
    if (budget < 1) return;
    const remaining = task.ApproximateNumberOfMessagesToMove - task.ApproximateNumberOfMessagesMoved;
    const destination = task.DestinationArn
      ? (parseQueueArn(task.DestinationArn, this.o.region, queue.account)?.name ?? '')
      : '';
    const claimed = remaining > 0 ? await moves.claimForMove(queue, t, Math.min(budget, remaining), destination) : 0;
    const done = await moves.drainOutbox(queue, now());
    const failure = done.missing.length
      ? `The destination queue ${done.missing[0]} does not exist.`
      : done.unroutable.length
        ? `Message ${done.unroutable[0]} has no DeadLetterQueueSourceArn (it was not moved here by a redrive), so it has no source queue to return to; give a DestinationArn.`
        : undefined;
    if (failure) {
      await moves.updateTask(queue, taskId, { moved: done.moved, status: 'FAILED', reason: failure });
      this.finish(taskId, task, 'FAILED', done.moved);
      return;
    }
    const movedNow = task.ApproximateNumberOfMessagesMoved + done.moved;
    if (this.o.log.debugEnabled && (claimed > 0 || done.moved > 0)) {
      this.o.log.debug(
        `move task ${taskId}: ${done.moved} moved, ${movedNow} of ${task.ApproximateNumberOfMessagesToMove}`,
        {
          taskId,
          source: queue.name,
          destination: destination || undefined,
          claimed,
          moved: done.moved,
          total: movedNow,
          toMove: task.ApproximateNumberOfMessagesToMove,
        },
      );
    }
    // Done when everything counted at the start has moved, or nothing is left to move (messages
    // in flight or in a locked FIFO group are waited for: they count as available again later).
    const finished =
      movedNow >= task.ApproximateNumberOfMessagesToMove ||
      (claimed === 0 && (await this.o.store.getQueue(queue, t))?.counts.visible === 0);
    const updated = await moves.updateTask(queue, taskId, {
      moved: done.moved,
      requireStatus: 'RUNNING',
      ...(finished ? { status: 'COMPLETED' as const } : {}),
    });
    if (updated === 'wrong-status') {
      // Cancelled meanwhile: count what moved; the next tick finishes the cancel.
      await moves.updateTask(queue, taskId, { moved: done.moved });
      return;
    }
    if (finished && typeof updated === 'object') this.finish(taskId, updated, 'COMPLETED', 0);
  }

  private finish(taskId: string, task: MoveTask, status: string, moved: number): void {
    this.pace.delete(taskId);
    const total = task.ApproximateNumberOfMessagesMoved + moved;
    this.o.log.info(`move task from ${task.SourceArn} ${status.toLowerCase()} (${total} moved)`, {
      taskId,
      status,
      moved: total,
    });
  }
}
