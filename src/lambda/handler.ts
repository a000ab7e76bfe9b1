/** Loading a function's handler module and invoking it the way the Lambda Node.js runtime does. */
import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { type Clock, SYSTEM_CLOCK, untilTime } from '../clock.js';
import type { Logger } from '../log.js';
import type { FunctionSpec } from './config.js';
import { PollerConfigError } from './config.js';
import type { LambdaContext, SqsEvent } from './event.js';

export type Handler = (
  event: SqsEvent,
  context: LambdaContext,
  callback?: (err: unknown, result?: unknown) => void,
) => unknown;

const EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts'];
let typescriptHooks = false;

function findModule(base: string): string | undefined {
  if (EXTENSIONS.some((e) => base.endsWith(e)) && existsSync(base)) return base;
  return EXTENSIONS.map((e) => base + e).find((f) => existsSync(f));
}

export async function loadHandler(fn: FunctionSpec, path: string): Promise<Handler> {
  const file = findModule(fn.file);
  if (!file) {
    throw new PollerConfigError(
      `${path}.Handler: no module ${fn.file} with one of the extensions ${EXTENSIONS.join(', ')} (from "${fn.Handler}")`,
    );
  }
  if (/\.m?ts$/.test(file) && !typescriptHooks) {
    register(new URL('./ts-hooks.js', import.meta.url));
    typescriptHooks = true;
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    throw new PollerConfigError(`${path}.Handler: ${file} failed to load: ${(err as Error).message}`);
  }
  const fromDefault = mod.default as Record<string, unknown> | undefined;
  const handler = mod[fn.exportName] ?? fromDefault?.[fn.exportName];
  if (typeof handler !== 'function') {
    throw new PollerConfigError(`${path}.Handler: ${file} has no exported function "${fn.exportName}"`);
  }
  return handler as Handler;
}

/** The invocation a piece of handler code runs for, through its async continuations too. */
interface InvocationScope {
  log: Logger;
  function: string;
  invocation: string;
}

const scope = new AsyncLocalStorage<InvocationScope>();

/** The Lambda Node.js runtime's levels for console methods (it prints console.log as INFO). */
const CONSOLE_LEVELS = {
  log: 'info',
  info: 'info',
  warn: 'warn',
  error: 'error',
  debug: 'debug',
  trace: 'debug',
} as const;
type ConsoleMethod = keyof typeof CONSOLE_LEVELS;

let patched: { users: number; originals: Map<ConsoleMethod, Console[ConsoleMethod]> } | undefined;

/**
 * From now until the returned function is called: console output of a handler during an
 * invocation goes to the invoking poller's logger, with the function and the invocation (the
 * context's awsRequestId, which the Lambda runtime prints on each console line). Console calls
 * outside an invocation are untouched. Counted: the last release restores the console.
 */
export function captureHandlerConsole(): () => void {
  if (!patched) {
    const originals = new Map<ConsoleMethod, Console[ConsoleMethod]>();
    for (const method of Object.keys(CONSOLE_LEVELS) as ConsoleMethod[]) {
      const original = console[method];
      originals.set(method, original);
      const level = CONSOLE_LEVELS[method];
      console[method] = (...args: unknown[]): void => {
        const where = scope.getStore();
        if (!where) {
          original.apply(console, args);
          return;
        }
        const fields = { function: where.function, invocation: where.invocation };
        if (level === 'error') where.log.error(format(...args), undefined, fields);
        else where.log[level](format(...args), fields);
      };
    }
    patched = { users: 0, originals };
  }
  patched.users++;
  let released = false;
  return () => {
    if (released || !patched) return;
    released = true;
    if (--patched.users > 0) return;
    for (const [method, original] of patched.originals) console[method] = original;
    patched = undefined;
  };
}

export type Invocation = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * Runs the handler (async, or callback style with three parameters) within its timeout, which
 * ends at `deadlineMs` of `clock` (the service's clock: moving it forward can time a function out).
 * With `log`, the handler's console output during the invocation goes there (captureHandlerConsole).
 */
export async function invoke(
  handler: Handler,
  event: SqsEvent,
  context: LambdaContext,
  timeoutMs: number,
  clock: Clock = SYSTEM_CLOCK,
  deadlineMs: number = clock.now() + timeoutMs,
  log?: Logger,
): Promise<Invocation> {
  const start = (resolve: (v: unknown) => void, reject: (e: unknown) => void): void => {
    try {
      if (handler.length >= 3) {
        const r = handler(event, context, (err, result) => (err ? reject(err) : resolve(result)));
        if (r && typeof (r as Promise<unknown>).then === 'function') (r as Promise<unknown>).then(resolve, reject);
      } else {
        Promise.resolve(handler(event, context)).then(resolve, reject);
      }
    } catch (err) {
      reject(err);
    }
  };
  const run = new Promise<unknown>((resolve, reject) => {
    if (!log) start(resolve, reject);
    else
      scope.run({ log, function: context.functionName, invocation: context.awsRequestId }, () =>
        start(resolve, reject),
      );
  });
  const finished = new AbortController();
  const timeout = untilTime(clock, deadlineMs, finished.signal).then(
    (): Invocation => ({ ok: false, error: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds` }),
  );
  try {
    return await Promise.race([
      run.then(
        (value): Invocation => ({ ok: true, value }),
        (err: unknown): Invocation => ({
          ok: false,
          error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
        }),
      ),
      timeout,
    ]);
  } finally {
    finished.abort();
  }
}
