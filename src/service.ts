/**
 * The service without a process around it: an HTTP server whose SQS requests go to the SQS
 * handler on plain node:http and everything else to Express. Tests build it on a port of
 * their choosing against a Redis of their choosing.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Cluster, type Redis } from 'ioredis';
import { createDispatcher } from './actions/dispatch.js';
import { buildApp, type Phase } from './app.js';
import { verifyRequest } from './auth/sigv4.js';
import { logMovedBatches, MoveTaskRunner } from './background/move-tasks.js';
import { Sweeper } from './background/sweeper.js';
import { AdjustableClock } from './clock.js';
import type { Config } from './config.js';
import { EventHub } from './events/hub.js';
import { invocationEvents, moveEvents, observedStore } from './events/sources.js';
import type { PollerActivity } from './lambda/activity.js';
import type { Logger } from './log.js';
import type { MetricsCluster } from './metrics/cluster.js';
import { ServiceMetrics } from './metrics/metrics.js';
import { cachedAccounts, everyAccountCounts } from './metrics/queue-counts.js';
import { createSqsHandler, isSqsRequest } from './protocol/sqs-handler.js';
import { connectRedis, subscriberConnection } from './store/connect.js';
import { KeyCache } from './store/keys.js';
import type { Moves } from './store/moves.js';
import { Notifier } from './store/notifier.js';
import { RedisClock } from './store/redis-clock.js';
import { RedisHealth } from './store/redis-health.js';
import { RedisMoves } from './store/redis-moves.js';
import { PollerStatsRecorder } from './store/redis-poller-stats.js';
import { resetKeys } from './store/redis-reset.js';
import { RedisStore } from './store/redis-store.js';
import { Scripts } from './store/scripts.js';
import type { Store } from './store/store.js';
import { browserGuard } from './web/browser-guard.js';

export interface Service {
  server: Server;
  store: Store;
  moves: Moves;
  sweeper: Sweeper;
  tasks: MoveTaskRunner;
  /** The deployment's clock (shared by every instance on the Redis): read, move, freeze. */
  clock: RedisClock;
  /** The event stream's hub (GET /_redsqs/events): what happens here, published while anyone listens. */
  events: EventHub;
  /** The URL the service answers on, once listening. */
  url: string;
  port: number;
  /** Everything asked for at start is in place: /health answers 200 from now on. */
  markReady(): void;
  /** Shutdown has begun (the pollers stop first): /health answers 503 "stopping" from now on. */
  beginClose(): void;
  /** Deletes every queue and message of the key prefix (or of one account); returns how many queues. */
  reset(account?: string): Promise<number>;
  close(): Promise<void>;
}

export interface ServiceOptions {
  config: Config;
  /** A Redis URL, or the seed nodes of a Redis Cluster. */
  redisUrl: string | string[];
  log: Logger;
  /** The real time under the service's clock (tests fix it); the shared offset is added to it. */
  now?: () => number;
  /** Run the sweeper and move tasks (default true; tests drive them by hand). */
  background?: boolean;
  /** false: /health answers 503 "starting" until markReady() (default: ready once listening). */
  ready?: boolean;
  /** The pollers running in this process: counted in /metrics, their invocations on the event stream,
   *  their figures in Redis for GET /_redsqs/pollers. */
  activity?: PollerActivity;
  /** A worker of `--workers N`: /metrics sums the counters of every worker (metrics/cluster.ts). */
  metricsCluster?: MetricsCluster;
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
  const redis = connectRedis(options.redisUrl);
  const subscriber = subscriberConnection(options.redisUrl);
  let lastError = '';
  redis.on('error', (err) => {
    lastError = err.message;
    log.debug(`redis: ${err.message}`);
  });
  subscriber.on('error', (err) => log.debug(`redis subscriber: ${err.message}`));
  const health = new RedisHealth(redis, log);
  const scripts = new Scripts(redis);
  const clock = new RedisClock(redis, subscriber, scripts, config.keyPrefix, new AdjustableClock(options.now), log);
  const events = new EventHub({ redis, subscriber, prefix: config.keyPrefix, now: () => clock.clock.now(), log });
  try {
    await redis.connect();
    await subscriber.connect();
    const version = await redisVersion(redis);
    if (version && !atLeast(version, MIN_REDIS)) {
      throw new TooOld(`redsqs needs Redis ${MIN_REDIS.join('.')} or later; ${options.redisUrl} runs Redis ${version}`);
    }
    await clock.start();
    await events.start();
  } catch (err) {
    events.close();
    health.close();
    redis.disconnect();
    subscriber.disconnect();
    if (err instanceof TooOld) throw err;
    const reason = lastError || (err instanceof Error ? err.message : String(err));
    throw new Error(`cannot connect to Redis at ${options.redisUrl}: ${reason}`);
  }

  const now = (): number => clock.clock.now();
  const keys = new KeyCache(config.keyPrefix);
  const store = new RedisStore(redis, config.keyPrefix, scripts, keys);
  const moves = new RedisMoves(redis, scripts, config.keyPrefix, config.region, keys);
  if (log.debugEnabled) moves.observe(logMovedBatches(log));
  const notifier = new Notifier(subscriber, clock.clock);
  const allCounts = everyAccountCounts(store, cachedAccounts(store, config.accountId));
  const metrics = new ServiceMetrics({
    readCounts: () => (health.isDown ? Promise.reject(new Error('Redis is down')) : allCounts(now())),
    moves,
    pingRedis: () => health.check(),
    ...(options.activity ? { activity: options.activity } : {}),
    ...(options.metricsCluster ? { cluster: options.metricsCluster } : {}),
  });
  health.onRoundTrip = (seconds) => metrics.redisRoundTrip(seconds);
  moves.observe(moveEvents(events));
  // Pollers in this process (metrics observe them above): their invocations on the event stream,
  // each mapping's figures in Redis for every instance's dashboard.
  const pollerStats = new PollerStatsRecorder(redis, config.keyPrefix, (err) =>
    log.debug(`poller stats not written: ${err instanceof Error ? err.message : String(err)}`),
  );
  const unobservePollers = options.activity
    ? [options.activity.observe(invocationEvents(events, config.accountId)), options.activity.observe(pollerStats)]
    : [];
  // What the actions and the developer routes change reaches the event stream (a reset does not:
  // it wipes keys wholesale).
  const observed = observedStore(store, events);
  const dispatch = createDispatcher({ store: observed, moves, config, longPolls: notifier, now, log }, health, metrics);
  const sqs = createSqsHandler({ dispatch, config, log, now });
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
  let phase: Phase = options.ready === false ? 'starting' : 'ready';
  const reset = async (account?: string): Promise<number> => {
    const deleted = await resetKeys({ redis, store, prefix: config.keyPrefix }, account);
    await clock.announceReset(account);
    log.info(`reset: ${deleted} queue(s) deleted${account === undefined ? '' : ` of account ${account}`}`);
    return deleted;
  };
  const app = buildApp({
    store: observed,
    config,
    clock,
    now,
    health,
    phase: () => phase,
    reset,
    metrics,
    events,
    // The dashboard's list: every call, so that a new account's queue shows at once.
    accounts: async () => [...new Set([config.accountId, ...(await store.listAccounts())])].sort(),
    // The page cannot sign: its SQS calls run unsigned as the default account, behind the
    // developer token when credentials are configured (app.ts).
    dashboardSqs: createSqsHandler({ dispatch, config, log, now, account: config.accountId }),
    // The developer routes take the SQS API's signatures too (service "sqs", this region).
    verifySigned: (request, credentials, at) =>
      verifyRequest(request, credentials, at, { region: config.region, machineNow: Date.now() }),
    log,
  });
  // Other web pages are kept out of both paths (web/browser-guard.ts).
  const guard = browserGuard(config, log);
  const server = createServer((req, res) => {
    const isSqs = isSqsRequest(req);
    if (guard(req, res, isSqs)) return;
    if (isSqs) sqs(req, res);
    else app(req, res);
  });
  server.keepAliveTimeout = 65_000;

  try {
    await metrics.start();
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(config.port, config.host, done);
    });
  } catch (err) {
    // Nothing of this service may outlive the failed start: connections, subscriptions, timers.
    metrics.close();
    notifier.close();
    events.close();
    health.close();
    redis.disconnect();
    subscriber.disconnect();
    throw err;
  }
  if (options.background !== false) {
    sweeper.start();
    tasks.start();
  }
  // Messages may have passed their retention period when the clock moved.
  const stopWatchingClock = clock.clock.onChange(() => sweeper.kick());
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;

  let closing: Promise<void> | undefined;
  return {
    server,
    store,
    moves,
    sweeper,
    tasks,
    clock,
    events,
    url: `http://${host}:${port}`,
    port,
    markReady() {
      if (phase === 'starting') phase = 'ready';
    },
    beginClose() {
      phase = 'stopping';
    },
    reset,
    close() {
      closing ??= (async () => {
        phase = 'stopping';
        const closed = new Promise<void>((done) => server.close(() => done()));
        notifier.close(); // open long polls answer now, with no messages
        events.close(); // and open event streams end
        stopWatchingClock();
        // Background work stops between steps; a Redis that does not answer does not hold it up.
        await Promise.race([Promise.all([sweeper.stop(), tasks.stop()]), delay(health.isDown ? 0 : 2_000)]);
        // Keep-alive connections become idle as their last responses go out.
        const idle = setInterval(() => server.closeIdleConnections(), 25);
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), 5_000);
        await closed;
        clearInterval(idle);
        clearTimeout(force);
        const down = health.isDown;
        // The pollers stopped before the service (run.ts, testing.ts): their last reports are in.
        for (const unobserve of unobservePollers) unobserve();
        if (!down) await Promise.race([pollerStats.flush(), delay(1_000)]);
        metrics.close();
        health.close();
        await Promise.all([quit(redis, down), quit(subscriber, down)]);
      })();
      return closing;
    },
  };
}

class TooOld extends Error {}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** QUIT when Redis answers (pending replies arrive first), else drop the connection. */
async function quit(connection: Redis | Cluster, down: boolean): Promise<void> {
  if (!down && connection.status === 'ready') {
    await Promise.race([connection.quit().catch(() => undefined), delay(1_000)]);
  }
  connection.disconnect();
}
