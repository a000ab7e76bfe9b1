/**
 * The routes around the SQS API with credentials configured (web/dev-auth.ts): /metrics, the
 * developer routes (/_redsqs/*, /_aws/*) and the dashboard's SQS calls need the developer token
 * (Authorization: Bearer) or a SigV4 signature by a configured key; /health stays open, and so do
 * the dashboard's static files (a browser's navigation cannot carry the token; what the page shows
 * comes from the guarded routes). The dashboard in Chromium works with /dashboard#token=..., and
 * the token never appears in a URL the browser requests. Without credentials nothing changes.
 *
 * The browser part needs Debian's Chromium (/usr/bin/chromium), as dashboard.test.ts; without it
 * that part is skipped with a message (under CI it fails instead).
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { SQS } from '@aws-sdk/client-sqs';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redsqsAt } from '../../src/client.js';
import { describeInBrowser, launchChromium } from '../helpers/chromium.js';
import { uniqueName } from '../helpers/clients.js';
import { startTestService, useTestService } from '../helpers/service.js';

const KEY = { accessKeyId: 'AKIDDEVAUTHTEST001', secretAccessKey: 'dev-auth-secret', accountId: '000000000000' };
/** A key of another account: the SQS API confines it to that account's queues. */
const OTHER = { accessKeyId: 'AKIDDEVAUTHOTHER02', secretAccessKey: 'other-secret', accountId: '111111111111' };
const TOKEN = `dev-${randomUUID()}`;

const svc = useTestService({ credentials: [KEY, OTHER], devToken: TOKEN });

let sqs: SQS;
let queueUrl = '';

beforeAll(async () => {
  sqs = new SQS({ endpoint: svc().url, region: 'us-east-1', credentials: KEY, maxAttempts: 1 });
  queueUrl = (await sqs.createQueue({ QueueName: uniqueName('guarded') })).QueueUrl as string;
  await sqs.sendMessage({ QueueUrl: queueUrl, MessageBody: 'inside' });
});

afterAll(() => sqs?.destroy());

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request; an event stream is read until its first bytes, then dropped. */
function call(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        if (String(res.headers['content-type']).startsWith('text/event-stream')) {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
          req.destroy();
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const JSON_BODY = { 'Content-Type': 'application/json' };

/** Every guarded route: method, path, headers and body of a request it serves. */
function guardedRoutes(): [string, string, Record<string, string>, string?][] {
  const q = encodeURIComponent(queueUrl);
  return [
    ['GET', '/metrics', {}],
    ['GET', '/_redsqs/queues', {}],
    ['GET', `/_redsqs/messages?QueueUrl=${q}`, {}],
    ['GET', `/_aws/sqs/messages?QueueUrl=${q}`, {}],
    ['GET', '/_redsqs/pollers', {}],
    ['GET', '/_redsqs/clock', {}],
    ['POST', '/_redsqs/clock', JSON_BODY, '{"advanceMs": 0}'],
    // A reset of an account with no queues: served, and nothing of this file's is lost.
    ['POST', '/_redsqs/reset', JSON_BODY, '{"account": "999999999999"}'],
    ['GET', '/_redsqs/events', {}],
    [
      'POST',
      '/_redsqs/sqs',
      { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'AmazonSQS.ListQueues' },
      '{}',
    ],
  ];
}

describe('with credentials configured', () => {
  it('refuses every route around the SQS API without a credential: 401, saying how to authenticate', async () => {
    for (const [method, path, headers, body] of guardedRoutes()) {
      const r = await call(svc().url, method, path, headers, body);
      expect(r.status, `${method} ${path}`).toBe(401);
      expect(r.headers['www-authenticate'], path).toBe('Bearer realm="redsqs"');
      const { error } = JSON.parse(r.body) as { error: string };
      expect(error, path).toContain('Authorization: Bearer <REDSQS_DEV_TOKEN>');
      expect(error, path).toContain('/dashboard#token=');
    }
  });

  it('serves them with the bearer token', async () => {
    for (const [method, path, headers, body] of guardedRoutes()) {
      const r = await call(svc().url, method, path, { ...headers, ...bearer(TOKEN) }, body);
      expect(r.status, `${method} ${path}: ${r.body.slice(0, 200)}`).toBe(200);
    }
    const queues = await call(svc().url, 'GET', '/_redsqs/queues', bearer(TOKEN));
    expect(JSON.parse(queues.body).queues.map((q: { url: string }) => q.url)).toContain(queueUrl);
    const events = await call(svc().url, 'GET', '/_redsqs/events', bearer(TOKEN));
    expect(events.body).toContain(': listening');
  });

  it('refuses a wrong token, a token of another scheme, and a token in the query string', async () => {
    const wrong = await call(svc().url, 'GET', '/metrics', bearer(`${TOKEN}x`));
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body).error).toContain('not the configured one');
    expect((await call(svc().url, 'GET', '/metrics', { Authorization: `Basic ${TOKEN}` })).status).toBe(401);
    // Query strings land in access logs and browser history: not a way in.
    expect((await call(svc().url, 'GET', `/metrics?token=${TOKEN}`)).status).toBe(401);
    expect((await call(svc().url, 'GET', `/metrics?access_token=${TOKEN}`)).status).toBe(401);
  });

  it('lets redsqsAt steer the clock with the token, and says why without it', async () => {
    const withToken = redsqsAt(svc().url, { token: TOKEN });
    const before = await withToken.clock.get();
    const after = await withToken.clock.advance(1_000);
    expect(after.offsetMs - before.offsetMs).toBe(1_000);
    await expect(redsqsAt(svc().url).clock.get()).rejects.toThrow(/401 .*REDSQS_DEV_TOKEN/);
  });

  it('keeps /health and the dashboard page open; the page’s data is not', async () => {
    const health = await call(svc().url, 'GET', '/health');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body).status).toBe('ok');
    for (const path of ['/dashboard', '/dashboard/dashboard.js', '/dashboard/dashboard.css']) {
      expect((await call(svc().url, 'GET', path)).status, path).toBe(200);
    }
    // Any other path needs the credential before it is even looked up.
    expect((await call(svc().url, 'GET', '/nowhere')).status).toBe(401);
  });

  it('serves a request signed with AWS Signature Version 4 by a configured key (its body too), and refuses a wrong secret', async () => {
    const signed = async (secret: string, method: string, path: string, body?: string, key = KEY) => {
      const { port } = new URL(svc().url);
      const headers: Record<string, string> = { host: `127.0.0.1:${port}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const signer = new SignatureV4({
        credentials: { accessKeyId: key.accessKeyId, secretAccessKey: secret },
        region: 'us-east-1',
        service: 'sqs',
        sha256: Hash.bind(null, 'sha256'),
      });
      const [pathname = '/', search = ''] = path.split('?');
      const request = await signer.sign({
        method,
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: Number(port),
        path: pathname,
        query: Object.fromEntries(new URLSearchParams(search)),
        headers,
        ...(body !== undefined ? { body } : {}),
      });
      return call(svc().url, method, path, request.headers, body);
    };
    const queues = await signed(KEY.secretAccessKey, 'GET', '/_redsqs/queues');
    expect(queues.status).toBe(200);
    // The body was read to check the signature, and the route still reads it.
    const before = JSON.parse((await call(svc().url, 'GET', '/_redsqs/clock', bearer(TOKEN))).body).offsetMs;
    const clock = await signed(KEY.secretAccessKey, 'POST', '/_redsqs/clock', '{"advanceMs": 0}');
    expect(clock.status, clock.body).toBe(200);
    expect(Math.abs(JSON.parse(clock.body).offsetMs - before)).toBeLessThan(50);
    const bad = await signed('not-the-secret', 'GET', '/_redsqs/queues');
    expect(bad.status).toBe(401);
    expect(JSON.parse(bad.body).error).toContain('SignatureDoesNotMatch');
    // A good signature of another account's key: these routes reach every account's queues and the
    // shared clock, so they take the instance's account's keys only.
    for (const [method, path, body] of [
      ['GET', `/_aws/sqs/messages?QueueUrl=${encodeURIComponent(queueUrl)}`, undefined],
      ['POST', '/_redsqs/reset', '{"account":"000000000000"}'],
      ['POST', '/_redsqs/clock', '{"advanceMs": 1000}'],
    ] as [string, string, string | undefined][]) {
      const other = await signed(OTHER.secretAccessKey, method, path, body, OTHER);
      expect(other.status, path).toBe(401);
      expect(JSON.parse(other.body).error).toMatch(/is of account 111111111111; .*REDSQS_ACCOUNT_ID/);
    }
    expect((await sqs.receiveMessage({ QueueUrl: queueUrl, VisibilityTimeout: 0 })).Messages).toHaveLength(1);
    // The dashboard's SQS route is the dashboard's: signed SQS requests go to POST /.
    const door = await signed(KEY.secretAccessKey, 'POST', '/_redsqs/sqs', '{}');
    expect(door.status).toBe(400);
    // A presigned URL (the signature in the query string) is a signed request too.
    const { port } = new URL(svc().url);
    const presigned = await new SignatureV4({
      credentials: KEY,
      region: 'us-east-1',
      service: 'sqs',
      sha256: Hash.bind(null, 'sha256'),
    }).presign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: Number(port),
        path: '/_redsqs/sqs',
        query: {},
        headers: { host: `127.0.0.1:${port}` },
        body: '{}',
      },
      { expiresIn: 300 },
    );
    const query = new URLSearchParams(presigned.query as Record<string, string>).toString();
    const viaQuery = await call(svc().url, 'POST', `/_redsqs/sqs?${query}`, {}, '{}');
    expect(viaQuery.status, viaQuery.body).toBe(400);
    expect(JSON.parse(viaQuery.body).error).toContain('POST /');
  });

  it('runs the dashboard’s SQS calls as the instance’s account, whatever access key the URL names', async () => {
    const other = new SQS({ endpoint: svc().url, region: 'us-east-1', credentials: OTHER, maxAttempts: 1 });
    const theirs = (await other.createQueue({ QueueName: uniqueName('theirs') })).QueueUrl as string;
    other.destroy();
    const list = await call(
      svc().url,
      'POST',
      '/_redsqs/sqs?X-Amz-Credential=111111111111%2Fx',
      { ...bearer(TOKEN), 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'AmazonSQS.ListQueues' },
      '{}',
    );
    expect(list.status, list.body).toBe(200);
    const urls = JSON.parse(list.body).QueueUrls as string[];
    expect(urls).toContain(queueUrl);
    expect(urls).not.toContain(theirs);
  });
});

describe('without credentials', () => {
  it('serves the routes around the SQS API as before, with no token', async () => {
    const plain = await startTestService();
    try {
      for (const [method, path, headers, body] of [
        ['GET', '/metrics', {}],
        ['GET', '/_redsqs/queues', {}],
        ['GET', '/_redsqs/clock', {}],
        [
          'POST',
          '/_redsqs/sqs',
          { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'AmazonSQS.ListQueues' },
          '{}',
        ],
      ] as [string, string, Record<string, string>, string?][]) {
        expect((await call(plain.url, method, path, headers, body)).status, path).toBe(200);
      }
    } finally {
      await plain.close();
    }
  });
});

describeInBrowser('dev-auth.test.ts', 'the dashboard with a token', "the developer token's browser test", () => {
  let browser: Browser | undefined;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    expect(pageErrors).toEqual([]);
  });

  /** A fresh tab (its own sessionStorage) that records every URL it requests. */
  async function tab() {
    if (!browser) throw new Error('no browser');
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(8_000);
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    return { page, requested, close: () => context.close() };
  }

  const name = () => new URL(queueUrl).pathname.split('/').pop() as string;

  it('opened as /dashboard#token=..., lists the queues and sends; the token leaves the address bar and every URL', async () => {
    const { page, requested, close } = await tab();
    try {
      await page.goto(`${svc().url}/dashboard#token=${encodeURIComponent(TOKEN)}`);
      const row = page.locator(`#queues tr[data-queue="${name()}"]`);
      await expect.poll(() => row.locator('td.ready').textContent(), { timeout: 8_000 }).toBe('1');
      expect(await page.evaluate(() => location.hash)).toBe('');
      expect(await page.evaluate(() => sessionStorage.getItem('redsqs.devToken'))).toBe(TOKEN);
      expect(await page.locator('#token-form').isVisible()).toBe(false);
      // A send from the page goes through the dashboard's SQS route with the token.
      await row.getByRole('button').click();
      await page.getByLabel('Body').fill('from the page');
      await page.getByRole('button', { name: 'Send' }).click();
      await expect
        .poll(async () => {
          const r = await sqs.getQueueAttributes({
            QueueUrl: queueUrl,
            AttributeNames: ['ApproximateNumberOfMessages'],
          });
          return r.Attributes?.ApproximateNumberOfMessages;
        })
        .toBe('2');
      expect(requested.length).toBeGreaterThan(3);
      for (const url of requested) expect(url).not.toContain(TOKEN);
    } finally {
      await close();
    }
  });

  it('without a token, asks for one, and works once it is given', async () => {
    const { page, close } = await tab();
    try {
      await page.goto(`${svc().url}/dashboard`);
      await expect.poll(() => page.locator('#token-form').isVisible(), { timeout: 8_000 }).toBe(true);
      expect(await page.locator('#live').textContent()).toContain('needs the developer token');
      await page.getByLabel('Developer token').fill(TOKEN);
      await page.getByRole('button', { name: 'Use the token' }).click();
      const row = page.locator(`#queues tr[data-queue="${name()}"]`);
      await expect.poll(() => row.count(), { timeout: 8_000 }).toBe(1);
      expect(await page.locator('#token-form').isVisible()).toBe(false);
    } finally {
      await close();
    }
  });
});
