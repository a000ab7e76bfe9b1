/**
 * redsqs for test suites: one call starts a throwaway instance (a free port, its own redis-server
 * without persistence in a temporary directory) and answers once it is ready, with its URL, the
 * clock that tests move, reset and stop.
 *
 *   const sqs = await startRedsqs();
 *   process.env.AWS_ENDPOINT_URL_SQS = sqs.url;
 *   ...
 *   await sqs.clock.advance(30_000);
 *   await sqs.reset();
 *   await sqs.stop();
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, DEFAULTS, TEST_PROFILE } from './config.js';
import { credentialFor, mergeCredentials } from './credentials.js';
import { startEmbeddedRedis } from './embedded-redis.js';
import { PollerActivity, preparePollers } from './lambda/index.js';
import { createLogger, type Logger } from './log.js';
import { startService } from './service.js';
import type { ClockView } from './store/clock-control.js';

export interface StartRedsqsOptions extends Partial<Omit<Config, 'redisUrl' | 'redisClusterNodes' | 'workers'>> {
  /** Use this Redis (its keys under `keyPrefix`) instead of starting one. */
  redisUrl?: string;
  /** A logger of your own; by default lines of `logLevel` (default warn) go to stderr. */
  log?: Logger;
}

export interface RedsqsClock {
  /** The service's time, in ms since the epoch. */
  now(): number;
  readonly frozen: boolean;
  /** Moves time forward by `ms` on every instance: visibility timeouts, delays, retention... */
  advance(ms: number): Promise<ClockView>;
  /** Moves time forward to `time` (an earlier time is refused: the clock never goes backwards). */
  set(time: number | Date): Promise<ClockView>;
  freeze(): Promise<ClockView>;
  unfreeze(): Promise<ClockView>;
}

export interface Redsqs {
  /** The endpoint for SDKs (AWS_ENDPOINT_URL_SQS), e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  accountId: string;
  region: string;
  /** The URL of a queue of this instance's account (whether it exists or not). */
  queueUrl(name: string): string;
  clock: RedsqsClock;
  /** Deletes every queue and message (of one account), and returns the clock to real time. */
  reset(account?: string): Promise<{ deletedQueues: number }>;
  /** Stops the service, its pollers and its redis-server, and removes its temporary directory. */
  stop(): Promise<void>;
}

/** Starts a throwaway redsqs; settings default to the test profile on a free loopback port. */
export async function startRedsqs(options: StartRedsqsOptions = {}): Promise<Redsqs> {
  const { redisUrl, log: ownLog, ...settings } = options;
  const config: Config = {
    ...DEFAULTS,
    ...TEST_PROFILE,
    port: 0,
    host: '127.0.0.1',
    logLevel: 'warn',
    profile: 'test',
    ...settings,
  };
  const log = ownLog ?? createLogger(config.logLevel, { format: config.logFormat });
  const pollers = config.pollerConfig ? await preparePollers(config.pollerConfig) : undefined;
  // The file's credentials join the given ones; the pollers sign as the service's account.
  const fromFile = pollers?.config.credentials ?? [];
  if (fromFile.length > 0) {
    config.credentials = mergeCredentials(config.credentials, fromFile, config.pollerConfig as string);
  }
  const pollerKey = pollers ? credentialFor(config.credentials, config.accountId, 'The pollers') : undefined;
  const undo: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    while (undo.length > 0) await undo.pop()?.();
  };
  try {
    let url = redisUrl;
    if (!url) {
      const dir = mkdtempSync(join(tmpdir(), 'redsqs-'));
      undo.push(async () => rmSync(dir, { recursive: true, force: true }));
      const embedded = await startEmbeddedRedis({ dataDir: dir, log, persistence: false, ownProcessGroup: false });
      // A test run that exits without stop() must not leave its redis-server running (a Ctrl-C
      // reaches it directly: it shares the test runner's process group).
      const onExit = (): void => embedded.stopNow();
      process.once('exit', onExit);
      undo.push(async () => {
        process.off('exit', onExit);
        await embedded.stop();
      });
      url = embedded.url;
    }
    // What the pollers do, for the service's metrics, event stream and poller figures.
    const activity = new PollerActivity();
    const service = await startService({ config, redisUrl: url, log, ready: false, ...(pollers ? { activity } : {}) });
    undo.push(() => service.close());
    if (pollers) {
      const running = await pollers.start({
        endpoint: service.url,
        region: config.region,
        log,
        clock: service.clock.clock,
        activity,
        ...(pollerKey ? { credentials: pollerKey } : {}),
      });
      undo.push(() => running.stop());
      // A reset deletes the configured queues too: they are created again, empty, as at the start.
      service.clock.onReset(async (account) => {
        if (account === undefined || account === config.accountId) await running.ensureQueues();
      });
    }
    service.markReady();
    const shared = service.clock;
    let stopping: Promise<void> | undefined;
    return {
      url: service.url,
      port: service.port,
      accountId: config.accountId,
      region: config.region,
      queueUrl: (name) => `${service.url}/${config.accountId}/${name}`,
      clock: {
        now: () => shared.clock.now(),
        get frozen() {
          return shared.clock.frozen;
        },
        advance: (ms) => shared.change({ advanceMs: ms }),
        set: (time) => shared.change({ setMs: typeof time === 'number' ? time : time.getTime() }),
        freeze: () => shared.change({ freeze: true }),
        unfreeze: () => shared.change({ freeze: false }),
      },
      reset: async (account) => ({ deletedQueues: await service.reset(account) }),
      stop: () => {
        stopping ??= stop();
        return stopping;
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
