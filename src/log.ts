/**
 * The service's logger, on pino: one JSON object per line (for collectors and jq), or readable
 * lines on a terminal. Every line is written synchronously, so none is lost when the process exits.
 */
import { createRequire } from 'node:module';
import { type DestinationStream, type Logger as Pino, pino } from 'pino';
import type { Config } from './config.js';

/** Structured fields of one entry (JSON keys; after the message in readable lines). */
export type LogFields = Record<string, unknown>;

export interface Logger {
  /** True when debug lines are written; lets hot paths skip building them. */
  readonly debugEnabled: boolean;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, err?: unknown, fields?: LogFields): void;
}

/** What createLogger returns (the Logger interface stays small, for stand-ins in tests). */
export interface PinoLogger extends Logger {
  /** A logger whose every entry carries `bindings`, e.g. `{ function: 'f' }`. */
  child(bindings: LogFields): PinoLogger;
}

export type LogFormat = 'auto' | 'json' | 'pretty';
export const LOG_FORMATS: readonly LogFormat[] = ['auto', 'json', 'pretty'];

export interface LoggerOptions {
  /** auto (the default): readable when the output is a terminal, JSON lines otherwise. */
  format?: LogFormat;
  /** Where lines go (one call per line, newline included); default standard error. */
  write?: (line: string) => void;
  /** Fields on every entry. */
  bindings?: LogFields;
}

/** What `format` means for an output that is (or is not) a terminal. */
export function resolveLogFormat(format: LogFormat, terminal: boolean): 'json' | 'pretty' {
  if (format === 'auto') return terminal ? 'pretty' : 'json';
  return format;
}

let stderr: DestinationStream | undefined;

/** fd 2 written with writeSync: a process.exit() right after a line cannot lose it. */
function standardError(): DestinationStream {
  stderr ??= pino.destination({ dest: 2, sync: true });
  return stderr;
}

/**
 * `createLogger(level)` writes to standard error in the format chosen by `auto`. The second
 * argument may be a function receiving each line (kept for callers of the earlier logger) or
 * options; `tag` (e.g. `w2`) becomes the `worker` field.
 */
export function createLogger(
  level: Config['logLevel'],
  output?: ((line: string) => void) | LoggerOptions,
  tag?: string,
): PinoLogger {
  const options: LoggerOptions = typeof output === 'function' ? { write: output } : (output ?? {});
  // A function given to write to is not a terminal.
  const terminal = options.write === undefined && process.stderr.isTTY === true;
  const raw: DestinationStream = options.write ? { write: options.write } : standardError();
  const pretty = resolveLogFormat(options.format ?? 'auto', terminal) === 'pretty';
  const destination = pretty ? prettyStream(raw, terminal) : raw;
  const bindings = { ...options.bindings, ...(tag ? { worker: tag } : {}) };
  const base = pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  return wrap(Object.keys(bindings).length > 0 ? base.child(bindings) : base);
}

function wrap(p: Pino): PinoLogger {
  return {
    debugEnabled: p.isLevelEnabled('debug'),
    debug: (msg, fields) => (fields ? p.debug(fields, msg) : p.debug(msg)),
    info: (msg, fields) => (fields ? p.info(fields, msg) : p.info(msg)),
    warn: (msg, fields) => (fields ? p.warn(fields, msg) : p.warn(msg)),
    error: (msg, err, fields) => {
      if (err === undefined) {
        if (fields) p.error(fields, msg);
        else p.error(msg);
        return;
      }
      // pino's err serializer gives type, message and stack.
      p.error({ ...fields, err: err instanceof Error ? err : String(err) }, msg);
    },
    child: (bindings) => wrap(p.child(bindings)),
  };
}

const LEVEL_COLOUR: Record<string, string> = {
  debug: '\x1b[90m',
  info: '\x1b[32m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
};

/**
 * Readable lines, rendered in this process and written synchronously (pino's transports would run
 * pino-pretty in a worker thread): `2025-01-01T12:00:00.000Z INFO [w2] message {"field":1}`, an
 * error's stack on the lines after. pino-pretty loads only when needed (~20 ms).
 */
function prettyStream(out: DestinationStream, colour: boolean): DestinationStream {
  const require = createRequire(import.meta.url);
  const { prettyFactory } = require('pino-pretty') as typeof import('pino-pretty');
  const render = prettyFactory({
    colorize: false,
    singleLine: true,
    ignore: 'time,level,pid,hostname,worker',
    messageFormat: (log, messageKey) => {
      const label = String(log.level).toUpperCase();
      const level = colour ? `${LEVEL_COLOUR[String(log.level)] ?? ''}${label}\x1b[39m` : label;
      const worker = typeof log.worker === 'string' ? ` [${log.worker}]` : '';
      return `${String(log.time)} ${level}${worker} ${String(log[messageKey] ?? '')}`;
    },
  });
  return { write: (line: string) => out.write(render(line)) };
}
