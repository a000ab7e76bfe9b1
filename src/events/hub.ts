/**
 * The event stream across instances. Events go out on one Redis pub/sub channel per deployment
 * (`<prefix>:events`), as one message per request or drain (a JSON batch), to every instance with
 * SSE clients, which subscribes to it while it has them.
 *
 * Nobody listening costs nothing: an instance publishes only while it believes some instance has a
 * listener, a local boolean. Listening instances keep the key `<prefix>:events:listeners` alive
 * (SET PX, renewed every third of its lifetime); the instance that brings it into being announces
 * that on the channel of the same name and waits until every instance subscribed there has
 * acknowledged, so a stream that has begun misses nothing done after. Every instance reads the
 * key's remaining lifetime at start, on announcements and when it would have expired: once it has,
 * publishing stops.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { eventListenersKey, eventsChannel } from '../store/keys.js';
import { publishCounted } from '../store/publish.js';
import { type EventFilter, matches, type ServiceEvent } from './types.js';

/** Lifetime of the listeners key: publishing stops at most this long after the last listener left. */
export const PRESENCE_MS = 5_000;
/** How long a new listener waits for the other instances to acknowledge its announcement. */
const ACK_TIMEOUT_MS = 2_000;

/** A local listener (an SSE response): each matching event with its stream id. */
export interface EventSink {
  readonly filter: EventFilter;
  send(id: string, event: ServiceEvent): void;
  /** The service is closing. */
  close(): void;
}

/** What goes over `<prefix>:events`: origin, the sequence number of the first event, the events. */
interface Batch {
  o: string;
  n: number;
  e: ServiceEvent[];
}

type Control = { t: 'on'; id: string } | { t: 'ack'; id: string };

export interface EventHubOptions {
  redis: Redis | Cluster;
  /** A connection in subscriber mode (the service's own is shared: messages are told apart by channel). */
  subscriber: Redis | Cluster;
  prefix: string;
  /** The service's clock (events carry its time). */
  now(): number;
  log: Logger;
  presenceMs?: number;
}

export interface EventHubStats {
  /** Events are being published (some instance has a listener). */
  active: boolean;
  /** PUBLISH commands of events sent by this instance since it started. */
  published: number;
  /** Local listeners. */
  listeners: number;
}

export class EventHub {
  private active = false;
  /** Bumped by every activation: a key-lifetime reply older than the latest activation is stale. */
  private activations = 0;
  private published = 0;
  private readonly origin = randomBytes(4).toString('hex');
  private seq = 0;
  private readonly channel: string;
  private readonly key: string;
  private readonly presenceMs: number;
  private recheck: NodeJS.Timeout | undefined;
  private readonly sinks = new Set<EventSink>();
  /** This instance's presence: set up once for its first listener, dropped after its last. */
  private presence: { ready: Promise<void>; renew?: NodeJS.Timeout } | undefined;
  private readonly waiting = new Map<string, { acks: number; need: number; done: () => void }>();
  private closed = false;

  constructor(private readonly o: EventHubOptions) {
    this.channel = eventsChannel(o.prefix);
    this.key = eventListenersKey(o.prefix);
    this.presenceMs = o.presenceMs ?? PRESENCE_MS;
  }

  /** Listens for announcements, then reads whether anyone listens now (so none is missed between). */
  async start(): Promise<void> {
    this.o.subscriber.on('message', (channel: string, payload: string) => {
      if (channel === this.channel) this.deliver(payload);
      else if (channel === this.key) this.onControl(payload);
    });
    // Announcements made while the subscriber was reconnecting are lost: read the key again.
    this.o.subscriber.on('ready', () => void this.check());
    await this.o.subscriber.subscribe(this.key);
    await this.check();
  }

  /** Whether events are published now: build them only when this is true. */
  get isActive(): boolean {
    return this.active;
  }

  stats(): EventHubStats {
    return { active: this.active, published: this.published, listeners: this.sinks.size };
  }

  /** The service's time as events carry it. */
  time(): string {
    return new Date(this.o.now()).toISOString();
  }

  /** Publishes a batch of events (one PUBLISH) while some instance listens; nothing otherwise. */
  emit(events: ServiceEvent[]): void {
    if (!this.active || this.closed || events.length === 0) return;
    const batch: Batch = { o: this.origin, n: this.seq, e: events };
    this.seq += events.length;
    this.published++;
    this.o.redis.publish(this.channel, JSON.stringify(batch)).catch((err: unknown) => {
      this.o.log.debug(`events: publish failed: ${(err as Error).message}`);
    });
  }

  /** Builds and emits events only while active; a builder that throws costs the request nothing. */
  emitWith(build: () => ServiceEvent[]): void {
    if (!this.active) return;
    try {
      this.emit(build());
    } catch (err) {
      this.o.log.debug(`events: ${(err as Error).message}`);
    }
  }

  /**
   * Adds a local listener. Resolves once every instance publishes (the listener then misses nothing
   * done after); returns the function that removes the listener.
   */
  async listen(sink: EventSink): Promise<() => void> {
    if (this.closed) throw new Error('the service is closing');
    this.sinks.add(sink);
    const remove = (): void => {
      if (this.sinks.delete(sink) && this.sinks.size === 0) this.leave();
    };
    try {
      this.presence ??= this.join();
      await this.presence.ready;
    } catch (err) {
      remove();
      throw err;
    }
    return remove;
  }

  private join(): { ready: Promise<void>; renew?: NodeJS.Timeout } {
    const entry: { ready: Promise<void>; renew?: NodeJS.Timeout } = { ready: Promise.resolve() };
    entry.ready = (async () => {
      await this.o.subscriber.subscribe(this.channel);
      await this.renewPresence(true);
      if (this.presence !== entry) return; // the last listener left meanwhile
      entry.renew = setInterval(() => {
        this.renewPresence(false).catch((err: unknown) => {
          this.o.log.debug(`events: cannot renew ${this.key}: ${(err as Error).message}`);
        });
      }, this.presenceMs / 3);
      entry.renew.unref();
    })();
    entry.ready.catch(() => {
      if (this.presence === entry) this.presence = undefined; // the next listener tries again
    });
    return entry;
  }

  /** The last local listener left: stop renewing (the key expires) and stop receiving events. */
  private leave(): void {
    const entry = this.presence;
    if (!entry) return;
    this.presence = undefined;
    if (entry.renew) clearInterval(entry.renew);
    if (!this.closed) void this.o.subscriber.unsubscribe(this.channel).catch(() => undefined);
  }

  /** Keeps the key alive; when it was gone, announces it and (for a new listener) waits for the acks. */
  private async renewPresence(wait: boolean): Promise<void> {
    const previous = await this.o.redis.set(this.key, this.origin, 'PX', this.presenceMs, 'GET');
    this.activate(this.presenceMs);
    if (previous !== null) return;
    const id = randomUUID();
    let done = (): void => undefined;
    const acked = new Promise<void>((resolve) => {
      done = resolve;
    });
    // Registered before the announcement: acks may come back before PUBLISH's own reply.
    const entry = { acks: 0, need: Number.POSITIVE_INFINITY, done };
    this.waiting.set(id, entry);
    const timer = setTimeout(done, wait ? ACK_TIMEOUT_MS : 0);
    try {
      // On a cluster PUBLISH counts one node's subscribers only: the count is summed over all.
      entry.need = await publishCounted(this.o.redis, this.key, JSON.stringify({ t: 'on', id } satisfies Control));
      if (entry.acks >= entry.need) done();
      await acked;
    } finally {
      clearTimeout(timer);
      this.waiting.delete(id);
    }
  }

  private onControl(payload: string): void {
    let message: Control;
    try {
      message = JSON.parse(payload) as Control;
    } catch {
      return;
    }
    if (message.t === 'on') {
      this.activate(this.presenceMs);
      const ack: Control = { t: 'ack', id: message.id };
      this.o.redis.publish(this.key, JSON.stringify(ack)).catch(() => undefined);
    } else if (message.t === 'ack') {
      const w = this.waiting.get(message.id);
      if (w && ++w.acks >= w.need) w.done();
    }
  }

  /** Someone listens for at least `ms` more: publish, and look again then. */
  private activate(ms: number): void {
    if (this.closed) return;
    this.activations++;
    this.active = true;
    if (this.recheck) clearTimeout(this.recheck);
    this.recheck = setTimeout(() => void this.check(), ms + 20);
    this.recheck.unref();
  }

  /** Reads the key's remaining lifetime: while it lives, publish; once it is gone, stop. */
  private async check(): Promise<void> {
    if (this.closed) return;
    const activations = this.activations;
    let ttl: number;
    try {
      ttl = await this.o.redis.pttl(this.key);
    } catch (err) {
      // Unknown: keep publishing as before, and look again later.
      this.o.log.debug(`events: cannot read ${this.key}: ${(err as Error).message}`);
      if (this.active) this.activate(this.presenceMs);
      return;
    }
    if (ttl > 0) this.activate(ttl);
    else if (ttl === -1)
      this.activate(this.presenceMs); // no TTL (set by hand): look again later
    else if (activations !== this.activations) {
      // A listener announced itself while the reply was on its way (announcements come on the
      // subscriber connection, replies on this one): the key exists now, the reply is stale.
    } else {
      this.active = false;
      if (this.recheck) clearTimeout(this.recheck);
      this.recheck = undefined;
    }
  }

  /** A batch from any instance (this one included) to the local listeners. */
  private deliver(payload: string): void {
    if (this.sinks.size === 0) return;
    let batch: Batch;
    try {
      batch = JSON.parse(payload) as Batch;
    } catch {
      return;
    }
    if (!Array.isArray(batch.e)) return;
    batch.e.forEach((event, i) => {
      const id = `${batch.o}-${batch.n + i}`;
      for (const sink of this.sinks) if (matches(sink.filter, event)) sink.send(id, event);
    });
  }

  /** Ends every listener's stream and every timer; the connections are the caller's to close. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.active = false;
    if (this.recheck) clearTimeout(this.recheck);
    for (const w of this.waiting.values()) w.done();
    const sinks = [...this.sinks];
    this.sinks.clear();
    this.leave();
    for (const sink of sinks) sink.close();
  }
}
