/**
 * The retention sweeper: removes messages past their queue's MessageRetentionPeriod, expired
 * deduplication and receive-attempt ids, and finishes moves left in an outbox by a crash. One
 * instance at a time sweeps (a Redis lease); each script call does a small bounded step, and the
 * sweeper yields between steps, so requests are served while it works through a large backlog.
 */
import type { QueueRef } from '../domain.js';
import type { Logger } from '../log.js';
import type { RedisMoves } from '../store/redis-moves.js';
import type { Store } from '../store/store.js';

/** Items removed per script call. */
export const SWEEP_STEP = 200;
/** An outbox entry older than this was left by an instance that stopped mid-move. */
export const STALE_OUTBOX_MS = 5_000;

export interface SweeperOptions {
  store: Store;
  moves: RedisMoves;
  account: string;
  owner: string;
  intervalMs: number;
  now: () => number;
  log: Logger;
}

const yieldToRequests = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  private readonly leaseMs: number;

  constructor(private readonly o: SweeperOptions) {
    this.leaseMs = Math.max(10_000, o.intervalMs * 3);
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.runOnce()
        .catch((err: unknown) => this.o.log.warn(`sweeper: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.timer = setTimeout(tick, this.o.intervalMs);
        });
    };
    this.timer = setTimeout(tick, this.o.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One pass over every queue, if this instance holds the lease. Returns messages removed. */
  async runOnce(): Promise<number> {
    const { store, moves, account, owner } = this.o;
    if (!(await moves.lease('sweeper', owner, this.leaseMs))) return 0;
    let removed = 0;
    let after: string | undefined;
    for (;;) {
      const names = await store.listQueues(account, '', after, 100);
      for (const name of names) {
        if (this.stopped) return removed;
        removed += await this.sweepQueue({ account, name });
      }
      if (names.length < 100) return removed;
      after = names[names.length - 1];
      if (!(await moves.lease('sweeper', owner, this.leaseMs))) return removed;
    }
  }

  private async sweepQueue(q: QueueRef): Promise<number> {
    let removed = 0;
    for (let step = 1; ; step++) {
      // A long sweep renews the lease as it goes, and stops if another instance took it over.
      if (step % 20 === 0 && !(await this.o.moves.lease('sweeper', this.o.owner, this.leaseMs))) return removed;
      const now = this.o.now();
      const r = await this.o.moves.sweepQueue(q, now, SWEEP_STEP);
      if (!r) return removed;
      removed += r.removed;
      if (r.oldestOutboxMs !== undefined && r.oldestOutboxMs <= now - STALE_OUTBOX_MS) {
        const done = await this.o.moves.drainOutbox(q, now, 100, now - STALE_OUTBOX_MS);
        if (done.moved + done.returned > 0) {
          this.o.log.info(`sweeper: finished ${done.moved} interrupted move(s) from ${q.name}`);
        }
      }
      if (r.removed < SWEEP_STEP && r.other < SWEEP_STEP) return removed;
      await yieldToRequests();
    }
  }
}
