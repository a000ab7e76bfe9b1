/**
 * The one module that reads the environment and the command line. Everything else receives a
 * Config object, so tests build their own without touching process.env.
 */
import { availableParallelism } from 'node:os';

export interface Config {
  port: number;
  host: string;
  /** Use this Redis; when absent the service starts its own redis-server child. */
  redisUrl?: string;
  /** Use this Redis Cluster (seed nodes, host:port). */
  redisClusterNodes?: string[];
  /** Data directory of the embedded redis-server (append-only file lives here). */
  dataDir: string;
  /** Prefix of every Redis key, so several deployments or test runs can share one Redis. */
  keyPrefix: string;
  region: string;
  accountId: string;
  /** Base of queue URLs (e.g. http://sqs.local:9324); when absent, built from the Host header. */
  baseUrl?: string;
  /** Seconds during which a deleted queue's name cannot be reused (SQS: 60). */
  deleteCooldownSeconds: number;
  /** Seconds between purges of one queue (SQS: 60). */
  purgeCooldownSeconds: number;
  /** Milliseconds between passes of the retention sweeper. */
  sweepIntervalMs: number;
  /** redsqs.config.json: queues to create and Lambda-style pollers to run. */
  pollerConfig?: string;
  /** HTTP worker processes sharing the port (node:cluster); 1 serves from this process alone. */
  workers: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
}

export const DEFAULTS: Config = {
  port: 9324,
  host: '0.0.0.0',
  dataDir: '.redsqs-data',
  keyPrefix: 'sqs',
  region: 'us-east-1',
  accountId: '000000000000',
  deleteCooldownSeconds: 60,
  purgeCooldownSeconds: 60,
  sweepIntervalMs: 1000,
  workers: 1,
  logLevel: 'info',
};

export class ConfigError extends Error {}

export const USAGE = `Usage: redsqs [--port N] [--host ADDR] [--redis-url URL] [--data-dir DIR] [--config FILE]
              [--workers N|auto]

An Amazon SQS-compatible service backed by Redis (default http://localhost:9324).
Without --redis-url / REDIS_URL it runs its own redis-server with data in --data-dir.
--config (or REDSQS_CONFIG) names a redsqs.config.json: queues to create and Lambda-style
handlers to run for their messages.
--workers (or REDSQS_WORKERS) serves HTTP from N worker processes on the same port, all on the
same Redis; auto = one per CPU. Default 1: this process alone.
Environment: PORT, HOST, REDIS_URL, REDIS_CLUSTER_NODES, DATA_DIR, REDSQS_BASE_URL, REDSQS_REGION,
REDSQS_ACCOUNT_ID, REDSQS_KEY_PREFIX, REDSQS_DELETE_COOLDOWN_SECONDS,
REDSQS_PURGE_COOLDOWN_SECONDS, REDSQS_SWEEP_INTERVAL_MS, REDSQS_WORKERS, LOG_LEVEL (see README.md).
`;

function intFrom(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

function keyPrefixFrom(raw: string | undefined): string {
  const prefix = raw || DEFAULTS.keyPrefix;
  // Braces would break the per-queue hash tags that keep each queue in one Redis Cluster slot.
  if (/[{}\s]/.test(prefix)) throw new ConfigError('REDSQS_KEY_PREFIX must not contain braces or spaces');
  return prefix;
}

const MAX_WORKERS = 256;

function workersFrom(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULTS.workers;
  if (raw === 'auto') return Math.min(availableParallelism(), MAX_WORKERS);
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_WORKERS) {
    throw new ConfigError(
      `REDSQS_WORKERS (--workers) must be "auto" or an integer from 1 to ${MAX_WORKERS}, got "${raw}"`,
    );
  }
  return n;
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

/**
 * Flags: --port N, --host H, --redis-url URL, --data-dir DIR, --config FILE, --workers N|auto (each
 * overrides its variable).
 */
export function loadConfig(env: Record<string, string | undefined>, argv: readonly string[] = []): Config {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument "${arg}"\n${USAGE}`);
    const eq = arg.indexOf('=');
    if (eq > 0) flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    else {
      const value = argv[i + 1];
      if (value === undefined) throw new ConfigError(`${arg} needs a value`);
      flags.set(arg.slice(2), value);
      i++;
    }
  }
  const known = new Set(['port', 'host', 'redis-url', 'data-dir', 'config', 'workers']);
  for (const k of flags.keys()) if (!known.has(k)) throw new ConfigError(`unknown flag --${k}\n${USAGE}`);

  const accountId = env.REDSQS_ACCOUNT_ID || DEFAULTS.accountId;
  if (!/^\d{12}$/.test(accountId)) throw new ConfigError('REDSQS_ACCOUNT_ID must be 12 digits');
  const logLevel = (env.LOG_LEVEL || DEFAULTS.logLevel) as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const baseUrl = env.REDSQS_BASE_URL?.replace(/\/+$/, '') || undefined;
  if (baseUrl && !/^https?:\/\/[^/]+$/.test(baseUrl)) {
    throw new ConfigError('REDSQS_BASE_URL must look like http://host:port');
  }
  const redisUrl = flags.get('redis-url') ?? (env.REDIS_URL || undefined);
  const pollerConfig = flags.get('config') ?? (env.REDSQS_CONFIG || undefined);
  const clusterNodes = (env.REDIS_CLUSTER_NODES ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  for (const node of clusterNodes) {
    if (!/^[^:\s]+:\d+$/.test(node))
      throw new ConfigError(`REDIS_CLUSTER_NODES must list host:port pairs, got "${node}"`);
  }
  if (clusterNodes.length > 0 && redisUrl) throw new ConfigError('set REDIS_URL or REDIS_CLUSTER_NODES, not both');
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) {
    throw new ConfigError(`REDIS_URL must start with redis:// or rediss://, got "${redisUrl}"`);
  }
  return {
    port: intFrom('PORT', flags.get('port') ?? env.PORT, DEFAULTS.port, 0, 65535),
    host: flags.get('host') ?? (env.HOST || DEFAULTS.host),
    ...(redisUrl ? { redisUrl } : {}),
    ...(clusterNodes.length > 0 ? { redisClusterNodes: clusterNodes } : {}),
    dataDir: flags.get('data-dir') ?? (env.DATA_DIR || DEFAULTS.dataDir),
    keyPrefix: keyPrefixFrom(env.REDSQS_KEY_PREFIX),
    region: env.REDSQS_REGION || env.AWS_REGION || DEFAULTS.region,
    accountId,
    ...(baseUrl ? { baseUrl } : {}),
    deleteCooldownSeconds: intFrom(
      'REDSQS_DELETE_COOLDOWN_SECONDS',
      env.REDSQS_DELETE_COOLDOWN_SECONDS,
      DEFAULTS.deleteCooldownSeconds,
      0,
      3600,
    ),
    purgeCooldownSeconds: intFrom(
      'REDSQS_PURGE_COOLDOWN_SECONDS',
      env.REDSQS_PURGE_COOLDOWN_SECONDS,
      DEFAULTS.purgeCooldownSeconds,
      0,
      3600,
    ),
    sweepIntervalMs: intFrom(
      'REDSQS_SWEEP_INTERVAL_MS',
      env.REDSQS_SWEEP_INTERVAL_MS,
      DEFAULTS.sweepIntervalMs,
      10,
      3_600_000,
    ),
    workers: workersFrom(flags.get('workers') ?? env.REDSQS_WORKERS),
    logLevel,
    ...(pollerConfig ? { pollerConfig } : {}),
  };
}
