/**
 * What a long-polling ReceiveMessage needs to sleep until a message may have arrived: the wake
 * channels of queues (Store.wakeChannel), their versions and waits. The implementation is
 * notifier.ts (Redis pub/sub, so a send on any instance wakes the poll).
 *
 * Each channel has a version that moves on every announcement: a receiver notes it before it looks
 * at the queue, and its wait returns at once if the version moved since, so no announcement slips
 * between a look and a sleep.
 */
export interface LongPolls {
  /**
   * Registers interest in a channel (subscribing if needed). Resolves when announcements reach it,
   * or rejects; call release() in every case.
   */
  acquire(channel: string): Promise<unknown>;
  release(channel: string): void;
  /**
   * True when every announcement of the channel already reaches this instance: a receiver that
   * acquires it and notes its version before looking at the queue may sleep right after that look.
   */
  isListening(channel: string): boolean;
  version(channel: string): number;
  /** Resolves after `ms`, on an announcement, on abort, or at once if the version moved past `seen`. */
  wait(channel: string, seen: number, ms: number, signal?: AbortSignal): Promise<void>;
  /** While the clock is frozen no message becomes due by itself: waits need no due timer. */
  readonly clockFrozen: boolean;
  /** Shutting down: every wait ends at once. */
  readonly isClosed: boolean;
}
