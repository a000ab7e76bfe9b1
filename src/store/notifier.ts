/**
 * Wakes long polls. Each queue with waiting receivers has a version number; a receiver notes the
 * version before it looks at the queue and sleeps only if nothing happened since. Sends on this
 * instance wake receivers directly; sends on other instances arrive over Redis pub/sub, on a
 * per-queue channel this instance subscribes to only while it has receivers waiting there.
 */
import type { Cluster, Redis } from 'ioredis';

interface Waiter {
  wake: () => void;
}

interface Channel {
  version: number;
  waiters: Set<Waiter>;
  users: number;
  subscribed?: Promise<unknown>;
}

export class Notifier {
  private readonly channels = new Map<string, Channel>();
  private closed = false;

  constructor(private readonly subscriber?: Redis | Cluster) {
    subscriber?.on('message', (channel: string) => this.notify(channel));
  }

  /** Registers interest in a channel (subscribing if this is the first user); call release() after. */
  async acquire(channel: string): Promise<void> {
    let c = this.channels.get(channel);
    if (!c) {
      c = { version: 0, waiters: new Set(), users: 0 };
      this.channels.set(channel, c);
    }
    c.users++;
    if (this.subscriber && !c.subscribed) c.subscribed = this.subscriber.subscribe(channel);
    await c.subscribed;
  }

  release(channel: string): void {
    const c = this.channels.get(channel);
    if (!c) return;
    c.users--;
    if (c.users <= 0) {
      this.channels.delete(channel);
      if (c.subscribed) void this.subscriber?.unsubscribe(channel).catch(() => undefined);
    }
  }

  version(channel: string): number {
    return this.channels.get(channel)?.version ?? 0;
  }

  /** Resolves after `ms`, on a notify, or at once if the version moved past `seen`. */
  wait(channel: string, seen: number, ms: number): Promise<void> {
    const c = this.channels.get(channel);
    if (this.closed || !c || c.version !== seen || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: Waiter = {
        wake: () => {
          clearTimeout(timer);
          c.waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.wake, ms);
      c.waiters.add(waiter);
    });
  }

  notify(channel: string): void {
    const c = this.channels.get(channel);
    if (!c) return;
    c.version++;
    for (const w of [...c.waiters]) w.wake();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Ends every wait at once (shutdown answers open long polls). */
  close(): void {
    this.closed = true;
    for (const channel of this.channels.keys()) this.notify(channel);
  }
}
