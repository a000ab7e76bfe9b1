#!/usr/bin/env node
/** The process entry: configuration, the embedded Redis when needed, signals. */
import { createServer } from 'node:net';
import { ConfigError, loadConfig, USAGE } from './config.js';
import { type EmbeddedRedis, startEmbeddedRedis } from './embedded-redis.js';
import { PollerConfigError, type Pollers, startPollers } from './lambda/index.js';
import { createLogger } from './log.js';
import { startService } from './service.js';

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
  let service: Awaited<ReturnType<typeof startService>>;
  try {
    service = await startService({ config, redisUrl, log });
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
  log.info(
    `redsqs listening on ${config.host}:${service.port}: ${service.url} (region ${config.region}, account ${config.accountId})`,
  );

  let pollers: Pollers | undefined;
  if (config.pollerConfig) {
    try {
      pollers = await startPollers({ config: config.pollerConfig, endpoint: service.url, region: config.region, log });
    } catch (err) {
      process.stderr.write(`redsqs: ${config.pollerConfig}: ${err instanceof Error ? err.message : String(err)}\n`);
      await service.close();
      await embedded?.stop();
      process.exit(err instanceof PollerConfigError ? 2 : 1);
    }
  }

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: shutting down`);
    await pollers?.stop();
    await service.close();
    await embedded?.stop();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
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
