/**
 * One worker process of `--workers N`: the service, on the port node:cluster shares among the
 * workers, against the Redis the primary names. The primary tells it when to stop; a worker whose
 * primary disappears exits (node:cluster does that on the lost IPC channel), so none lingers.
 */
import cluster from 'node:cluster';
import type { Config } from './config.js';
import { createLogger } from './log.js';
import { workerMetrics } from './metrics/cluster.js';
import { startService } from './service.js';
import { type FromWorker, isToWorker } from './workers.js';

export async function runWorker(config: Config): Promise<void> {
  const log = createLogger(config.logLevel, { format: config.logFormat }, `w${cluster.worker?.id ?? '?'}`);
  const redisUrl = config.redisClusterNodes ?? config.redisUrl;
  if (!redisUrl) {
    log.error('a worker needs REDIS_URL or REDIS_CLUSTER_NODES from its primary');
    process.exit(1);
  }
  let service: Awaited<ReturnType<typeof startService>> | undefined;
  let stopping = false;
  const stop = async (why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    // Still starting: the rest happens once it has started (below).
    if (!service) return;
    log.debug(`${why}: closing`);
    // Bounded whatever Redis or a client does (REDSQS_SHUTDOWN_TIMEOUT_SECONDS).
    setTimeout(() => {
      log.error(`still closing after ${config.shutdownTimeoutMs / 1000} s: exiting`);
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    await service.close();
    process.exit(0);
  };
  // Listening before the service starts, so that a stop during the start is not lost.
  process.on('message', (message: unknown) => {
    if (!isToWorker(message)) return;
    if (message.type === 'ready') service?.markReady();
    else if (message.type === 'stopping') service?.beginClose();
    else void stop('asked to stop');
  });
  // A terminal's Ctrl-C or a service manager may signal the whole process group. The primary, which
  // gets the same signal, stops the pollers first and then the workers: a worker that closed on its
  // own now would leave the pollers' last deletes unanswered. Without a primary, the signal counts.
  const onSignal = (signal: string) => {
    if (process.connected) log.debug(`${signal}: the primary stops the workers in order`);
    else void stop(signal);
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));

  try {
    // /health says "starting" until the primary has created the configured queues and pollers.
    // /metrics sums the counters of every worker, through the primary.
    service = await startService({ config, redisUrl, log, ready: false, metricsCluster: workerMetrics() });
  } catch (err) {
    log.error(`cannot start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  if (stopping) {
    stopping = false;
    return stop('stopped while starting');
  }
  log.info(`worker ready (pid ${process.pid})`);
  const ready: FromWorker = { redsqs: true, type: 'listening', port: service.port };
  process.send?.(ready);
}
