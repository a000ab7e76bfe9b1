/**
 * The service without a process around it: an HTTP server whose SQS requests go to the SQS
 * handler on plain node:http and everything else to Express. Tests build it on a port of
 * their choosing against a Redis of their choosing.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Cluster, Redis } from 'ioredis';
import { MoveTaskRunner } from './background/move-tasks.js';
import { Sweeper } from './background/sweeper.js';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import { createSqsHandler, isSqsRequest } from './protocol/sqs-handler.js';
import { KeyCache } from './store/keys.js';
import { Notifier } from './store/notifier.js';
import { RedisMoves } from './store/redis-moves.js';
import { RedisStore } from './store/redis-store.js';
import { Scripts } from './store/scripts.js';
import type { Store } from './store/store.js';

export interface Service {
  server: Server;
  store: Store;
  moves: RedisMoves;
  sweeper: Sweeper;
  tasks: MoveTaskRunner;
  /** The URL the service answers on, once listening. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface ServiceOptions {
  config: Config;
  /** A Redis URL, or the seed nodes of a Redis Cluster. */
  redisUrl: string | string[];
  log: Logger;
  now?: () => number;
  /** Run the sweeper and move tasks (default true; tests drive them by hand). */
  background?: boolean;
}

function buildApp(store: Store): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/health', async (_req, res) => {
    const redis = await store.ping();
    // pid: which process answered, telling the workers of `--workers N` apart.
    res
      .status(redis ? 200 : 503)
      .json({ status: redis ? 'ok' : 'unavailable', redis: redis ? 'up' : 'down', pid: process.pid });
  });
  app.use((req, res) => {
    res
      .status(404)
      .json({ error: `No route for ${req.method} ${req.path}. SQS requests go to POST / (or GET /?Action=...).` });
  });
  return app;
}

/** ZMSCORE (6.2) reads the send times of a whole receive at once. */
const MIN_REDIS = [6, 2] as const;

/** The server's version (of one node of a cluster), or undefined when INFO does not say. */
async function redisVersion(redis: Redis | Cluster): Promise<string | undefined> {
  try {
    const info = redis instanceof Cluster ? await redis.nodes('master')[0]?.info('server') : await redis.info('server');
    return /^redis_version:(\S+)/m.exec(info ?? '')?.[1];
  } catch {
    return undefined; // INFO may be renamed or forbidden; scripts fail clearly enough then
  }
}

export function atLeast(version: string, min: readonly number[]): boolean {
  const parts = version.split('.').map(Number);
  for (let i = 0; i < min.length; i++) {
    const p = parts[i] ?? 0;
    if (p !== min[i]) return p > (min[i] as number);
  }
  return true;
}

export async function startService(options: ServiceOptions): Promise<Service> {
  const { config, log } = options;
  const redisOptions = { enableAutoPipelining: true, maxRetriesPerRequest: 3, lazyConnect: true };
  const connect = (extra: object): Redis | Cluster =>
    typeof options.redisUrl === 'string'
      ? new Redis(options.redisUrl, { ...redisOptions, ...extra })
      : new Cluster(
          options.redisUrl.map((node) => ({
            host: node.slice(0, node.lastIndexOf(':')),
            port: Number(node.slice(node.lastIndexOf(':') + 1)),
          })),
          { enableAutoPipelining: true, lazyConnect: true, redisOptions: { ...redisOptions, ...extra } },
        );
  const redis = connect({});
  const subscriber = connect({ maxRetriesPerRequest: null });
  let lastError = '';
  redis.on('error', (err) => {
    lastError = err.message;
    log.warn(`redis: ${err.message}`);
  });
  subscriber.on('error', (err) => log.warn(`redis subscriber: ${err.message}`));
  try {
    await redis.connect();
    await subscriber.connect();
  } catch (err) {
    redis.disconnect();
    subscriber.disconnect();
    const reason = lastError || (err instanceof Error ? err.message : String(err));
    throw new Error(`cannot connect to Redis at ${options.redisUrl}: ${reason}`);
  }
  const version = await redisVersion(redis);
  if (version && !atLeast(version, MIN_REDIS)) {
    redis.disconnect();
    subscriber.disconnect();
    throw new Error(`redsqs needs Redis ${MIN_REDIS.join('.')} or later; ${options.redisUrl} runs Redis ${version}`);
  }

  const now = options.now ?? Date.now;
  const scripts = new Scripts(redis);
  const keys = new KeyCache(config.keyPrefix);
  const store = new RedisStore(redis, config.keyPrefix, scripts, keys);
  const moves = new RedisMoves(redis, scripts, config.keyPrefix, config.region, keys);
  const notifier = new Notifier(subscriber, now);
  const sqs = createSqsHandler({ store, moves, config, notifier, now, log });
  // Background work: each instance runs it; leases make one instance do each piece.
  const owner = randomUUID();
  const sweeper = new Sweeper({
    store,
    moves,
    account: config.accountId,
    owner,
    intervalMs: config.sweepIntervalMs,
    now,
    log,
  });
  const tasks = new MoveTaskRunner({ moves, store, owner, region: config.region, now, log });
  if (options.background !== false) {
    sweeper.start();
    tasks.start();
  }
  const app = buildApp(store);
  const server = createServer((req, res) => (isSqsRequest(req) ? sqs(req, res) : app(req, res)));
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(config.port, config.host, done);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;

  let closing: Promise<void> | undefined;
  return {
    server,
    store,
    moves,
    sweeper,
    tasks,
    url: `http://${host}:${port}`,
    port,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((done) => server.close(() => done()));
        notifier.close(); // open long polls answer now, with no messages
        await Promise.all([sweeper.stop(), tasks.stop()]);
        // Keep-alive connections become idle as their last responses go out.
        const idle = setInterval(() => server.closeIdleConnections(), 25);
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), 5_000);
        await closed;
        clearInterval(idle);
        clearTimeout(force);
        await Promise.allSettled([redis.quit(), subscriber.quit()]);
      })();
      return closing;
    },
  };
}
