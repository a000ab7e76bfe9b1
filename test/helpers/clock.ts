/**
 * For the clock tests: two instances of one deployment (two services on the test Redis with the
 * same key prefix), the clock routes over fetch, and waiting for a condition.
 */
import type { SQS } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Config } from '../../src/config.js';
import { sqsClient } from './clients.js';
import { startTestService, type TestService } from './service.js';

export interface ClockView {
  now: number;
  frozen: boolean;
  offsetMs: number;
}

export interface Deployment {
  a: TestService;
  b: TestService;
  /** The current SDK (JSON protocol) on A. */
  sqsA: SQS;
  /** The pre-JSON SDK (query protocol) on B. */
  sqsB: SQS;
}

/** Starts instances A and B of one deployment before the file's tests, stops them after. */
export function useDeployment(overrides: Partial<Config> = {}): () => Deployment {
  let d: Deployment | undefined;
  beforeAll(async () => {
    const a = await startTestService(overrides);
    const b = await startTestService({ ...overrides, keyPrefix: a.config.keyPrefix });
    d = { a, b, sqsA: sqsClient('json', a.url), sqsB: sqsClient('query', b.url) };
  });
  afterAll(async () => {
    if (!d) return;
    d.sqsA.destroy();
    d.sqsB.destroy();
    // B first, without its key cleanup; A's close removes every key of the prefix.
    await d.b.service.close();
    await d.b.redis.quit();
    await d.a.close();
  });
  return () => {
    if (!d) throw new Error('the deployment is not started yet');
    return d;
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function call(
  url: string,
  method: 'GET' | 'POST',
  path: string,
  body?: string,
  contentType = 'application/json',
): Promise<{ status: number; type: string; json: Record<string, unknown> }> {
  const res = await fetch(`${url}${path}`, {
    method,
    ...(body !== undefined ? { body, headers: { 'content-type': contentType } } : {}),
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', json: await res.json() };
}

export async function readClock(url: string): Promise<ClockView> {
  const r = await call(url, 'GET', '/_redsqs/clock');
  expect(r.status).toBe(200);
  return r.json as unknown as ClockView;
}

/** Changes the clock through an instance's route, as a test suite in any language would. */
export async function changeClock(url: string, change: Record<string, unknown>): Promise<ClockView> {
  const r = await call(url, 'POST', '/_redsqs/clock', JSON.stringify(change));
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json as unknown as ClockView;
}

/** Resolves once `probe` gives a value `ok` accepts; fails after `ms` with the last value. */
export async function until<T>(
  what: string,
  probe: () => T | Promise<T>,
  ok: (v: T) => boolean,
  ms = 3_000,
  detail: () => string = () => '',
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}\n${detail()}`);
    await sleep(20);
  }
}
