/**
 * The retention sweeper: removes messages past their queue's MessageRetentionPeriod, expired
 * deduplication and receive-attempt ids, and finishes moves left in an outbox by a crash. One
 * instance at a time sweeps (a Redis lease); each script call does a small bounded step, and the
 * sweeper yields between steps, so requests are served while it works through a large backlog.
 */
import type { QueueRef } from '../domain.js';
import type { Logger } from '../log.js';
import type { Moves } from '../store/moves.js';
import type { Store } from '../store/store.js';

/** Items removed per script call. */
export const SWEEP_STEP = 200;
/** An outbox entry older than this was left by an instance that stopped mid-move. */
export const STALE_OUTBOX_MS = 5_000;

export interface SweeperOptions {
  store: Store;
  moves: Moves;
  /** The instance's account; the queues of every account on the Redis are swept (Store.listAccounts). */
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

  private readonly tick = (): void => {
    if (this.stopped) return;
    this.timer = undefined;
    this.running = this.runOnce()
      .catch((err: unknown) => this.o.log.warn(`sweeper: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        this.running = undefined;
        if (!this.stopped) this.timer = setTimeout(this.tick, this.kicked ? 0 : this.o.intervalMs);
        this.kicked = false;
      });
  };
  private kicked = false;

  start(): void {
    this.timer = setTimeout(this.tick, this.o.intervalMs);
  }

  /** Sweeps now rather than at the next interval (the clock moved: messages may have expired). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.kicked = true;
      return;
    }
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = setTimeout(this.tick, 0);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /**
   * One pass over every queue of every account (12-digit access keys and configured credentials
   * make queues in accounts other than the instance's), if this instance holds the lease. Returns
   * messages removed.
   */
  async runOnce(): Promise<number> {
    const { store, moves, account, owner } = this.o;
    const accounts = [...new Set([account, ...(await store.listAccounts())])];
    const firsts: [string, string[]][] = [];
    for (const a of accounts) {
      const names = await store.listQueues(a, '', undefined, 100);
      if (names.length > 0) firsts.push([a, names]);
    }
    // No queue, no lease: an idle deployment writes nothing (and a reset leaves nothing behind).
    if (firsts.length === 0) return 0;
    if (!(await moves.lease('sweeper', owner, this.leaseMs))) return 0;
    try {
      let removed = 0;
      for (const [a, names] of firsts) {
        if (this.stopped) break;
        removed += await this.sweepAccount(a, names);
      }
      return removed;
    } finally {
      // The next pass may be another instance's.
      await moves.releaseLease('sweeper', owner).catch(() => undefined);
    }
  }

  private async sweepAccount(account: string, first: string[]): Promise<number> {
    const { store, moves, owner } = this.o;
    let names = first;
    let removed = 0;
    for (;;) {
      for (const name of names) {
        if (this.stopped) return removed;
        removed += await this.sweepQueue({ account, name });
      }
      if (names.length < 100) return removed;
      if (!(await moves.lease('sweeper', owner, this.leaseMs))) return removed;
      names = await store.listQueues(account, '', names[names.length - 1], 100);
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
      if (r.removed > 0) {
        this.o.log.debug(`sweeper: ${r.removed} message(s) past retention removed from ${q.name}`, {
          queue: q.name,
          removed: r.removed,
        });
      }
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
