/**
 * Group commit: the calls for one queue that arrive in the same turn of the event loop share one
 * script call. Under concurrency a turn's poll phase reads many requests (one socket each) before
 * any of them is answered; each of them used to cost a script call of its own, with its own
 * command to build and its own round trip. Here the first call of a turn for a key opens a batch
 * and the later ones join it; at the end of the turn (setImmediate: the check phase, right after
 * the poll phase that read the requests, no timer and no waiting for more I/O) one call carries
 * them all. A lone call goes out in the same turn, so nothing waits at low load.
 *
 * Each caller gets its own result, in the order of its own items; when the carrying call fails,
 * every caller it carried gets that error, and only those. Batches are sent in the order they
 * were opened, so calls of one key reach Redis in the order they were made.
 *
 * Why not a microtask or process.nextTick: Node drains both after each I/O callback, that is
 * after each request, so they gather only what one request sends. Measured with SendMessage at 32
 * in flight on the 2-core machine: with either, 100% of the script calls carried one request;
 * with setImmediate, 12 requests per script call on average, half of the requests in calls of 19
 * or more, and Redis CPU per SendMessage down to ~0.6x.
 */

/** What one batch may carry: above either, the batch is sent as it is and another is opened. */
export interface GroupLimits {
  /** Items (messages, receipts) per script call: the Lua scripts unpack lists of them. */
  items: number;
  /** Bytes per script call, so that one command stays small; a single larger call goes alone. */
  bytes: number;
}

interface Waiting<C, R> {
  call: C;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

interface Batch<C, R> {
  items: number;
  bytes: number;
  waiting: Waiting<C, R>[];
}

/** How many items and bytes a call adds to a batch. */
export type Measure<C> = (call: C) => { items: number; bytes: number };

/** Runs the calls of one batch as one script call: one result per call, in order. */
export type RunBatch<C, R> = (calls: readonly C[]) => Promise<readonly R[]>;

export class GroupCommit<C, R> {
  private readonly open = new Map<string, Batch<C, R>>();
  private flushing: NodeJS.Immediate | undefined;
  /** Script calls made and calls carried, since the start (the store's tests and the bench read them). */
  readonly stats = { batches: 0, calls: 0 };

  constructor(
    private readonly run: RunBatch<C, R>,
    private readonly measure: Measure<C>,
    private readonly limits: GroupLimits,
  ) {}

  /** `call` joins this turn's batch for `key` (calls of one key run as one script call). */
  submit(key: string, call: C): Promise<R> {
    const size = this.measure(call);
    let batch = this.open.get(key);
    if (
      batch !== undefined &&
      (batch.items + size.items > this.limits.items || batch.bytes + size.bytes > this.limits.bytes)
    ) {
      // Full: it cannot grow, so it goes now, before the batch this call opens.
      this.open.delete(key);
      this.send(batch);
      batch = undefined;
    }
    if (batch === undefined) {
      batch = { items: 0, bytes: 0, waiting: [] };
      this.open.set(key, batch);
      this.flushing ??= setImmediate(this.flush);
    }
    batch.items += size.items;
    batch.bytes += size.bytes;
    const waiting = batch.waiting;
    return new Promise<R>((resolve, reject) => {
      waiting.push({ call, resolve, reject });
    });
  }

  private readonly flush = (): void => {
    this.flushing = undefined;
    const batches = [...this.open.values()];
    this.open.clear();
    for (const batch of batches) this.send(batch);
  };

  private send(batch: Batch<C, R>): void {
    const { waiting } = batch;
    this.stats.batches++;
    this.stats.calls += waiting.length;
    let pending: Promise<readonly R[]>;
    try {
      pending = this.run(waiting.map((w) => w.call));
    } catch (err) {
      pending = Promise.reject(err);
    }
    pending.then(
      (results) => {
        if (results.length !== waiting.length) {
          const err = new Error(`group commit: ${results.length} results for ${waiting.length} calls`);
          for (const w of waiting) w.reject(err);
          return;
        }
        waiting.forEach((w, i) => {
          w.resolve(results[i] as R);
        });
      },
      (err: unknown) => {
        for (const w of waiting) w.reject(err);
      },
    );
  }
}
