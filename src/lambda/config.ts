/**
 * The poller configuration file (redsqs.config.json): queues to create, functions (local handler
 * modules) and event source mappings, with the names and limits of the AWS APIs. Validation
 * names the offending field, e.g. `eventSourceMappings[0].BatchSize`.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { validateCreateQueue } from '../actions/create-queue.js';
import { type Credential, CredentialsError, checkDistinct, credentialOf } from '../credentials.js';
import { SqsError } from '../errors.js';
import { MAX_QUEUE_NAME_LENGTH } from '../sqs/limits.js';

export interface QueueSpec {
  QueueName: string;
  Attributes?: Record<string, string>;
  tags?: Record<string, string>;
}

export interface FunctionSpec {
  FunctionName: string;
  /** Lambda's `file.export`, resolved relative to the config file. */
  Handler: string;
  /** Seconds, 1..900 (Lambda's default 3). */
  Timeout: number;
  /** Absolute path of the handler module. */
  file: string;
  exportName: string;
}

export interface MappingSpec {
  FunctionName: string;
  QueueName: string;
  BatchSize: number;
  MaximumBatchingWindowInSeconds: number;
  ReportBatchItemFailures: boolean;
  MaximumConcurrency: number;
  /** Parsed FilterCriteria patterns; a message matching any one is processed. */
  filters: unknown[];
  Enabled: boolean;
}

export interface PollerConfig {
  queues: QueueSpec[];
  functions: FunctionSpec[];
  eventSourceMappings: MappingSpec[];
  /** SQS endpoint the pollers use; absent: the redsqs instance that loaded the file. */
  endpoint?: string;
  region?: string;
  /** Access keys the service accepts, besides REDSQS_CREDENTIALS (a key in both is an error). */
  credentials?: Credential[];
}

export class PollerConfigError extends Error {}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(path: string, message: string): never {
  throw new PollerConfigError(`${path}: ${message}`);
}

function str(o: Json, key: string, path: string, required = true): string | undefined {
  const v = o[key];
  if (v === undefined) return required ? fail(`${path}.${key}`, 'is required') : undefined;
  if (typeof v !== 'string' || v === '') fail(`${path}.${key}`, 'must be a non-empty string');
  return v;
}

function int(o: Json, key: string, path: string, fallback: number, min: number, max: number): number {
  const v = o[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(`${path}.${key}`, `must be an integer from ${min} to ${max}`);
  }
  return v;
}

function stringMap(v: unknown, path: string): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v) || !Object.values(v).every((x) => typeof x === 'string')) {
    fail(path, 'must be an object of string values');
  }
  return v as Record<string, string>;
}

function list(o: Json, key: string, required: boolean): unknown[] {
  const v = o[key];
  if (v === undefined && !required) return [];
  if (!Array.isArray(v)) fail(key, 'must be a list');
  return v;
}

const QUEUE_ARN = new RegExp(`^arn:aws:sqs:[^:]+:\\d{12}:([A-Za-z0-9_.-]{1,${MAX_QUEUE_NAME_LENGTH}})$`);

export function parsePollerConfig(raw: unknown, baseDir: string): PollerConfig {
  if (!isObject(raw)) fail('config', 'must be a JSON object');
  const known = new Set(['queues', 'functions', 'eventSourceMappings', 'endpoint', 'region', 'credentials']);
  for (const k of Object.keys(raw))
    if (!known.has(k)) fail(k, `is not a known field (known: ${[...known].join(', ')})`);

  const queues = list(raw, 'queues', false).map((q, i): QueueSpec => {
    const path = `queues[${i}]`;
    if (!isObject(q)) fail(path, 'must be an object');
    const name = str(q, 'QueueName', path) as string;
    const Attributes = stringMap(q.Attributes, `${path}.Attributes`);
    const tags = stringMap(q.tags, `${path}.tags`);
    const spec = { QueueName: name, ...(Attributes ? { Attributes } : {}), ...(tags ? { tags } : {}) };
    // The rules CreateQueue applies, so that a bad file is refused before the service starts.
    try {
      validateCreateQueue(spec);
    } catch (err) {
      if (err instanceof SqsError) fail(`${path} (${name})`, err.message);
      throw err;
    }
    return spec;
  });
  const queueNames = new Set(queues.map((q) => q.QueueName));
  if (queueNames.size !== queues.length) fail('queues', 'QueueName values must be unique');

  const functions = list(raw, 'functions', false).map((f, i): FunctionSpec => {
    const path = `functions[${i}]`;
    if (!isObject(f)) fail(path, 'must be an object');
    const handler = str(f, 'Handler', path) as string;
    const dot = handler.lastIndexOf('.');
    if (dot <= 0 || dot === handler.length - 1)
      fail(`${path}.Handler`, 'must look like "file.export", e.g. "handlers/email.handler"');
    return {
      FunctionName: str(f, 'FunctionName', path) as string,
      Handler: handler,
      Timeout: int(f, 'Timeout', path, 3, 1, 900),
      file: resolve(baseDir, handler.slice(0, dot)),
      exportName: handler.slice(dot + 1),
    };
  });
  const functionNames = new Set(functions.map((f) => f.FunctionName));
  if (functionNames.size !== functions.length) fail('functions', 'FunctionName values must be unique');

  const mappings = list(raw, 'eventSourceMappings', false).map((m, i): MappingSpec => {
    const path = `eventSourceMappings[${i}]`;
    if (!isObject(m)) fail(path, 'must be an object');
    const functionName = str(m, 'FunctionName', path) as string;
    if (!functionNames.has(functionName))
      fail(`${path}.FunctionName`, `names no function in "functions" (${functionName})`);
    let queueName = str(m, 'QueueName', path, false);
    const arn = str(m, 'EventSourceArn', path, false);
    if (arn !== undefined) {
      const match = QUEUE_ARN.exec(arn);
      if (!match) fail(`${path}.EventSourceArn`, 'must be an SQS queue ARN (arn:aws:sqs:region:account:name)');
      if (queueName !== undefined && queueName !== match[1])
        fail(`${path}.EventSourceArn`, 'names another queue than QueueName');
      queueName = match[1];
    }
    if (queueName === undefined) fail(path, 'needs QueueName or EventSourceArn');
    const fifo = queueName.endsWith('.fifo');
    const window = int(m, 'MaximumBatchingWindowInSeconds', path, 0, 0, 300);
    const batchSize = int(m, 'BatchSize', path, 10, 1, fifo ? 10 : 10_000);
    if (batchSize > 10 && window < 1) {
      fail(`${path}.BatchSize`, 'above 10 needs MaximumBatchingWindowInSeconds of at least 1');
    }
    if (fifo && window > 0) fail(`${path}.MaximumBatchingWindowInSeconds`, 'is not supported for FIFO queues');
    const types = m.FunctionResponseTypes ?? [];
    if (!Array.isArray(types) || !types.every((t) => t === 'ReportBatchItemFailures')) {
      fail(`${path}.FunctionResponseTypes`, 'may only contain "ReportBatchItemFailures"');
    }
    let concurrency = 5;
    if (m.ScalingConfig !== undefined) {
      if (!isObject(m.ScalingConfig)) fail(`${path}.ScalingConfig`, 'must be an object');
      concurrency = int(m.ScalingConfig, 'MaximumConcurrency', `${path}.ScalingConfig`, 5, 2, 1000);
    }
    const filters: unknown[] = [];
    if (m.FilterCriteria !== undefined) {
      const fc = m.FilterCriteria;
      if (!isObject(fc) || !Array.isArray(fc.Filters))
        fail(`${path}.FilterCriteria`, 'must be {"Filters": [{"Pattern": "..."}]}');
      fc.Filters.forEach((f, j) => {
        const fpath = `${path}.FilterCriteria.Filters[${j}].Pattern`;
        if (!isObject(f) || typeof f.Pattern !== 'string') fail(fpath, 'must be a string holding a JSON pattern');
        try {
          const pattern: unknown = JSON.parse(f.Pattern);
          if (!isObject(pattern)) fail(fpath, 'must be a JSON object');
          filters.push(pattern);
        } catch (err) {
          if (err instanceof PollerConfigError) throw err;
          fail(fpath, `is not valid JSON (${(err as Error).message})`);
        }
      });
    }
    if (m.Enabled !== undefined && typeof m.Enabled !== 'boolean') fail(`${path}.Enabled`, 'must be true or false');
    return {
      FunctionName: functionName,
      QueueName: queueName,
      BatchSize: batchSize,
      MaximumBatchingWindowInSeconds: window,
      ReportBatchItemFailures: types.length > 0,
      MaximumConcurrency: concurrency,
      filters,
      Enabled: m.Enabled !== false,
    };
  });

  const endpoint = raw.endpoint === undefined ? undefined : str(raw, 'endpoint', 'config');
  const region = raw.region === undefined ? undefined : str(raw, 'region', 'config');
  return {
    queues,
    functions,
    eventSourceMappings: mappings,
    ...(raw.credentials !== undefined ? { credentials: credentialsOf(raw.credentials) } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
  };
}

/**
 * `credentials: [{accessKeyId, secretAccessKey, accountId}]`, checked as REDSQS_CREDENTIALS is.
 * Errors name the entry and the key, never the secret.
 */
function credentialsOf(raw: unknown): Credential[] {
  if (!Array.isArray(raw)) fail('credentials', 'must be a list');
  const list = raw.map((c, i): Credential => {
    const path = `credentials[${i}]`;
    if (!isObject(c)) fail(path, 'must be an object {"accessKeyId", "secretAccessKey", "accountId"}');
    for (const k of Object.keys(c)) {
      if (!['accessKeyId', 'secretAccessKey', 'accountId'].includes(k)) fail(`${path}.${k}`, 'is not a known field');
    }
    const field = (key: string): string => {
      const v = c[key];
      if (typeof v !== 'string') fail(`${path}.${key}`, 'is required, as a string');
      return v;
    };
    return guarded(() => credentialOf(field('accessKeyId'), field('secretAccessKey'), field('accountId'), path));
  });
  return guarded(() => checkDistinct(list, 'credentials'));
}

function guarded<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof CredentialsError) throw new PollerConfigError(err.message);
    throw err;
  }
}

export function loadPollerConfig(path: string): PollerConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    // Node's own message repeats the path; its code says it shorter.
    throw new PollerConfigError(`cannot read ${path}: ${e.code === 'ENOENT' ? 'no such file (ENOENT)' : e.message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new PollerConfigError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  return parsePollerConfig(raw, dirname(resolve(path)));
}
