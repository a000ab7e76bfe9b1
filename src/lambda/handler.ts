/** Loading a function's handler module and invoking it the way the Lambda Node.js runtime does. */
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { type Clock, SYSTEM_CLOCK, untilTime } from '../clock.js';
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

export type Invocation = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * Runs the handler (async, or callback style with three parameters) within its timeout, which
 * ends at `deadlineMs` of `clock` (the service's clock: moving it forward can time a function out).
 */
export async function invoke(
  handler: Handler,
  event: SqsEvent,
  context: LambdaContext,
  timeoutMs: number,
  clock: Clock = SYSTEM_CLOCK,
  deadlineMs: number = clock.now() + timeoutMs,
): Promise<Invocation> {
  const run = new Promise<unknown>((resolve, reject) => {
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
