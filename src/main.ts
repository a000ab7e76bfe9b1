#!/usr/bin/env node
/** The process entry: configuration, the embedded Redis when needed, worker processes, signals. */
import cluster from 'node:cluster';
import { createServer } from 'node:net';
import { ConfigError, loadConfig, USAGE } from './config.js';
import { type EmbeddedRedis, startEmbeddedRedis } from './embedded-redis.js';
import { PollerConfigError, type Pollers, startPollers } from './lambda/index.js';
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

  if (config.pollerConfig) {
    try {
      pollers = await startPollers({ config: config.pollerConfig, endpoint: url, region: config.region, log });
    } catch (err) {
      process.stderr.write(`redsqs: ${config.pollerConfig}: ${err instanceof Error ? err.message : String(err)}\n`);
      stopping = true;
      await serving.close();
      await embedded?.stop();
      process.exit(err instanceof PollerConfigError ? 2 : 1);
    }
  }

  process.on('SIGTERM', () => void stop('SIGTERM', 0));
  process.on('SIGINT', () => void stop('SIGINT', 0));
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
