/**
 * Wakes long polls. Every script that makes messages visible (sooner) publishes
 * `visibleAtMs count` on the queue's channel; an instance subscribes to a channel while it has
 * receivers waiting on that queue, so sends and visibility changes on any instance, its own
 * included, reach them. A message in the future sets a timer for that moment.
 *
 * Each channel has a version number: a receiver notes it before it looks at the queue and sleeps
 * only if nothing was announced since, so no announcement slips between a look and a sleep.
 *
 * A channel stays subscribed for `lingerMs` after its last receiver leaves: consumers that poll in
 * a loop find it still listening, so they neither pay a SUBSCRIBE + UNSUBSCRIBE per poll nor a
 * second look at the queue after subscribing (see isListening).
 */
import type { Cluster, Redis } from 'ioredis';
import { type Clock, SYSTEM_CLOCK } from '../clock.js';
import type { LongPolls } from './long-polls.js';

interface Waiter {
  wake: () => void;
}

interface Channel {
  version: number;
  waiters: Set<Waiter>;
  users: number;
  subscribed?: Promise<unknown>;
  /** The subscription is confirmed: every announcement from now on reaches this channel. */
  listening: boolean;
  /** The subscriber connection dropped since `subscribed`: the next receiver subscribes again. */
  stale?: boolean;
  timer?: { at: number; handle: NodeJS.Timeout };
  /** Drops the channel when nobody acquired it again in time. */
  linger?: NodeJS.Timeout;
}

/** How long a channel stays subscribed after its last receiver left. */
export const DEFAULT_LINGER_MS = 10_000;

export class Notifier implements LongPolls {
  private readonly channels = new Map<string, Channel>();
  private closed = false;
  private readonly clock: Clock;
  private readonly stopWatchingClock: () => void;

  /** `clock`: the service's clock, or a plain time source (which never moves by itself). */
  constructor(
    private readonly subscriber?: Redis | Cluster,
    clock: Clock | (() => number) = SYSTEM_CLOCK,
    private readonly lingerMs = DEFAULT_LINGER_MS,
  ) {
    this.clock = typeof clock === 'function' ? { ...SYSTEM_CLOCK, now: clock } : clock;
    // The clock moved: timers set for a moment of the old time are wrong, and messages may be
    // due now. Every waiter looks again and sleeps by the new time.
    this.stopWatchingClock = this.clock.onChange(() => {
      for (const c of this.channels.values()) {
        if (c.timer) clearTimeout(c.timer.handle);
        c.timer = undefined;
        this.wakeNow(c, 0);
      }
    });
    subscriber?.on('message', (channel: string, payload: string) => this.onAnnouncement(channel, payload));
    // Announcements published while the subscriber connection is down are lost. Until a receiver
    // has subscribed again, no channel counts as listening (so polls look twice, as on a first
    // subscription); once the connection is back, every waiter looks again.
    subscriber?.on('close', () => {
      for (const c of this.channels.values()) {
        c.listening = false;
        if (c.subscribed) c.stale = true;
      }
    });
    subscriber?.on('ready', () => {
      for (const c of this.channels.values()) this.wakeNow(c, 0);
    });
  }

  private onAnnouncement(channel: string, payload: string): void {
    const [at, count] = payload.split(' ').map(Number);
    this.announce(channel, Number.isFinite(at) ? (at as number) : 0, Number.isFinite(count) ? (count as number) : 1);
  }

  /**
   * Registers interest in a channel, subscribing if this is the first user. Resolves when the
   * subscription is in place, or rejects; call release() in every case.
   */
  acquire(channel: string): Promise<unknown> {
    let c = this.channels.get(channel);
    if (!c) {
      c = { version: 0, waiters: new Set(), users: 0, listening: !this.subscriber };
      this.channels.set(channel, c);
    }
    c.users++;
    if (c.linger) {
      clearTimeout(c.linger);
      c.linger = undefined;
    }
    if (!this.subscriber) return Promise.resolve();
    if (c.subscribed && !c.stale) return c.subscribed;
    c.stale = false;
    const entry = c;
    const subscribed = this.subscriber.subscribe(channel).then(
      (reply) => {
        if (entry.subscribed === subscribed) entry.listening = true;
        return reply;
      },
      (err: unknown) => {
        entry.subscribed = undefined; // the next receiver tries again
        throw err;
      },
    );
    entry.subscribed = subscribed;
    return subscribed;
  }

  release(channel: string): void {
    const c = this.channels.get(channel);
    if (!c) return;
    c.users--;
    if (c.users > 0) return;
    if (this.lingerMs > 0 && !this.closed && c.listening) {
      c.linger ??= setTimeout(() => this.drop(channel, c), this.lingerMs);
      c.linger.unref();
      return;
    }
    this.drop(channel, c);
  }

  private drop(name: string, c: Channel): void {
    if (c.users > 0 || this.channels.get(name) !== c) return;
    this.channels.delete(name);
    if (c.timer) clearTimeout(c.timer.handle);
    if (c.linger) clearTimeout(c.linger);
    c.listening = false;
    if (c.subscribed) void this.subscriber?.unsubscribe(name).catch(() => undefined);
  }

  /**
   * True when this instance already receives every announcement of the channel (a confirmed
   * subscription, kept by other receivers or lingering). A receiver that acquires such a channel
   * and notes its version before looking at the queue can sleep right after that look.
   */
  isListening(channel: string): boolean {
    return this.channels.get(channel)?.listening === true;
  }

  version(channel: string): number {
    return this.channels.get(channel)?.version ?? 0;
  }

  /** Resolves after `ms`, on an announcement, on abort, or at once if the version moved past `seen`. */
  wait(channel: string, seen: number, ms: number, signal?: AbortSignal): Promise<void> {
    const c = this.channels.get(channel);
    if (this.closed || !c || c.version !== seen || ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: Waiter = {
        wake: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', waiter.wake);
          c.waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.wake, ms);
      signal?.addEventListener('abort', waiter.wake);
      c.waiters.add(waiter);
    });
  }

  /** `count` messages become visible at `atMs`: wake that many waiters then (all when count <= 0). */
  announce(channel: string, atMs: number, count: number): void {
    const c = this.channels.get(channel);
    if (!c) return;
    const delay = atMs - this.clock.now();
    if (delay <= 0) {
      this.wakeNow(c, count);
      return;
    }
    // A frozen clock reaches no future moment; moving it wakes every waiter.
    if (this.clock.frozen) return;
    if (c.timer && c.timer.at <= atMs) return;
    if (c.timer) clearTimeout(c.timer.handle);
    const handle = setTimeout(() => {
      c.timer = undefined;
      this.wakeNow(c, 0);
    }, delay);
    c.timer = { at: atMs, handle };
  }

  private wakeNow(c: Channel, count: number): void {
    c.version++;
    let left = count > 0 ? count : c.waiters.size;
    for (const w of [...c.waiters]) {
      if (left-- <= 0) break;
      w.wake();
    }
  }

  /** While the clock is frozen no message becomes due by itself: waits need no due timer. */
  get clockFrozen(): boolean {
    return this.clock.frozen;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Ends every wait at once (shutdown answers open long polls). */
  close(): void {
    this.closed = true;
    this.stopWatchingClock();
    for (const c of this.channels.values()) {
      if (c.timer) clearTimeout(c.timer.handle);
      if (c.linger) clearTimeout(c.linger);
      this.wakeNow(c, 0);
    }
  }
}
