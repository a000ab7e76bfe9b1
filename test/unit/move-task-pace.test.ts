/** The pace of a message move task: on the service's clock, without bursts after real-time gaps. */
import { describe, expect, it } from 'vitest';
import { paceStep } from '../../src/background/move-tasks.js';

describe('paceStep', () => {
  const T = 1_800_000_000_000;

  it('moves rate × elapsed time of the clock, carrying fractions', () => {
    let step = paceStep(undefined, T, T, 5); // the first step counts one tick (100 ms): 0.5
    expect(step.budget).toBe(0);
    step = paceStep(step.next, T + 100, T + 100, 5);
    expect(step.budget).toBe(1); // 0.5 carried + 0.5
    step = paceStep(step.next, T + 1_100, T + 1_100, 5);
    expect(step.budget).toBe(5);
  });

  it('moves nothing while the clock stands still, and catches up when it is advanced', () => {
    let step = paceStep(undefined, T, T, 1);
    for (let real = T + 100; real <= T + 2_000; real += 100) {
      step = paceStep(step.next, T, real, 1); // frozen: the clock does not move
      expect(step.budget).toBe(0);
    }
    step = paceStep(step.next, T + 6_000, T + 2_100, 1); // advanced six seconds
    expect(step.budget).toBe(6);
  });

  it('earns at most one second after a gap of real time (a stall, a task taken over)', () => {
    const first = paceStep(undefined, T, T, 100);
    const late = paceStep(first.next, T + 30_000, T + 30_000, 100);
    expect(first.budget).toBe(10); // the first step: one tick's worth
    expect(late.budget).toBe(100); // one second's worth, not thirty
  });

  it('claims at most 1,000 a step and 60 seconds of the rate in all, keeping the rest for later', () => {
    const first = paceStep(undefined, T, T, 500);
    const jump = paceStep(first.next, T + 3_600_000, T + 100, 500);
    expect(jump.budget).toBe(1_000);
    expect(Math.round(jump.next.carry)).toBe(500 * 60 - 1_000);
  });
});
