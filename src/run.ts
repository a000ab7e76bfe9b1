/**
 * The process, once main.ts has loaded it: in order, configuration (the file checked completely
 * and its handlers loaded), the port, the embedded Redis when needed, the service (or its
 * workers), the configured queues and pollers. /health says "starting" until the last step is
 * done. A stop at any moment undoes what was started (see lifecycle.ts).
 *
 * This module loads little: the service's modules (Express, ioredis, the actions: most of the
 * start-up time) load while redis-server boots on the other core, and the parts a plain start
 * does not use (workers, the pollers' observers) only when asked for.
 */
import cluster from 'node:cluster';
import { createServer } from 'node:net';
import { type Config, ConfigError, DEFAULTS, loadConfig, USAGE } from './config.js';
import {
  type Credential,
  CredentialsError,
  credentialFor,
  mergeCredentials,
  securityNote,
  securityWarnings,
} from './credentials.js';
import { startEmbeddedRedis } from './embedded-redis.js';
import type { PollerActivity } from './lambda/activity.js';
import type { PreparedPollers } from './lambda/index.js';
import { Lifecycle, StopRequested } from './lifecycle.js';
import { createLogger, type Logger } from './log.js';
import type { RedisClock } from './store/redis-clock.js';
import { VERSION } from './version.js';

const life = new Lifecycle(createLogger('info'), DEFAULTS.shutdownTimeoutMs);

/** The pollers' module, with the AWS SDK it needs, is loaded only for a configuration file. */
const lambda = (): Promise<typeof import('./lambda/index.js')> => import('./lambda/index.js');

/** A start that cannot go on: the message for the user and the exit code. */
class StartError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/** Runs the process; main.ts's early signal handlers are replaced by the lifecycle's. */
export function main(early: { off(): void }): void {
  if (!cluster.isWorker) {
    // In this order: a signal's listeners never drop to none, or Node would forget a signal that
    // arrived while the modules loaded.
    life.handleSignals();
    early.off();
  }
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  if (argv.includes('--version') || argv.includes('-v')) {
    process.stdout.write(`redsqs ${VERSION}\n`);
    return;
  }
  let config: Config;
  try {
    config = loadConfig(process.env, argv);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`redsqs: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  // A worker of `--workers N`: the primary has done the rest and passed the Redis URL on. It reads
  // the file's credentials itself (the primary checked the file): they are no variable it inherits.
  if (cluster.isWorker) {
    const worker = config;
    void fileCredentials(worker).then(
      async (credentials) => (await import('./worker.js')).runWorker({ ...worker, credentials }),
      (err: unknown) => {
        process.stderr.write(`redsqs worker: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(2);
      },
    );
    return;
  }
  const log = createLogger(config.logLevel, { format: config.logFormat });
  life.configure(log, config.shutdownTimeoutMs);
  const started = performance.now();
  const starting = start(config, log).then(
    () => log.info(`ready in ${Math.round(performance.now() - started)} ms`),
    (err: unknown) => {
      if (err instanceof StopRequested || life.isStopping) return;
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`redsqs: ${message}\n`);
      void life.stop('start failed', err instanceof StartError ? err.code : 1);
    },
  );
  life.run(starting);
}

async function start(config: Config, log: Logger): Promise<void> {
  // The configuration file is checked completely, handlers included, before the port opens.
  let pollers: PreparedPollers | undefined;
  if (config.pollerConfig) {
    pollers = await prepare(config.pollerConfig);
    config = { ...config, credentials: checked(() => withFile(config, pollers?.config.credentials)) };
  }
  // The pollers are clients of this service: with credentials on, they sign as its account.
  const pollerKey = pollers
    ? checked(() => credentialFor(config.credentials, config.accountId, 'The pollers'))
    : undefined;
  life.check();
  await ensurePortFree(config.host, config.port);
  life.check();

  const external = config.redisClusterNodes ?? config.redisUrl;
  const redisStarting: Promise<string | string[]> = external
    ? Promise.resolve(external)
    : startEmbeddedRedis({
        dataDir: config.dataDir,
        log,
        signal: life.signal,
        onExit: () => {
          log.error('redsqs cannot serve without its Redis: exiting');
          void life.stop('redis-server exited', 1);
        },
      }).then((embedded) => {
        life.started({
          name: 'redis-server',
          begin: () => embedded.expectExit(), // a service manager may signal every process at once
          stop: () => embedded.stop(),
          now: () => embedded.stopNow(),
        });
        return embedded.url;
      });
  // The service's modules load while redis-server boots (the await below lets both go on).
  const serving = config.workers > 1 ? undefined : import('./service.js');
  serving?.catch(() => undefined); // a failed load is reported where it is awaited
  const redisUrl = await redisStarting;
  life.check();

  let url: string;
  let markReady: () => void;
  let shared: RedisClock | undefined;
  let note = '';
  // What the pollers do, for the stats, metrics and events that observe it.
  const activity: PollerActivity | undefined = pollers ? new (await lambda()).PollerActivity() : undefined;
  if (config.workers > 1) {
    const [{ startWorkers }, { serveWorkerMetrics }] = await Promise.all([
      import('./workers.js'),
      import('./metrics/cluster.js'),
    ]);
    life.check();
    // The workers' /metrics sum their counters through this process, which adds the pollers'.
    const workerMetrics = serveWorkerMetrics(activity);
    life.started({ name: 'metrics', stop: async () => workerMetrics.close() });
    const workers = await startWorkers({
      config,
      env: typeof redisUrl === 'string' && !config.redisUrl ? { REDIS_URL: redisUrl } : {},
      log,
      onGiveUp: () => void life.stop('workers keep dying', 1),
    });
    life.started({ name: 'workers', begin: () => workers.beginStop(), stop: () => workers.stop() });
    url = `http://${loopback(config.host)}:${workers.port}`;
    markReady = () => workers.markReady();
    note = `${config.workers} workers: pids ${workers.pids().join(', ')}; `;
    if (activity) {
      const [
        { followClock },
        { startEventPublisher },
        { invocationEvents },
        { connectRedis },
        { PollerStatsRecorder },
      ] = await Promise.all([
        import('./store/redis-clock.js'),
        import('./events/publisher.js'),
        import('./events/sources.js'),
        import('./store/connect.js'),
        import('./store/redis-poller-stats.js'),
      ]);
      life.check();
      // The pollers run here, in the primary, on the deployment's clock.
      const follower = await followClock(redisUrl, config.keyPrefix, log);
      life.started({ name: 'clock', stop: async () => follower.close() });
      shared = follower.shared;
      // In one process the service observes the pollers; here the primary reports for them: their
      // invocations on the event stream, each mapping's figures in Redis (GET /_redsqs/pollers).
      const publisher = await startEventPublisher(redisUrl, config.keyPrefix, () => follower.clock.now(), log);
      life.started({ name: 'events', stop: () => publisher.close() });
      activity.observe(invocationEvents(publisher.hub, config.accountId));
      const statsRedis = connectRedis(redisUrl);
      statsRedis.on('error', (err) => log.debug(`redis (poller stats): ${err.message}`));
      const stats = new PollerStatsRecorder(statsRedis, config.keyPrefix, (err) =>
        log.debug(`poller stats not written: ${err instanceof Error ? err.message : String(err)}`),
      );
      const unobserve = activity.observe(stats);
      // Stopped after the pollers (registered before them): their last reports are written first.
      life.started({
        name: 'poller stats',
        stop: async () => {
          unobserve();
          await stats.flush();
          statsRedis.disconnect();
        },
      });
    }
  } else {
    const { startService } = await (serving ?? import('./service.js'));
    life.check();
    const service = await startService({ config, redisUrl, log, ready: false, ...(activity ? { activity } : {}) });
    life.started({ name: 'service', begin: () => service.beginClose(), stop: () => service.close() });
    url = service.url;
    markReady = () => service.markReady();
    shared = service.clock;
  }
  const profile = config.profile ? `, profile ${config.profile}` : '';
  log.info(
    `redsqs ${VERSION} listening on ${config.host}:${new URL(url).port}: ${url} (${note}region ${config.region}, account ${config.accountId}${profile}; ${securityNote(config)})`,
  );
  for (const warning of securityWarnings(config)) log.warn(warning);
  life.check();

  if (pollers) {
    // The AWS SDK the pollers use warns on every start that it will need Node 22 (README says so).
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    try {
      const running = await pollers.start({
        endpoint: url,
        region: config.region,
        log,
        signal: life.signal,
        activity,
        ...(shared ? { clock: shared.clock } : {}),
        ...(pollerKey ? { credentials: pollerKey } : {}),
      });
      life.started({ name: 'pollers', stop: () => running.stop() });
      // A reset deletes the configured queues too: they are created again, empty, as at the start.
      shared?.onReset(async (account) => {
        if (account === undefined || account === config.accountId) await running.ensureQueues();
      });
    } catch (err) {
      life.check();
      throw await fileError(config.pollerConfig as string, err);
    }
  }
  life.check();
  markReady();
}

/** The file's problem, naming the file: exit 2 for a bad file, 1 for anything else. */
async function fileError(path: string, err: unknown): Promise<StartError> {
  const message = err instanceof Error ? err.message : String(err);
  const { PollerConfigError } = await lambda();
  return new StartError(
    `${message.includes(path) ? '' : `${path}: `}${message}`,
    err instanceof PollerConfigError ? 2 : 1,
  );
}

/** REDSQS_CREDENTIALS with the configuration file's credentials (a key in both is an error). */
function withFile(config: Config, fromFile: readonly Credential[] | undefined): Credential[] {
  if (!fromFile || fromFile.length === 0) return config.credentials;
  return mergeCredentials(config.credentials, fromFile, config.pollerConfig as string);
}

/** A credentials problem stops the start as a bad configuration does (exit 2). */
function checked<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CredentialsError) throw new StartError(err.message, 2);
    throw err;
  }
}

/** A worker's credentials: its variable's and its configuration file's. */
async function fileCredentials(config: Config): Promise<Credential[]> {
  if (!config.pollerConfig) return config.credentials;
  const { loadPollerConfig } = await import('./lambda/config.js');
  return withFile(config, loadPollerConfig(config.pollerConfig).credentials);
}

async function prepare(path: string): Promise<PreparedPollers> {
  try {
    return await (await lambda()).preparePollers(path);
  } catch (err) {
    throw await fileError(path, err);
  }
}

/** Loopback for a wildcard address: the URL is for clients on this machine (and for the pollers). */
function loopback(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}

function ensurePortFree(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new StartError(
          err.code === 'EADDRINUSE' ? `port ${port} on ${host} is already in use; set PORT or --port` : err.message,
          1,
        ),
      ),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
