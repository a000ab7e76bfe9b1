/**
 * The process's start and stop as one sequence. Signal handlers are installed before anything
 * starts; each step that starts something registers how to stop it; a stop (a signal, or a failed
 * start) undoes the steps in reverse order, after letting the step in progress notice the abort.
 * A stop is bounded: past the deadline, or at a second signal, the process exits at once, after
 * telling the children it started (the embedded redis-server) to stop, so none outlives it.
 */
import type { Logger } from './log.js';

/** Signals this close together are one delivery seen twice (see handleSignals). */
export const SAME_DELIVERY_MS = 100;

interface Step {
  name: string;
  /** Shutdown has begun (before any step stops): e.g. an exit of redis-server is now expected. */
  begin?: () => void;
  stop: () => Promise<void>;
  /** Synchronous last resort, for an exit that cannot wait. */
  now?: () => void;
}

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export class StopRequested extends Error {
  constructor() {
    super('stopped while starting');
    this.name = 'AbortError';
  }
}

export class Lifecycle {
  private readonly controller = new AbortController();
  private readonly steps: Step[] = [];
  private stopping = false;
  private starting: Promise<unknown> = Promise.resolve();

  constructor(
    private log: Logger,
    private deadlineMs: number,
    private readonly exit: (code: number) => never = (code) => process.exit(code),
  ) {}

  /** Aborted when a stop begins: steps in progress give up. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  configure(log: Logger, deadlineMs: number): void {
    this.log = log;
    this.deadlineMs = deadlineMs;
  }

  /**
   * Installs SIGTERM and SIGINT handlers: the first stops in order, a second exits at once. A Ctrl-C
   * (or a kill of the process group) under `npm start` reaches node twice: from the terminal and
   * forwarded by npm, milliseconds apart. The same signal again within SAME_DELIVERY_MS is that one
   * delivery, not a second request.
   */
  handleSignals(): void {
    let first: { signal: string; at: number } | undefined;
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, () => {
        const at = performance.now();
        if (first && first.signal === signal && at - first.at < SAME_DELIVERY_MS) {
          this.log.debug(`${signal} again within ${SAME_DELIVERY_MS} ms: the same delivery (forwarded), ignored`);
          return;
        }
        if (this.stopping) {
          this.log.warn(`${signal} again: exiting now`);
          this.exitNow(SIGNAL_EXIT[signal] ?? 1);
        }
        first ??= { signal, at };
        void this.stop(signal, 0);
      });
    }
  }

  /** The start-up runs as this promise; a stop waits for it to give up before undoing steps. */
  run(start: Promise<unknown>): void {
    this.starting = start.catch(() => undefined);
  }

  /** Throws StopRequested once a stop has begun; start-up steps call it between steps. */
  check(): void {
    if (this.stopping) throw new StopRequested();
  }

  started(step: Step): void {
    this.steps.push(step);
  }

  stop(why: string, code: number): Promise<never> {
    if (this.stopping) return new Promise<never>(() => undefined);
    this.stopping = true;
    this.log.info(`${why}: shutting down`);
    this.controller.abort();
    for (const s of this.steps) s.begin?.();
    const deadline = setTimeout(() => {
      this.log.error(`still stopping after ${this.deadlineMs / 1000} s: exiting now`);
      this.exitNow(code === 0 ? 1 : code);
    }, this.deadlineMs);
    return (async () => {
      await this.starting;
      // Steps registered by the start-up meanwhile are included.
      for (const s of this.steps) s.begin?.();
      for (const step of [...this.steps].reverse()) {
        try {
          await step.stop();
        } catch (err) {
          this.log.warn(`stopping ${step.name}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      clearTimeout(deadline);
      this.log.info('stopped');
      return this.exit(code);
    })();
  }

  private exitNow(code: number): never {
    for (const step of [...this.steps].reverse()) {
      try {
        step.now?.();
      } catch {
        // exiting anyway
      }
    }
    return this.exit(code);
  }
}
