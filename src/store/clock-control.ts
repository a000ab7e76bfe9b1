/**
 * Reading and moving the deployment's clock, as the developer routes and the test helpers see it.
 * The implementation is redis-clock.ts (the clock's state in Redis, changes announced to every
 * instance).
 */

export type ClockChange = { advanceMs: number } | { setMs: number } | { freeze: boolean };

export interface ClockView {
  now: number;
  frozen: boolean;
  offsetMs: number;
}

/** A change that would move the clock backwards, or is malformed. */
export class ClockChangeError extends Error {}

export interface ClockControl {
  view(): ClockView;
  /** Applies a change on every instance; rejects with ClockChangeError when it is refused. */
  change(change: ClockChange): Promise<ClockView>;
}
