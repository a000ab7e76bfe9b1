/** Long polls wake for every way a message can become visible, on any instance, and no sooner. */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqsClient, uniqueName } from '../helpers/clients.js';
import { startTwoInstances, type TestService } from '../helpers/service.js';

let svc: TestService;
let other: TestService;
let close = async (): Promise<void> => undefined;
beforeAll(async () => {
  ({ a: svc, b: other, close } = await startTwoInstances());
});
afterAll(() => close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The same queue URL as seen through the other instance. */
const via = (url: string | undefined, target: TestService) => (url as string).replace(svc.url, target.url);

describe('long polling', () => {
  it('a send on one instance wakes a long poll on another', async () => {
    const a = sqsClient('json', svc.url);
    const b = sqsClient('json', other.url);
    const { QueueUrl } = await a.createQueue({ QueueName: uniqueName('cross') });
    const started = Date.now();
    const polled = a.receiveMessage({ QueueUrl, WaitTimeSeconds: 10 });
    await sleep(300);
    await b.sendMessage({ QueueUrl: via(QueueUrl, other), MessageBody: 'from b' });
    expect((await polled).Messages?.[0]?.Body).toBe('from b');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a delayed send on another instance wakes the poll when the delay ends', async () => {
    const a = sqsClient('json', svc.url);
    const b = sqsClient('json', other.url);
    const { QueueUrl } = await a.createQueue({ QueueName: uniqueName('delayed-cross') });
    const started = Date.now();
    const polled = a.receiveMessage({ QueueUrl, WaitTimeSeconds: 10 });
    await sleep(200);
    await b.sendMessage({ QueueUrl: via(QueueUrl, other), MessageBody: 'later', DelaySeconds: 1 });
    expect((await polled).Messages?.[0]?.Body).toBe('later');
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(1100);
    expect(waited).toBeLessThan(4000);
  });

  it('ChangeMessageVisibility to 0 on another instance wakes the poll', async () => {
    const a = sqsClient('json', svc.url);
    const b = sqsClient('json', other.url);
    const { QueueUrl } = await a.createQueue({ QueueName: uniqueName('cmv') });
    await a.sendMessage({ QueueUrl, MessageBody: 'held' });
    const held = (await a.receiveMessage({ QueueUrl, VisibilityTimeout: 60 })).Messages?.[0];
    const started = Date.now();
    const polled = a.receiveMessage({ QueueUrl, WaitTimeSeconds: 10 });
    await sleep(300);
    await b.changeMessageVisibility({
      QueueUrl: via(QueueUrl, other),
      ReceiptHandle: held?.ReceiptHandle,
      VisibilityTimeout: 0,
    });
    expect((await polled).Messages?.[0]?.Body).toBe('held');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('polls in a loop, joining a channel that still listens, wake on each send from either instance', async () => {
    const a = sqsClient('json', svc.url);
    const b = sqsClient('json', other.url);
    const { QueueUrl } = await a.createQueue({ QueueName: uniqueName('loop') });
    // The first poll subscribes; the next ones find the channel listening (held by the lingering
    // subscription) and sleep after a single look. Each must still wake at the send, not at 10 s.
    for (const [i, sender] of [a, b, a, b].entries()) {
      const started = Date.now();
      const polled = a.receiveMessage({ QueueUrl, WaitTimeSeconds: 10 });
      await sleep(150);
      const url = sender === a ? QueueUrl : via(QueueUrl, other);
      await sender.sendMessage({ QueueUrl: url, MessageBody: `m${i}` });
      const got = (await polled).Messages ?? [];
      expect(got.map((m) => m.Body)).toEqual([`m${i}`]);
      expect(Date.now() - started).toBeLessThan(3000);
      await a.deleteMessage({ QueueUrl, ReceiptHandle: got[0]?.ReceiptHandle });
    }
  });

  it('a send between two polls is found by the first look of the next poll', async () => {
    const a = sqsClient('json', svc.url);
    const { QueueUrl } = await a.createQueue({ QueueName: uniqueName('between') });
    const warm = a.receiveMessage({ QueueUrl, WaitTimeSeconds: 10 });
    await sleep(150);
    await a.sendMessage({ QueueUrl, MessageBody: 'first' });
    expect((await warm).Messages?.[0]?.Body).toBe('first');
    // No poll is open now; the channel lingers. This message is announced to nobody waiting.
    await a.sendMessage({ QueueUrl, MessageBody: 'second' });
    const started = Date.now();
    const got = await a.receiveMessage({ QueueUrl, WaitTimeSeconds: 10, VisibilityTimeout: 30 });
    expect(got.Messages?.map((m) => m.Body)).toEqual(['second']);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('a poll whose client went away does not take a message sent afterwards', async () => {
    const a = sqsClient('json', svc.url);
    const { QueueUrl } = await a.createQueue({ QueueName: uniqueName('abandoned') });
    const body = JSON.stringify({ QueueUrl, WaitTimeSeconds: 5 });
    const url = new URL(svc.url);
    const req = request({
      host: url.hostname,
      port: url.port,
      method: 'POST',
      path: '/',
      headers: { 'X-Amz-Target': 'AmazonSQS.ReceiveMessage', 'Content-Type': 'application/x-amz-json-1.0' },
    });
    req.on('error', () => undefined);
    req.end(body);
    await sleep(300);
    req.destroy();
    await sleep(100);
    await a.sendMessage({ QueueUrl, MessageBody: 'for someone else' });
    await sleep(200);
    const got = await a.receiveMessage({ QueueUrl });
    expect(got.Messages?.[0]?.Body).toBe('for someone else');
    expect(got.Messages).toHaveLength(1);
  });
});
