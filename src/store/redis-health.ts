/**
 * Whether Redis can serve right now. A lost connection is known from the client's events; a
 * server that holds the connection but no longer answers (stopped, overloaded, a network that
 * drops packets) is known from a PING or command that times out. While Redis is known to be
 * down, requests are answered at once (503 on /health, ServiceUnavailable on the SQS path)
 * instead of waiting on a connection that retries; a probe notices when it answers again.
 */
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '../log.js';
import type { StoreHealth } from './store.js';

/** A PING slower than this counts as no answer. */
export const PING_TIMEOUT_MS = 1_000;
const PROBE_INTERVAL_MS = 500;

export class RedisHealth implements StoreHealth {
  private downReason: string | undefined;
  private probe: NodeJS.Timeout | undefined;
  private closed = false;
  /** Before the first connection, a failure is the start's to report, not a state to announce. */
  private connected = false;
  /** Hears of every PING answered, with its round trip in seconds (the metrics). */
  onRoundTrip: ((seconds: number) => void) | undefined;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly log: Logger,
  ) {
    redis.on('ready', () => {
      this.connected = true;
      this.markUp();
    });
    redis.on('close', () => this.markDown('the connection to Redis is closed'));
    redis.on('end', () => this.markDown('the connection to Redis ended'));
  }

  /** Known to be down: don't wait on Redis, answer 503. */
  get isDown(): boolean {
    return this.downReason !== undefined;
  }

  get reason(): string | undefined {
    return this.downReason;
  }

  /** Answers within PING_TIMEOUT_MS: true when Redis answered a PING. */
  async check(): Promise<boolean> {
    if (this.isDown) return false;
    if (await this.ping()) return true;
    this.suspect(`Redis did not answer a PING within ${PING_TIMEOUT_MS} ms`);
    return false;
  }

  /** A command timed out: Redis may be hung. Down until a PING is answered again. */
  suspect(reason: string): void {
    if (this.closed || this.probe) return;
    this.markDown(reason);
    const tick = async (): Promise<void> => {
      if (this.closed) return;
      if (await this.ping()) {
        this.probe = undefined;
        this.markUp();
        return;
      }
      this.probe = setTimeout(() => void tick(), PROBE_INTERVAL_MS);
    };
    this.probe = setTimeout(() => void tick(), PROBE_INTERVAL_MS);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.probe);
  }

  private async ping(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
    });
    const sent = performance.now();
    try {
      return await Promise.race([
        this.redis.ping().then(
          () => {
            this.onRoundTrip?.((performance.now() - sent) / 1000);
            return true;
          },
          () => false,
        ),
        late,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private markDown(reason: string): void {
    if (this.closed || !this.connected || this.downReason !== undefined) return;
    this.downReason = reason;
    this.log.warn(`${reason}: answering 503 until it is back`);
  }

  private markUp(): void {
    // A probe still running owns the verdict: the connection may be up while Redis does not answer.
    if (this.downReason === undefined || this.probe) return;
    this.log.info('Redis is back');
    this.downReason = undefined;
  }
}
