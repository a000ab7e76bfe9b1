/**
 * One clock for every instance on the same Redis. Its state (offset or frozen instant, version)
 * lives in `<prefix>:clock`; a change is made by one script, applied locally, then announced on
 * the `<prefix>:clock` channel. Every instance applies the announcement and acknowledges it, and
 * the change returns once all listening instances have, so a request to any instance after the
 * change sees the new time.
 */
import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { AdjustableClock, type ClockState, REAL_TIME } from '../clock.js';
import type { Logger } from '../log.js';
import { type ClockChange, ClockChangeError, type ClockControl, type ClockView } from './clock-control.js';
import { connectRedis, subscriberConnection } from './connect.js';
import { clockKey } from './keys.js';
import { publishCounted } from './publish.js';
import { type ClockOperation, clock as clockScript } from './scripts/clock.js';
import { Scripts } from './scripts.js';

// The clock's interface lives in clock-control.ts; its types are re-exported for existing importers.
export { type ClockChange, ClockChangeError, type ClockView } from './clock-control.js';

type Announcement =
  | { t: 'state'; id: string; state: ClockState }
  /** A reset of the deployment (no account: the clock is back to real time too) or of one account. */
  | { t: 'reset'; id: string; account?: string }
  | { t: 'ack'; id: string };

/** The last time a JavaScript Date holds (clock.lua refuses to go past it). */
const LAST_TIME = 8_640_000_000_000_000;

/** How long a change waits for the other instances to acknowledge it. */
const ACK_TIMEOUT_MS = 2_000;
/** A reset waits longer: the process running the pollers re-creates its configured queues first. */
const RESET_ACK_TIMEOUT_MS = 10_000;

/** Runs after a reset, on every process that listens, before it acknowledges the reset. */
export type ResetListener = (account: string | undefined) => Promise<void>;

export class RedisClock implements ClockControl {
  private readonly key: string;
  private readonly waiting = new Map<string, { acks: number; need: number; done: () => void }>();
  private readonly resetListeners = new Set<ResetListener>();

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly subscriber: Redis | Cluster,
    private readonly scripts: Scripts,
    prefix: string,
    readonly clock: AdjustableClock,
    private readonly log: Logger,
  ) {
    this.key = clockKey(prefix);
  }

  /** Listens for changes, then reads the current state (so none is missed in between). */
  async start(): Promise<void> {
    this.subscriber.on('message', (channel: string, payload: string) => {
      if (channel === this.key) this.onAnnouncement(payload);
    });
    // Announcements made while the subscriber was reconnecting are lost: read the state again.
    this.subscriber.on('ready', () => {
      this.refresh().catch((err: unknown) => this.log.warn(`clock: ${(err as Error).message}`));
    });
    await this.subscriber.subscribe(this.key);
    await this.refresh();
  }

  private async refresh(): Promise<void> {
    const { state } = await clockScript(this.scripts, { key: this.key, op: 'get', real: this.clock.real() });
    // A state of version 0 is real time: the clock was never moved, or a reset deleted it.
    this.clock.apply(state, state.version === 0 && this.clock.version !== 0);
  }

  view(): ClockView {
    return { now: this.clock.now(), frozen: this.clock.frozen, offsetMs: this.clock.offsetMs };
  }

  async change(change: ClockChange): Promise<ClockView> {
    let op: ClockOperation;
    let value = 0;
    if ('advanceMs' in change) {
      if (!Number.isSafeInteger(change.advanceMs) || change.advanceMs < 0) {
        throw new ClockChangeError('advanceMs must be a whole number of milliseconds, 0 or more');
      }
      op = 'advance';
      value = change.advanceMs;
    } else if ('setMs' in change) {
      if (!Number.isSafeInteger(change.setMs) || change.setMs < 0) {
        throw new ClockChangeError('setMs must be a time in milliseconds since the epoch');
      }
      op = 'set';
      value = change.setMs;
    } else {
      op = change.freeze ? 'freeze' : 'unfreeze';
    }
    const reply = await clockScript(this.scripts, { key: this.key, op, real: this.clock.real(), value });
    if (reply.status === 'past-end') {
      throw new ClockChangeError(
        `the clock cannot go past ${LAST_TIME} (${new Date(LAST_TIME).toISOString()}), the last time a JavaScript Date holds`,
      );
    }
    if (reply.status === 'backwards') {
      const now = reply.now;
      throw new ClockChangeError(
        `the clock cannot go backwards: it is ${new Date(now).toISOString()} (${now}), and setMs ${value} is earlier`,
      );
    }
    const { state } = reply;
    this.clock.apply(state);
    await this.announce({ t: 'state', id: randomUUID(), state });
    return this.view();
  }

  /**
   * Tells every process that the deployment (or one account) was reset, and returns once each has
   * done what it does after a reset (the clock back to real time for a whole deployment; the
   * configured queues created again where pollers run).
   */
  async announceReset(account?: string): Promise<void> {
    if (account === undefined) {
      await this.redis.unlink(this.key);
      this.clock.apply(REAL_TIME, true);
    }
    await this.announce({ t: 'reset', id: randomUUID(), ...(account === undefined ? {} : { account }) });
  }

  onReset(listener: ResetListener): () => void {
    this.resetListeners.add(listener);
    return () => this.resetListeners.delete(listener);
  }

  private onAnnouncement(payload: string): void {
    let message: Announcement;
    try {
      message = JSON.parse(payload) as Announcement;
    } catch {
      return;
    }
    if (message.t === 'ack') {
      const w = this.waiting.get(message.id);
      if (w && ++w.acks >= w.need) w.done();
      return;
    }
    let applied = Promise.resolve();
    if (message.t === 'state') this.clock.apply(message.state);
    else if (message.t === 'reset') {
      if (message.account === undefined) this.clock.apply(REAL_TIME, true);
      applied = this.afterReset(message.account);
    } else return;
    const ack: Announcement = { t: 'ack', id: message.id };
    void applied
      .then(() => this.redis.publish(this.key, JSON.stringify(ack)))
      .catch((err: unknown) => this.log.warn(`clock: ${(err as Error).message}`));
  }

  private async afterReset(account: string | undefined): Promise<void> {
    for (const listener of [...this.resetListeners]) {
      try {
        await listener(account);
      } catch (err) {
        this.log.warn(`after the reset: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** Publishes and waits until every instance listening (this one included) has applied it. */
  private async announce(message: Announcement): Promise<void> {
    const patience = message.t === 'reset' ? RESET_ACK_TIMEOUT_MS : ACK_TIMEOUT_MS;
    let done = (): void => undefined;
    const applied = new Promise<void>((resolve) => {
      done = resolve;
    });
    const entry = { acks: 0, need: Number.POSITIVE_INFINITY, done };
    this.waiting.set(message.id, entry);
    let timer: NodeJS.Timeout | undefined;
    try {
      entry.need = await this.publish(JSON.stringify(message));
      if (entry.acks >= entry.need) return;
      const late = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), patience);
      });
      if (await Promise.race([applied.then(() => false), late])) {
        this.log.warn(`clock: ${entry.acks} of ${entry.need} instances confirmed the change within ${patience} ms`);
      }
    } finally {
      clearTimeout(timer);
      this.waiting.delete(message.id);
    }
  }

  /** Publishes; returns how many instances listen (on a cluster, summed over all its nodes). */
  private publish(payload: string): Promise<number> {
    return publishCounted(this.redis, this.key, payload);
  }
}

/**
 * A clock that follows the deployment's without serving anything: the primary of `--workers N`
 * runs the pollers on it.
 */
export async function followClock(
  target: string | string[],
  prefix: string,
  log: Logger,
): Promise<{ clock: AdjustableClock; shared: RedisClock; close(): void }> {
  const redis = connectRedis(target);
  const subscriber = subscriberConnection(target);
  redis.on('error', (err) => log.debug(`redis (clock): ${err.message}`));
  subscriber.on('error', (err) => log.debug(`redis subscriber (clock): ${err.message}`));
  const close = (): void => {
    redis.disconnect();
    subscriber.disconnect();
  };
  try {
    await redis.connect();
    await subscriber.connect();
    const shared = new RedisClock(redis, subscriber, new Scripts(redis), prefix, new AdjustableClock(), log);
    await shared.start();
    return { clock: shared.clock, shared, close };
  } catch (err) {
    close();
    throw err;
  }
}
