#!/usr/bin/env node
/** The process entry: configuration, the embedded Redis when needed, worker processes, signals. */
import cluster from 'node:cluster';
import { createServer } from 'node:net';
import { ConfigError, loadConfig, USAGE } from './config.js';
import { type EmbeddedRedis, startEmbeddedRedis } from './embedded-redis.js';
import { loadPollerConfig } from './lambda/config.js';
import { type PollerConfig, PollerConfigError, type Pollers, startPollers } from './lambda/index.js';
import { createLogger } from './log.js';
import { startService } from './service.js';
import { runWorker } from './worker.js';
import { startWorkers } from './workers.js';

/** What the process serves from: the service itself, or the workers that each run one. */
interface Serving {
  port: number;
  /** Shutdown has begun (the pollers stop first): nothing that exits now is restarted. */
  beginClose?(): void;
  close(): Promise<void>;
}

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  try {
    config = loadConfig(process.env, process.argv.slice(2));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`redsqs: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  // A worker of `--workers N`: the primary below has done the rest and passed the Redis URL on.
  if (cluster.isWorker) return runWorker(config);

  const log = createLogger(config.logLevel);
  // A bad poller file is refused before anything is started; the queues and handlers come later.
  let pollerConfig: PollerConfig | undefined;
  if (config.pollerConfig) {
    try {
      pollerConfig = loadPollerConfig(config.pollerConfig);
    } catch (err) {
      failPollerConfig(config.pollerConfig, err);
    }
  }
  // Refuse a busy port before anything else is started.
  await ensurePortFree(config.host, config.port);
  let embedded: EmbeddedRedis | undefined;
  if (!config.redisUrl && !config.redisClusterNodes) {
    embedded = await startEmbeddedRedis(config.dataDir, log, () => {
      log.error('redsqs cannot serve without its Redis: exiting');
      process.exit(1);
    });
  }
  const redisUrl = config.redisClusterNodes ?? config.redisUrl ?? (embedded as EmbeddedRedis).url;

  let stopping = false;
  let pollers: Pollers | undefined;
  let serving: Serving;
  let workersNote = '';
  const stop = async (why: string, code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info(`${why}: shutting down`);
    // A service manager may signal every process of the service at once, Redis included.
    embedded?.expectExit();
    serving.beginClose?.();
    await pollers?.stop();
    await serving.close();
    await embedded?.stop();
    log.info('stopped');
    process.exit(code);
  };
  try {
    if (config.workers > 1) {
      const workers = await startWorkers({
        config,
        env: embedded ? { REDIS_URL: embedded.url } : {},
        log,
        onGiveUp: () => void stop('workers keep dying', 1),
      });
      serving = { port: workers.port, beginClose: () => workers.beginStop(), close: () => workers.stop() };
      workersNote = `${config.workers} workers: pids ${workers.pids().join(', ')}; `;
    } else {
      serving = await startService({ config, redisUrl, log });
    }
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
  // Loopback for a wildcard address: the URL is for clients on this machine (and for the pollers).
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host}:${serving.port}`;
  log.info(
    `redsqs listening on ${config.host}:${serving.port}: ${url} (${workersNote}region ${config.region}, account ${config.accountId})`,
  );

  if (config.pollerConfig && pollerConfig) {
    // The AWS SDK the pollers use warns on every start that it will need Node 22 (README says so).
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    try {
      pollers = await startPollers({ config: pollerConfig, endpoint: url, region: config.region, log });
    } catch (err) {
      stopping = true;
      await serving.close();
      await embedded?.stop();
      failPollerConfig(config.pollerConfig, err);
    }
  }

  process.on('SIGTERM', () => void stop('SIGTERM', 0));
  process.on('SIGINT', () => void stop('SIGINT', 0));
}

/** Exits with the poller file's problem: 2 for a bad file, 1 for anything else. */
function failPollerConfig(path: string, err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`redsqs: ${message.includes(path) ? '' : `${path}: `}${message}\n`);
  process.exit(err instanceof PollerConfigError ? 2 : 1);
}

function ensurePortFree(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === 'EADDRINUSE' ? `port ${port} on ${host} is already in use; set PORT or --port` : err.message,
        ),
      ),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`redsqs: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
