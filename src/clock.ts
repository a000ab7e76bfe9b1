/**
 * The service's time. Everything that depends on time (scripts' `now`, visibility, delays,
 * deduplication windows, retention, cool-downs, move-task rates, pollers' windows and function
 * timeouts) reads it here, so that tests can move it: an offset from real time, or a frozen
 * instant. It never goes backwards, except when a reset of the whole deployment returns it to
 * real time. Timers that wait for a moment of this time re-arm when it moves (onChange).
 */

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Frozen: time stands still until moved. */
  readonly frozen: boolean;
  /** Called after every change; returns the function that stops listening. */
  onChange(listener: () => void): () => void;
}

/** The state all instances share (the Redis copy is in store/redis-clock.ts). */
export interface ClockState {
  /** Added to real time while running. */
  offsetMs: number;
  /** The instant time stands at while frozen. */
  frozenAtMs?: number;
  /** Orders changes, so an instance never applies an older one over a newer one. */
  version: number;
}

export const REAL_TIME: ClockState = { offsetMs: 0, version: 0 };

export class AdjustableClock implements Clock {
  private state: ClockState = REAL_TIME;
  private readonly listeners = new Set<() => void>();

  /** `real`: the time source the offset is added to (tests may fix it). */
  constructor(readonly real: () => number = Date.now) {}

  now(): number {
    return this.state.frozenAtMs ?? this.real() + this.state.offsetMs;
  }

  get frozen(): boolean {
    return this.state.frozenAtMs !== undefined;
  }

  get version(): number {
    return this.state.version;
  }

  /** How far this clock is ahead of real time. */
  get offsetMs(): number {
    return this.now() - this.real();
  }

  /** Takes a newer state (or any state with `force`: a reset); true when it changed. */
  apply(state: ClockState, force = false): boolean {
    if (!force && state.version <= this.state.version) return false;
    const before = this.now();
    const wasFrozen = this.frozen;
    this.state = state;
    if (this.now() !== before || this.frozen !== wasFrozen || force) {
      for (const listener of [...this.listeners]) listener();
    }
    return true;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Real time, unmovable: for pollers run against an SQS that is not redsqs. */
export const SYSTEM_CLOCK: Clock = { now: Date.now, frozen: false, onChange: () => () => undefined };

/** The longest delay a Node timer holds; a longer wait re-arms on the way. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Resolves once `clock` reaches `atMs` (or on abort). A real timer stands for the time left and is
 * re-armed whenever the clock moves; while the clock is frozen only a move can end the wait. When
 * the clock goes back (a reset returns it to real time), the moment moves back with it: the wait
 * keeps the time it had left.
 */
export function untilTime(clock: Clock, startAtMs: number, signal?: AbortSignal): Promise<void> {
  let atMs = startAtMs;
  let last = clock.now();
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let stopListening = (): void => undefined;
    const done = (): void => {
      clearTimeout(timer);
      stopListening();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const arm = (): void => {
      clearTimeout(timer);
      const now = clock.now();
      if (now < last) atMs -= last - now;
      last = now;
      const left = atMs - now;
      if (left <= 0) done();
      else if (!clock.frozen) timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    };
    if (signal?.aborted) {
      resolve();
      return;
    }
    signal?.addEventListener('abort', done);
    stopListening = clock.onChange(arm);
    arm();
  });
}
