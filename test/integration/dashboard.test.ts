/**
 * The dashboard (/dashboard) driven in a real headless browser: Debian's Chromium
 * (/usr/bin/chromium) through playwright-core, which downloads no browser of its own. Queues and
 * messages are set up with the SDK; the page must list them with their counts (a queue of a second
 * account, served by a second instance on the same Redis, too), show a peeked message without
 * changing its receive count and when an in-flight message becomes visible, send, delete one
 * message, purge, create and delete a queue, move a dead-letter queue's messages back to their
 * source, show the pollers (real ones, started with startPollers and the poller stats recorder)
 * with their invocations and last error, and follow a moved clock in the oldest message's age. It
 * saves a screenshot to test-output/dashboard.png (and to docs/dashboard.png, the README's, when
 * that is missing or REDSQS_UPDATE_SCREENSHOT=1).
 *
 * Without /usr/bin/chromium the browser part is skipped with a message saying how to install it
 * (`apt-get install chromium`, or scripts/setup.sh); under CI (CI set) it fails instead.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { SQS } from '@aws-sdk/client-sqs';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PollerActivity, type Pollers, startPollers } from '../../src/lambda/index.js';
import { createLogger } from '../../src/log.js';
import { PollerStatsRecorder } from '../../src/store/redis-poller-stats.js';
import { describeInBrowser, launchChromium } from '../helpers/chromium.js';
import { sqsClient } from '../helpers/clients.js';
import { startTestService, type TestService, useTestService } from '../helpers/service.js';

const OUTPUT = new URL('../../test-output/', import.meta.url);
const DOCS_SHOT = new URL('../../docs/dashboard.png', import.meta.url);
const POLLER_CONFIG = new URL('../fixtures/dashboard/redsqs.config.json', import.meta.url).pathname;
const OTHER_ACCOUNT = '111111111111';

const svc = useTestService();

describe('the dashboard route', () => {
  it('serves the page, its script and its style, with a strict content security policy', async () => {
    const page = await fetch(`${svc().url}/dashboard`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('/dashboard/dashboard.js');
    const script = await fetch(`${svc().url}/dashboard/dashboard.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await script.text()).not.toContain('innerHTML');
    const style = await fetch(`${svc().url}/dashboard/dashboard.css`);
    expect(style.headers.get('content-type')).toMatch(/^text\/css/);
    expect((await fetch(`${svc().url}/dashboard/route.ts`)).status).toBe(404);
  });

  it('is off with the developer endpoints', async () => {
    const off = await startTestService({ devEndpoints: false });
    try {
      for (const path of ['/dashboard', '/dashboard/', '/dashboard/dashboard.js']) {
        const res = await fetch(`${off.url}${path}`);
        expect(res.status, path).toBe(404);
        expect(((await res.json()) as { error: string }).error).toContain('developer endpoint');
      }
    } finally {
      await off.close();
    }
  });
});

describeInBrowser('dashboard.test.ts', 'the dashboard in a browser', "the dashboard's browser test", () => {
  let browser: Browser | undefined;
  const pageErrors: string[] = [];
  let page: Page;
  let sqs: SQS;
  const urls = { orders: '', dlq: '', fifo: '', inbox: '', ledger: '', payments: '' };
  // A second instance of another account on the same Redis (key prefix).
  let other: TestService | undefined;
  // Real pollers against the service, reporting to the stats recorder.
  let pollers: Pollers | undefined;
  let statsRedis: Redis | undefined;
  let recorder: PollerStatsRecorder | undefined;

  beforeAll(async () => {
    sqs = sqsClient('json', svc().url);
    other = await startTestService({ keyPrefix: svc().config.keyPrefix, accountId: OTHER_ACCOUNT });
    const otherSqs = sqsClient('json', other.url);
    urls.ledger = (await otherSqs.createQueue({ QueueName: 'ledger' })).QueueUrl as string;
    await otherSqs.sendMessage({ QueueUrl: urls.ledger, MessageBody: 'entry 1' });
    await otherSqs.sendMessage({ QueueUrl: urls.ledger, MessageBody: 'entry 2' });
    otherSqs.destroy();
    const activity = new PollerActivity();
    statsRedis = new Redis(inject('redisUrl'));
    recorder = new PollerStatsRecorder(statsRedis, svc().config.keyPrefix);
    activity.observe(recorder);
    pollers = await startPollers({
      config: POLLER_CONFIG,
      endpoint: svc().url,
      activity,
      // The declined payment's failures are expected: not logged as warnings here.
      log: createLogger('error'),
    });
    urls.payments = `${svc().url}/000000000000/payments`;
    const dlq = await sqs.createQueue({ QueueName: 'orders-dlq' });
    urls.dlq = dlq.QueueUrl as string;
    const dlqArn = (await sqs.getQueueAttributes({ QueueUrl: urls.dlq, AttributeNames: ['QueueArn'] })).Attributes
      ?.QueueArn as string;
    const orders = await sqs.createQueue({
      QueueName: 'orders',
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) },
    });
    urls.orders = orders.QueueUrl as string;
    const fifo = await sqs.createQueue({
      QueueName: 'events.fifo',
      Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' },
    });
    urls.fifo = fifo.QueueUrl as string;
    await sqs.sendMessage({
      QueueUrl: urls.orders,
      MessageBody: JSON.stringify({ orderId: 1, items: ['book', 'lamp'] }),
      MessageAttributes: { customer: { DataType: 'String', StringValue: 'alice' } },
    });
    // Received once and visible again at once: its receive count is 1.
    const got = await sqs.receiveMessage({ QueueUrl: urls.orders, VisibilityTimeout: 0 });
    expect(got.Messages).toHaveLength(1);
    await sqs.sendMessage({ QueueUrl: urls.fifo, MessageBody: '{"event":"created"}', MessageGroupId: 'g1' });

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    // A step that cannot happen fails in 8 s with Playwright's account, within the test's timeout.
    page.setDefaultTimeout(8_000);
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    await page.goto(`${svc().url}/dashboard`);
  });

  afterAll(async () => {
    // Closing the browser ends its processes; done even when a test failed.
    await browser?.close();
    await pollers?.stop();
    await recorder?.flush();
    await statsRedis?.quit();
    await other?.close();
    // An exception in the page's script fails the suite, even where the steps above still passed.
    expect(pageErrors).toEqual([]);
  });

  /** The page polls every 2 s: what it shows may take a refresh or two to change. */
  const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 8_000, interval: 100 });
  const row = (name: string) => page.locator(`#queues tr[data-queue="${name}"]`);
  const ready = (name: string) => row(name).locator('td.ready');

  /** The peek endpoint, from here: a queue's messages as a ReceiveMessage result. */
  async function peeked(queueUrl: string) {
    const res = await fetch(`${svc().url}/_aws/sqs/messages?ShowInvisible=true&ShowDelayed=true`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({ QueueUrl: queueUrl }),
    });
    const data = (await res.json()) as {
      Messages?: { Body: string; Attributes: Record<string, string>; MessageAttributes?: Record<string, unknown> }[];
    };
    return data.Messages ?? [];
  }

  async function count(queueUrl: string): Promise<string | undefined> {
    const r = await sqs.getQueueAttributes({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] });
    return r.Attributes?.ApproximateNumberOfMessages;
  }

  it('lists the queues with their type, counts and dead-letter lineage', async () => {
    await poll(() => ready('orders').textContent()).toBe('1');
    await poll(() => row('orders').locator('td.type').textContent()).toBe('standard');
    expect(await row('orders').locator('td.delayed').textContent()).toBe('0');
    expect(await row('orders').locator('td.inflight').textContent()).toBe('0');
    expect(await row('orders').locator('td.dlq').textContent()).toBe('orders-dlq (after 2 receives)');
    expect(await row('orders-dlq').locator('td.sources').textContent()).toBe('orders');
    expect(await row('events.fifo').locator('td.type').textContent()).toBe('FIFO');
    expect(await ready('events.fifo').textContent()).toBe('1');
  });

  it('updates the counts live, without a reload', async () => {
    await sqs.sendMessage({ QueueUrl: urls.fifo, MessageBody: 'second', MessageGroupId: 'g2' });
    await poll(() => ready('events.fifo').textContent()).toBe('2');
  });

  it('shows a queue’s messages by peeking, without changing their receive count', async () => {
    // Opened from the keyboard: the queue's name is a button.
    await row('orders').getByRole('button', { name: 'orders', exact: true }).focus();
    await page.keyboard.press('Enter');
    await poll(() => page.locator('#detail-name').textContent()).toBe('orders');
    const message = page.locator('#messages li.message').first();
    await poll(() => message.locator('pre.body').textContent()).toBe(
      JSON.stringify({ orderId: 1, items: ['book', 'lamp'] }, null, 2),
    );
    expect(await message.locator('.receives').textContent()).toBe('received 1×');
    expect(await message.locator('dl').first().textContent()).toContain('customer (String)alice');
    // Two more refreshes of the page (each peeks) and the message is still received once, visible.
    await page.waitForTimeout(4_500);
    const [m] = await peeked(urls.orders);
    expect(m?.Attributes.ApproximateReceiveCount).toBe('1');
    expect(m?.Attributes.IsVisible).toBe('true');
    expect(await count(urls.orders)).toBe('1');
  });

  it('shows FIFO messages with their group and sequence number', async () => {
    await row('events.fifo').getByRole('button').click();
    await poll(() => page.locator('#messages li.message').count()).toBe(2);
    const facts = await page.locator('#messages li.message .facts').first().textContent();
    expect(facts).toContain('group g1');
    expect(facts).toMatch(/seq \d{10,}/);
    // The FIFO fields of the send form are shown, the delay (not on FIFO queues) is not.
    expect(await page.getByLabel('Message group id').isVisible()).toBe(true);
    expect(await page.getByLabel('Delay (seconds)').isVisible()).toBe(false);
  });

  it('sends a message with attributes, shown as text', async () => {
    await row('orders').getByRole('button').click();
    await poll(() => page.locator('#detail-name').textContent()).toBe('orders');
    const body = '<b>not bold</b> hello from the dashboard';
    await page.getByLabel('Body').fill(body);
    await page.getByLabel(/^Message attributes/).fill('source=dashboard\npriority:Number=5');
    await page.getByRole('button', { name: 'Send' }).click();
    await poll(() => page.locator('#notice').textContent()).toMatch(/^Sent message .* to orders\.$/);
    await poll(() => ready('orders').textContent()).toBe('2');
    const shown = page.locator('#messages pre.body', { hasText: 'hello from the dashboard' });
    await poll(() => shown.textContent()).toBe(body);
    expect(await page.locator('#messages b').count()).toBe(0);
    const sent = (await peeked(urls.orders)).find((m) => m.Body === body);
    expect(sent?.MessageAttributes).toEqual({
      source: { DataType: 'String', StringValue: 'dashboard' },
      priority: { DataType: 'Number', StringValue: '5' },
    });
  });

  it('lists the queues of every account on the Redis, with their account', async () => {
    // Two accounts: the account column shows.
    await poll(() => row('ledger').locator('td.account').textContent()).toBe(OTHER_ACCOUNT);
    expect(await ready('ledger').textContent()).toBe('2');
    expect(await row('orders').locator('td.account').textContent()).toBe('000000000000');
    expect(await page.locator('#queues thead th.account').isVisible()).toBe(true);
    // Its messages are peeked here; what only its own instance serves is not offered.
    await row('ledger').getByRole('button').click();
    await poll(() => page.locator('#detail-name').textContent()).toBe('ledger');
    await poll(() => page.locator('#messages li.message').count()).toBe(2);
    expect(await page.locator('#remote-note').textContent()).toContain(
      `Account ${OTHER_ACCOUNT} is not this instance's`,
    );
    expect(await page.locator('#send-form').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Purge…' }).isVisible()).toBe(false);
  });

  it('shows when an in-flight message becomes visible', async () => {
    urls.inbox = (await sqs.createQueue({ QueueName: 'inbox' })).QueueUrl as string;
    await sqs.sendMessage({ QueueUrl: urls.inbox, MessageBody: 'being handled' });
    await sqs.receiveMessage({ QueueUrl: urls.inbox, VisibilityTimeout: 300 });
    await sqs.sendMessage({ QueueUrl: urls.inbox, MessageBody: 'waiting' });
    await sqs.sendMessage({ QueueUrl: urls.inbox, MessageBody: 'to delete' });
    await poll(() => row('inbox').locator('td.inflight').textContent()).toBe('1');
    await row('inbox').getByRole('button').click();
    await poll(() => page.locator('#detail-name').textContent()).toBe('inbox');
    await poll(() => page.locator('#messages li.message').count()).toBe(3);
    expect(await page.locator('#remote-note').isVisible()).toBe(false);
    const flying = page.locator('#messages li.message', { hasText: 'being handled' });
    expect(await flying.locator('.badge').textContent()).toBe('in flight');
    // 300 s on the service's clock, counted down at each refresh.
    expect(await flying.locator('.visible-at').textContent()).toMatch(/^visible in (5 min 0 s|4 min \d+ s) \(at .+\)$/);
    const waiting = page.locator('#messages li.message', { hasText: 'waiting' });
    expect(await waiting.locator('.visible-at').count()).toBe(0);
  });

  it('deletes one message once the confirmation is accepted, and the counts follow', async () => {
    const target = page.locator('#messages li.message', { hasText: 'to delete' });
    page.once('dialog', (dialog) => void dialog.dismiss());
    await target.locator('button.delete-message').click();
    await page.waitForTimeout(500);
    expect(await count(urls.inbox)).toBe('2');

    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    // From the keyboard: the button takes focus and Enter presses it.
    await target.locator('button.delete-message').focus();
    await page.keyboard.press('Enter');
    await poll(() => page.locator('#notice').textContent()).toMatch(/^Deleted message .* of inbox\.$/);
    expect(asked).toMatch(/^Delete message .* of inbox\?/);
    await poll(() => page.locator('#messages li.message').count()).toBe(2);
    await poll(() => ready('inbox').textContent()).toBe('1');
    expect(await row('inbox').locator('td.inflight').textContent()).toBe('1');
    expect(await count(urls.inbox)).toBe('1');
  });

  it('shows the pollers: each mapping with its invocations and a failure’s last error', async () => {
    await sqs.sendMessage({ QueueUrl: urls.payments, MessageBody: 'order 7' });
    await sqs.sendMessage({ QueueUrl: urls.payments, MessageBody: 'order 8: decline' });
    const poller = page.locator('#pollers tr.poller[data-function="charge"]');
    await poll(() => poller.locator('.invocations').textContent()).toBe('2');
    expect(await poller.locator('td').nth(0).textContent()).toBe('payments');
    expect(await poller.locator('.ok').textContent()).toBe('1');
    expect(await poller.locator('.failed').textContent()).toBe('1');
    expect(await poller.locator('.last-error').textContent()).toMatch(/^Error: card declined for order 8: decline \(/);
    expect(await page.locator('#no-pollers').isVisible()).toBe(false);
  });

  it('moves dead-lettered messages back to their source queue', async () => {
    // Received past maxReceiveCount (2), both messages of orders go to orders-dlq.
    for (let i = 0; i < 10 && (await count(urls.orders)) !== '0'; i++) {
      await sqs.receiveMessage({ QueueUrl: urls.orders, MaxNumberOfMessages: 10, VisibilityTimeout: 0 });
    }
    expect(await count(urls.orders)).toBe('0');
    expect(await count(urls.dlq)).toBe('2');
    await poll(() => ready('orders-dlq').textContent()).toBe('2');

    await row('orders-dlq').getByRole('button').click();
    await poll(() => page.locator('#detail-name').textContent()).toBe('orders-dlq');
    await page.getByRole('button', { name: 'Start move task' }).click();
    await poll(() => page.locator('#notice').textContent()).toContain('Started moving the messages of orders-dlq');
    await poll(() => page.locator('#tasks tr.task .status').first().textContent()).toBe('COMPLETED');
    expect(await page.locator('#tasks tr.task .moved').first().textContent()).toBe('2');
    await poll(() => ready('orders').textContent()).toBe('2');
    expect(await ready('orders-dlq').textContent()).toBe('0');
    expect(await count(urls.orders)).toBe('2');

    await row('orders').getByRole('button').click();
    await poll(() => page.locator('#messages li.message').count()).toBe(2);
    await page.evaluate(() => window.scrollTo(0, 0));
    mkdirSync(OUTPUT, { recursive: true });
    // The whole page: queues of both accounts, a queue's messages and the pollers.
    await page.screenshot({ path: new URL('dashboard.png', OUTPUT).pathname, fullPage: true });
    if (!existsSync(DOCS_SHOT) || process.env.REDSQS_UPDATE_SCREENSHOT === '1') {
      await page.screenshot({ path: DOCS_SHOT.pathname, fullPage: true });
    }
  });

  it('purges a queue once the confirmation is accepted', async () => {
    await poll(() => page.locator('#detail-name').textContent()).toBe('orders');
    page.once('dialog', (dialog) => dialog.dismiss());
    await page.getByRole('button', { name: 'Purge…' }).click();
    await page.waitForTimeout(500);
    expect(await count(urls.orders)).toBe('2');

    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    await page.getByRole('button', { name: 'Purge…' }).click();
    await poll(() => page.locator('#notice').textContent()).toBe('Purged orders.');
    expect(asked).toContain('Purge every message of orders');
    await poll(() => ready('orders').textContent()).toBe('0');
    expect(await page.locator('#messages li.message').count()).toBe(0);
    expect(await count(urls.orders)).toBe('0');
  });

  it('creates and deletes a queue', async () => {
    await page.getByText('Create a queue').click();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('scratch');
    // A FIFO queue's dead-letter queue must be FIFO too: SQS's refusal is shown as an alert.
    await page.getByLabel('FIFO', { exact: true }).check();
    await page.getByLabel('Dead-letter queue').selectOption({ label: 'orders-dlq' });
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await poll(() => page.getByRole('alert').textContent()).toMatch(
      /^CreateQueue: InvalidParameterValueException: .*Dead-letter queue must be same type/,
    );

    await page.getByLabel('FIFO', { exact: true }).uncheck();
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await poll(() => page.locator('#notice').textContent()).toBe('Created scratch.');
    expect(await page.getByRole('alert').textContent()).toBe('');
    await poll(() => row('scratch').locator('td.dlq').textContent()).toBe('orders-dlq (after 3 receives)');
    await poll(() => row('orders-dlq').locator('td.sources').textContent()).toBe('orders, scratch');
    await poll(() => page.locator('#detail-name').textContent()).toBe('scratch');

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete queue…' }).click();
    await poll(() => row('scratch').count()).toBe(0);
    expect(await page.locator('#detail').isHidden()).toBe(true);
    const left = await sqs.listQueues({});
    expect(left.QueueUrls?.some((u) => u.endsWith('/scratch'))).toBe(false);
  });

  it('tells the oldest message’s age on the service’s clock, which follows a moved clock', async () => {
    // inbox holds a message sent a moment ago.
    await poll(() => row('inbox').locator('td.oldest').textContent()).toMatch(/^\d+ s$/);
    const moved = await fetch(`${svc().url}/_redsqs/clock`, { method: 'POST', body: '{"advanceMs": 7200000}' });
    expect(moved.status).toBe(200);
    await poll(() => row('inbox').locator('td.oldest').textContent()).toMatch(/^2 h 0 min$/);
    // A queue with no message has no age.
    expect(await row('orders').locator('td.oldest').textContent()).toBe('');
  });
});
