/**
 * Steering a running redsqs from a test, in any process: its clock and reset, over the HTTP
 * routes /_redsqs/clock and /_redsqs/reset (the same calls curl or any language can make).
 *
 *   const redsqs = redsqsAt(process.env.AWS_ENDPOINT_URL_SQS);
 *   await redsqs.clock.advance(60_000);
 *
 * With credentials configured, these routes need the developer token:
 *   redsqsAt(endpoint, { token: process.env.REDSQS_DEV_TOKEN })
 *   await redsqs.reset();
 */
import type { ClockView } from './store/clock-control.js';

export interface RedsqsControl {
  clock: {
    get(): Promise<ClockView>;
    advance(ms: number): Promise<ClockView>;
    set(time: number | Date): Promise<ClockView>;
    freeze(): Promise<ClockView>;
    unfreeze(): Promise<ClockView>;
  };
  reset(account?: string): Promise<{ deletedQueues: number }>;
}

export interface RedsqsAtOptions {
  /** REDSQS_DEV_TOKEN, sent as a bearer token (needed when the service has credentials configured). */
  token?: string | undefined;
}

/** `endpoint`: the service's URL, e.g. http://127.0.0.1:9324 */
export function redsqsAt(endpoint: string | undefined, options: RedsqsAtOptions = {}): RedsqsControl {
  if (!endpoint) throw new Error('redsqsAt needs the endpoint of redsqs, e.g. http://127.0.0.1:9324');
  const base = endpoint.replace(/\/+$/, '');
  const call = async <T>(path: string, body?: unknown): Promise<T> => {
    const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        // not JSON: the text says it
      }
      throw new Error(`redsqs ${path}: ${res.status} ${message}`);
    }
    return JSON.parse(text) as T;
  };
  const change = (body: unknown): Promise<ClockView> => call<ClockView>('/_redsqs/clock', body);
  return {
    clock: {
      get: () => call<ClockView>('/_redsqs/clock'),
      advance: (ms) => change({ advanceMs: ms }),
      set: (time) => change({ setMs: typeof time === 'number' ? time : time.getTime() }),
      freeze: () => change({ freeze: true }),
      unfreeze: () => change({ freeze: false }),
    },
    reset: (account) => call('/_redsqs/reset', account === undefined ? {} : { account }),
  };
}
