/**
 * The Notifier's bookkeeping, without Redis: a stand-in subscriber records SUBSCRIBE and
 * UNSUBSCRIBE and delivers announcements. Wake-ups through a real Redis are covered by the
 * long-polling integration tests.
 */
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Notifier } from '../../src/store/notifier.js';

class FakeSubscriber extends EventEmitter {
  readonly calls: string[] = [];
  failNext = false;
  private pending: (() => void)[] = [];
  subscribe(channel: string): Promise<number> {
    this.calls.push(`subscribe ${channel}`);
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('Connection is closed.'));
    }
    return new Promise((resolve) => this.pending.push(() => resolve(1)));
  }
  unsubscribe(channel: string): Promise<number> {
    this.calls.push(`unsubscribe ${channel}`);
    return Promise.resolve(0);
  }
  /** Redis confirms the subscriptions asked so far. */
  confirm(): void {
    for (const done of this.pending.splice(0)) done();
  }
  publish(channel: string, payload: string): void {
    this.emit('message', channel, payload);
  }
}

const CH = 'sqs:{000000000000/q}:wake';
const LINGER = 10_000;

describe('Notifier', () => {
  let sub: FakeSubscriber;
  let notifier: Notifier;
  beforeEach(() => {
    vi.useFakeTimers();
    sub = new FakeSubscriber();
    notifier = new Notifier(sub as unknown as Redis, () => Date.now(), LINGER);
  });
  afterEach(() => {
    notifier.close();
    vi.useRealTimers();
  });

  it('listens only once the subscription is confirmed', async () => {
    const subscribed = notifier.acquire(CH);
    expect(notifier.isListening(CH)).toBe(false);
    sub.confirm();
    await subscribed;
    expect(notifier.isListening(CH)).toBe(true);
    expect(sub.calls).toEqual([`subscribe ${CH}`]);
  });

  it('wakes as many waiters as messages were announced, and moves the version', async () => {
    const subscribed = notifier.acquire(CH);
    sub.confirm();
    await subscribed;
    const woken: number[] = [];
    const seen = notifier.version(CH);
    const waits = [1, 2, 3].map((i) => notifier.wait(CH, seen, 20_000).then(() => woken.push(i)));
    sub.publish(CH, `${Date.now()} 2`);
    await Promise.resolve();
    await Promise.resolve();
    expect(woken).toEqual([1, 2]);
    expect(notifier.version(CH)).toBe(seen + 1);
    // A receiver that noted the old version does not sleep at all.
    await notifier.wait(CH, seen, 20_000);
    vi.advanceTimersByTime(20_000);
    await Promise.all(waits);
    expect(woken).toEqual([1, 2, 3]);
  });

  it('a future announcement wakes a waiter when it is due', async () => {
    void notifier.acquire(CH);
    sub.confirm();
    let woken = false;
    void notifier.wait(CH, notifier.version(CH), 20_000).then(() => {
      woken = true;
    });
    sub.publish(CH, `${Date.now() + 5_000} 1`);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(woken).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(woken).toBe(true);
  });

  it('keeps the subscription for the linger time after the last receiver leaves', async () => {
    const first = notifier.acquire(CH);
    sub.confirm();
    await first;
    notifier.release(CH);
    expect(notifier.isListening(CH)).toBe(true);
    await vi.advanceTimersByTimeAsync(LINGER - 1);
    // Joined again in time: no second SUBSCRIBE, and the linger is off while it is in use.
    await notifier.acquire(CH);
    await vi.advanceTimersByTimeAsync(LINGER * 3);
    expect(notifier.isListening(CH)).toBe(true);
    expect(sub.calls).toEqual([`subscribe ${CH}`]);
    notifier.release(CH);
    await vi.advanceTimersByTimeAsync(LINGER);
    expect(notifier.isListening(CH)).toBe(false);
    expect(sub.calls).toEqual([`subscribe ${CH}`, `unsubscribe ${CH}`]);
  });

  it('announcements during the linger still move the version', async () => {
    const first = notifier.acquire(CH);
    sub.confirm();
    await first;
    notifier.release(CH);
    const before = notifier.version(CH);
    sub.publish(CH, `${Date.now()} 1`);
    expect(notifier.version(CH)).toBe(before + 1);
  });

  it('a failed SUBSCRIBE leaves the channel not listening, and the next receiver tries again', async () => {
    sub.failNext = true;
    await expect(notifier.acquire(CH)).rejects.toThrow('Connection is closed.');
    expect(notifier.isListening(CH)).toBe(false);
    const again = notifier.acquire(CH);
    sub.confirm();
    await again;
    expect(notifier.isListening(CH)).toBe(true);
    expect(sub.calls).toEqual([`subscribe ${CH}`, `subscribe ${CH}`]);
  });

  it('a channel that never listened is dropped at once when its last receiver leaves', async () => {
    sub.failNext = true;
    await notifier.acquire(CH).catch(() => undefined);
    notifier.release(CH);
    expect(notifier.version(CH)).toBe(0);
    expect(sub.calls).toEqual([`subscribe ${CH}`]);
  });

  it('after the subscriber connection drops, no channel listens until a receiver subscribes again', async () => {
    const first = notifier.acquire(CH);
    sub.confirm();
    await first;
    sub.emit('close');
    expect(notifier.isListening(CH)).toBe(false);
    // A new receiver subscribes again (ioredis also re-subscribes on its own; twice is harmless).
    const again = notifier.acquire(CH);
    expect(sub.calls).toEqual([`subscribe ${CH}`, `subscribe ${CH}`]);
    sub.confirm();
    await again;
    expect(notifier.isListening(CH)).toBe(true);
  });

  it('when the subscriber connection is back, every waiter looks again', async () => {
    void notifier.acquire(CH);
    sub.confirm();
    let woken = false;
    void notifier.wait(CH, notifier.version(CH), 20_000).then(() => {
      woken = true;
    });
    sub.emit('close');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(woken).toBe(false);
    sub.emit('ready');
    await Promise.resolve();
    expect(woken).toBe(true);
  });

  it('close() ends every wait at once', async () => {
    void notifier.acquire(CH);
    sub.confirm();
    const wait = notifier.wait(CH, notifier.version(CH), 20_000);
    notifier.close();
    await wait;
    expect(notifier.isClosed).toBe(true);
  });
});
