/** A small leveled logger writing one line per event to stderr. */
import type { Config } from './config.js';

const ORDER = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;

export interface Logger {
  /** True when debug lines are written; lets hot paths skip building them. */
  readonly debugEnabled: boolean;
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string, err?: unknown): void;
}

/** `tag` marks every line of one process among several, e.g. `w2` for a worker: `... INFO [w2] msg`. */
export function createLogger(
  level: Config['logLevel'],
  write: (line: string) => void = (l) => process.stderr.write(l),
  tag?: string,
): Logger {
  const min = ORDER[level];
  const mark = tag ? ` [${tag}]` : '';
  const emit = (lvl: keyof typeof ORDER, msg: string): void => {
    if (ORDER[lvl] >= min) write(`${new Date().toISOString()} ${lvl.toUpperCase()}${mark} ${msg}\n`);
  };
  return {
    debugEnabled: min <= ORDER.debug,
    debug: (m) => emit('debug', m),
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m, err) => emit('error', err instanceof Error ? `${m}: ${err.stack ?? err.message}` : m),
  };
}
