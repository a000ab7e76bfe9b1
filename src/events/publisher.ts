/**
 * An event hub for a process that publishes without serving: the primary of `--workers N`, which
 * runs the pollers and reports their invocations. It has connections of its own.
 */
import type { Logger } from '../log.js';
import { connectRedis, subscriberConnection } from '../store/connect.js';
import { EventHub } from './hub.js';

export interface EventPublisher {
  hub: EventHub;
  close(): Promise<void>;
}

export async function startEventPublisher(
  target: string | string[],
  prefix: string,
  now: () => number,
  log: Logger,
): Promise<EventPublisher> {
  const redis = connectRedis(target);
  const subscriber = subscriberConnection(target);
  redis.on('error', (err) => log.debug(`redis (events): ${err.message}`));
  subscriber.on('error', (err) => log.debug(`redis subscriber (events): ${err.message}`));
  const hub = new EventHub({ redis, subscriber, prefix, now, log });
  const close = async (): Promise<void> => {
    hub.close();
    redis.disconnect();
    subscriber.disconnect();
  };
  try {
    await redis.connect();
    await subscriber.connect();
    await hub.start();
    return { hub, close };
  } catch (err) {
    await close();
    throw err;
  }
}
