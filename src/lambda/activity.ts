/**
 * What the pollers do, for whoever watches: each mapping as it starts, and the result of every
 * invocation and every batch of filtered-out messages. The pollers report here; metrics, the
 * pollers' stats and the event stream subscribe. Nothing is kept here: a report with no
 * subscriber costs one loop over an empty list.
 */

/** One event source mapping, as started. */
export interface MappingInfo {
  function: string;
  queue: string;
  queueArn: string;
  batchSize: number;
  windowSeconds: number;
  concurrency: number;
  reportBatchItemFailures: boolean;
}

/**
 * One invocation of a function with a batch. `ok`: every record succeeded (deleted); `partial`:
 * the function reported some records as failed (they are retried); `failed`: it threw, returned
 * a rejected promise, or timed out (the whole batch is retried).
 */
export interface InvocationReport {
  function: string;
  queue: string;
  /** The context's awsRequestId: what the handler's log lines are attributed to. */
  invocationId: string;
  records: number;
  outcome: 'ok' | 'partial' | 'failed';
  /** Records to retry: 0 for ok, all of them for failed. */
  retried: number;
  durationMs: number;
  /** For failed: why (the error's message, or the timeout). */
  error?: string;
  /** When the invocation started (real time, ms since the epoch). */
  at: number;
}

/** Messages that matched none of the mapping's filters: deleted without an invocation. */
export interface FilteredReport {
  function: string;
  queue: string;
  records: number;
}

export interface PollerObserver {
  mappingStarted?(info: MappingInfo): void;
  invoked?(report: InvocationReport): void;
  filtered?(report: FilteredReport): void;
}

export class PollerActivity {
  private observers: PollerObserver[] = [];

  /** Adds an observer; returns the function that removes it. */
  observe(observer: PollerObserver): () => void {
    this.observers = [...this.observers, observer];
    return () => {
      this.observers = this.observers.filter((o) => o !== observer);
    };
  }

  mappingStarted(info: MappingInfo): void {
    for (const o of this.observers) guard(() => o.mappingStarted?.(info));
  }

  invoked(report: InvocationReport): void {
    for (const o of this.observers) guard(() => o.invoked?.(report));
  }

  filtered(report: FilteredReport): void {
    for (const o of this.observers) guard(() => o.filtered?.(report));
  }
}

/** An observer's failure is its own: the poller goes on. */
function guard(report: () => void): void {
  try {
    report();
  } catch {
    // ignored on purpose
  }
}
