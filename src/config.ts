/**
 * The one module that reads the environment and the command line. Everything else receives a
 * Config object, so tests build their own without touching process.env.
 */
import { availableParallelism } from 'node:os';
import { type Credential, CredentialsError, parseCredentials } from './credentials.js';
import { DELETE_COOLDOWN_SECONDS, PURGE_COOLDOWN_SECONDS } from './sqs/limits.js';

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
  /** auto: readable lines on a terminal, JSON lines otherwise. */
  logFormat: 'auto' | 'json' | 'pretty';
  /** 'test': settings for test suites (no purge or delete cool-downs) unless set one by one. */
  profile?: 'test';
  /** The routes around the SQS API: peek, reset, clock (`/health` is always on). */
  devEndpoints: boolean;
  /** A stop (SIGTERM, SIGINT) ends within this, whatever Redis or a handler does. */
  shutdownTimeoutMs: number;
  /**
   * Access keys whose SigV4 signatures are checked (REDSQS_CREDENTIALS). Empty: requests are not
   * checked, and a 12-digit access key id names the caller's account (LocalStack's convention).
   */
  credentials: Credential[];
  /** Bearer token for the routes around the SQS API when credentials are configured (REDSQS_DEV_TOKEN). */
  devToken?: string;
  /** Browser origins allowed to call the service besides its own (REDSQS_ALLOWED_ORIGINS). */
  allowedOrigins: string[];
  /** Host header names accepted besides loopback names when bound to loopback (REDSQS_ALLOWED_HOSTS). */
  allowedHosts: string[];
}

export const DEFAULTS: Config = {
  port: 9324,
  // A laptop tool does not open a port to the network unless asked (the Docker image asks).
  host: '127.0.0.1',
  dataDir: '.redsqs-data',
  keyPrefix: 'sqs',
  region: 'us-east-1',
  accountId: '000000000000',
  deleteCooldownSeconds: DELETE_COOLDOWN_SECONDS,
  purgeCooldownSeconds: PURGE_COOLDOWN_SECONDS,
  sweepIntervalMs: 1000,
  workers: 1,
  logLevel: 'info',
  logFormat: 'auto',
  devEndpoints: true,
  shutdownTimeoutMs: 10_000,
  credentials: [],
  allowedOrigins: [],
  allowedHosts: [],
};

/** What `--profile test` (REDSQS_PROFILE=test) changes; a variable set explicitly still wins. */
export const TEST_PROFILE = { deleteCooldownSeconds: 0, purgeCooldownSeconds: 0 } as const;

export class ConfigError extends Error {}

export const USAGE = `Usage: redsqs [--port N] [--host ADDR] [--redis-url URL] [--data-dir DIR] [--config FILE]
              [--workers N|auto] [--profile test] [--dev-endpoints on|off]
              [--log-format auto|json|pretty] [--version] [--help]

An Amazon SQS-compatible service backed by Redis (default http://127.0.0.1:9324).
Without --redis-url / REDIS_URL it runs its own redis-server with data in --data-dir.
--host 0.0.0.0 (or HOST) listens on every interface; the default is loopback only.
--config (or REDSQS_CONFIG) names a redsqs.config.json: queues to create and Lambda-style
handlers to run for their messages. /health answers 200 once they are all in place.
--workers (or REDSQS_WORKERS) serves HTTP from N worker processes on the same port, all on the
same Redis; auto = one per CPU. Default 1: this process alone.
--profile test (or REDSQS_PROFILE=test): no purge or delete cool-downs, for test suites.
--dev-endpoints off (or REDSQS_DEV_ENDPOINTS=off): no peek, reset or clock routes, no dashboard.
--log-format (or REDSQS_LOG_FORMAT): json (one JSON object per line), pretty (readable lines), or
auto (the default): pretty when standard error is a terminal, json otherwise.
Environment: PORT, HOST, REDIS_URL, REDIS_CLUSTER_NODES, DATA_DIR, REDSQS_BASE_URL, REDSQS_REGION,
REDSQS_ACCOUNT_ID, REDSQS_KEY_PREFIX, REDSQS_DELETE_COOLDOWN_SECONDS,
REDSQS_PURGE_COOLDOWN_SECONDS, REDSQS_SWEEP_INTERVAL_MS, REDSQS_WORKERS, REDSQS_PROFILE,
REDSQS_DEV_ENDPOINTS, REDSQS_SHUTDOWN_TIMEOUT_SECONDS, REDSQS_LOG_FORMAT, LOG_LEVEL, REDSQS_CREDENTIALS,
REDSQS_DEV_TOKEN, REDSQS_ALLOWED_ORIGINS, REDSQS_ALLOWED_HOSTS (see README.md).
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
const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;

function logFormatFrom(raw: string | undefined): Config['logFormat'] {
  if (raw === undefined || raw === '') return DEFAULTS.logFormat;
  const format = LOG_FORMATS.find((f) => f === raw);
  if (!format) {
    throw new ConfigError(`REDSQS_LOG_FORMAT (--log-format) must be one of ${LOG_FORMATS.join(', ')}, got "${raw}"`);
  }
  return format;
}

/**
 * Flags: --port N, --host H, --redis-url URL, --data-dir DIR, --config FILE, --workers N|auto (each
 * overrides its variable).
 */
const FLAGS = new Set([
  'port',
  'host',
  'redis-url',
  'data-dir',
  'config',
  'workers',
  'profile',
  'dev-endpoints',
  'log-format',
]);

function switchFrom(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (/^(on|true|1|yes)$/i.test(raw)) return true;
  if (/^(off|false|0|no)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be on or off, got "${raw}"`);
}

/**
 * Flags: --port N, --host H, --redis-url URL, --data-dir DIR, --config FILE, --workers N|auto,
 * --profile test, --dev-endpoints on|off, --log-format auto|json|pretty (each overrides its variable).
 */
export function loadConfig(env: Record<string, string | undefined>, argv: readonly string[] = []): Config {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument "${arg}"\n${USAGE}`);
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (!FLAGS.has(name)) throw new ConfigError(`unknown flag --${name}\n${USAGE}`);
    if (eq > 0) flags.set(name, arg.slice(eq + 1));
    else {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new ConfigError(`--${name} needs a value`);
      flags.set(name, value);
      i++;
    }
  }

  const accountId = env.REDSQS_ACCOUNT_ID || DEFAULTS.accountId;
  if (!/^\d{12}$/.test(accountId)) throw new ConfigError('REDSQS_ACCOUNT_ID must be 12 digits');
  const logLevel = (env.LOG_LEVEL || DEFAULTS.logLevel).toLowerCase() as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(env.LOG_LEVEL)})`);
  }
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
  const profileRaw = flags.get('profile') ?? (env.REDSQS_PROFILE || undefined);
  if (profileRaw !== undefined && profileRaw !== 'test') {
    throw new ConfigError(`REDSQS_PROFILE (--profile) can only be "test", got "${profileRaw}"`);
  }
  const profile = profileRaw === 'test' ? TEST_PROFILE : undefined;
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
      profile?.deleteCooldownSeconds ?? DEFAULTS.deleteCooldownSeconds,
      0,
      3600,
    ),
    purgeCooldownSeconds: intFrom(
      'REDSQS_PURGE_COOLDOWN_SECONDS',
      env.REDSQS_PURGE_COOLDOWN_SECONDS,
      profile?.purgeCooldownSeconds ?? DEFAULTS.purgeCooldownSeconds,
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
    logFormat: logFormatFrom(flags.get('log-format') ?? env.REDSQS_LOG_FORMAT),
    ...(profile ? { profile: 'test' as const } : {}),
    devEndpoints: switchFrom(
      'REDSQS_DEV_ENDPOINTS (--dev-endpoints)',
      flags.get('dev-endpoints') ?? env.REDSQS_DEV_ENDPOINTS,
      DEFAULTS.devEndpoints,
    ),
    shutdownTimeoutMs:
      intFrom(
        'REDSQS_SHUTDOWN_TIMEOUT_SECONDS',
        env.REDSQS_SHUTDOWN_TIMEOUT_SECONDS,
        DEFAULTS.shutdownTimeoutMs / 1000,
        1,
        3600,
      ) * 1000,
    ...(pollerConfig ? { pollerConfig } : {}),
    credentials: credentialsFrom(env.REDSQS_CREDENTIALS),
    ...(env.REDSQS_DEV_TOKEN ? { devToken: env.REDSQS_DEV_TOKEN } : {}),
    allowedOrigins: listFrom(env.REDSQS_ALLOWED_ORIGINS),
    allowedHosts: listFrom(env.REDSQS_ALLOWED_HOSTS),
  };
}

function credentialsFrom(raw: string | undefined): Credential[] {
  try {
    return parseCredentials(raw);
  } catch (err) {
    if (err instanceof CredentialsError) throw new ConfigError(err.message);
    throw err;
  }
}

/** A comma-separated list; blanks dropped. */
function listFrom(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
