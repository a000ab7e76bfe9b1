/**
 * The event hub's "does anyone listen" state, with stand-in connections so that the order of
 * replies can be chosen: a reply that says "nobody listens" and was sent before a listener's
 * announcement arrived must not switch publishing off.
 */
import { EventEmitter } from 'node:events';
import type { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { EventHub } from '../../src/events/hub.js';
import { createLogger } from '../../src/log.js';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('EventHub', () => {
  it('ignores a "key gone" reply that was overtaken by a listener announcing itself', async () => {
    const subscriber = Object.assign(new EventEmitter(), {
      subscribe: async () => 1,
      unsubscribe: async () => 1,
    });
    const ttlReplies: ((ms: number) => void)[] = [];
    const published: string[] = [];
    const redis = {
      pttl: () => new Promise<number>((r) => ttlReplies.push(r)),
      publish: async (channel: string) => {
        published.push(channel);
        return 1;
      },
      set: async () => null,
    };
    const hub = new EventHub({
      redis: redis as unknown as Redis | Cluster,
      subscriber: subscriber as unknown as Redis | Cluster,
      prefix: 'p',
      now: Date.now,
      log: createLogger('silent'),
      presenceMs: 300,
    });
    try {
      const started = hub.start();
      await tick();
      ttlReplies.shift()?.(-2); // nobody listens at start
      await started;
      expect(hub.isActive).toBe(false);
      // A reconnect makes the hub look again; while that PTTL is on its way, another instance
      // creates the key and its announcement arrives first.
      subscriber.emit('ready');
      await tick();
      expect(ttlReplies).toHaveLength(1);
      subscriber.emit('message', 'p:events:listeners', JSON.stringify({ t: 'on', id: 'x' }));
      expect(hub.isActive).toBe(true);
      ttlReplies.shift()?.(-2); // the stale reply
      await tick();
      expect(hub.isActive).toBe(true);
      hub.emit([{ type: 'purged', time: '', account: '000000000000', queue: 'q' }]);
      await tick();
      expect(published).toContain('p:events');
    } finally {
      hub.close();
    }
  });
});
