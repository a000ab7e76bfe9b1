/** The clock everything time-dependent reads: offsets, freezing, versions, and waits that follow it. */
import { describe, expect, it } from 'vitest';
import { AdjustableClock, REAL_TIME, untilTime } from '../../src/clock.js';

describe('AdjustableClock', () => {
  it('adds its offset to real time, stands still while frozen, and tells listeners of changes', () => {
    let real = 1_000;
    const clock = new AdjustableClock(() => real);
    let changes = 0;
    clock.onChange(() => changes++);
    expect(clock.now()).toBe(1_000);
    expect(clock.apply({ offsetMs: 500, version: 1 })).toBe(true);
    real = 1_100;
    expect([clock.now(), clock.offsetMs, clock.frozen]).toEqual([1_600, 500, false]);
    clock.apply({ offsetMs: 500, frozenAtMs: 2_000, version: 2 });
    real = 9_999;
    expect([clock.now(), clock.frozen]).toEqual([2_000, true]);
    expect(changes).toBe(2);
  });

  it('ignores a state older than the one it has, unless forced (a reset)', () => {
    const clock = new AdjustableClock(() => 0);
    clock.apply({ offsetMs: 10, version: 5 });
    expect(clock.apply({ offsetMs: 99, version: 4 })).toBe(false);
    expect(clock.apply({ offsetMs: 99, version: 5 })).toBe(false);
    expect(clock.now()).toBe(10);
    expect(clock.apply(REAL_TIME, true)).toBe(true);
    expect([clock.now(), clock.version]).toEqual([0, 0]);
  });
});

describe('untilTime', () => {
  it('ends when the clock reaches the moment: by real time, or at once when the clock moves past it', async () => {
    const clock = new AdjustableClock();
    const started = Date.now();
    await untilTime(clock, clock.now() + 30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(29);

    let ended = false;
    const wait = untilTime(clock, clock.now() + 60_000).then(() => {
      ended = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(ended).toBe(false);
    clock.apply({ offsetMs: 60_000, version: 1 });
    await wait;
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('waits for a move while the clock is frozen, and ends on abort', async () => {
    const clock = new AdjustableClock();
    clock.apply({ offsetMs: 0, frozenAtMs: 1_000, version: 1 });
    let ended = false;
    const wait = untilTime(clock, 1_010).then(() => {
      ended = true;
    });
    await new Promise((r) => setTimeout(r, 40));
    expect(ended).toBe(false); // 40 ms of real time, none of the clock's
    clock.apply({ offsetMs: 0, frozenAtMs: 1_005, version: 2 });
    await new Promise((r) => setTimeout(r, 20));
    expect(ended).toBe(false);
    clock.apply({ offsetMs: 0, frozenAtMs: 1_010, version: 3 });
    await wait;

    const abort = new AbortController();
    const aborted = untilTime(clock, 10_000, abort.signal);
    abort.abort();
    await aborted;
  });
});

describe('untilTime when the clock goes back (a reset to real time)', () => {
  it('keeps the time the wait had left, instead of waiting out the jump', async () => {
    let real = 1_000_000;
    const clock = new AdjustableClock(() => real);
    clock.apply({ offsetMs: 30 * 86_400_000, version: 1 }); // thirty days ahead
    let ended = false;
    const wait = untilTime(clock, clock.now() + 50).then(() => {
      ended = true;
    });
    clock.apply(REAL_TIME, true); // back to real time: the moment moves back with it
    real += 40;
    await new Promise((r) => setTimeout(r, 80));
    expect(ended).toBe(false); // 40 ms of the clock passed, 10 left
    real += 10;
    clock.apply({ offsetMs: 0, version: 2 }); // any move re-arms; now the moment has come
    await wait;
    expect(ended).toBe(true);
  });
});
