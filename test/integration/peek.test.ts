/**
 * LocalStack's SQS developer endpoint (/_aws/sqs/messages) against the real service, with messages
 * sent and received through both SDK generations. The facts it holds redsqs to, from LocalStack:
 * - docs.localstack.cloud/user-guide/aws/sqs/#developer-endpoints: GET /_aws/sqs/messages?QueueUrl=…
 *   or /_aws/sqs/messages/<region>/<account_id>/<queue_name> lists every message "without triggering
 *   the visibility timeout or modifying access metrics"; the answer is the XML of a ReceiveMessage
 *   response, or JSON with `Accept: application/json`; all system and message attributes; the receipt
 *   handle is the placeholder "SQS/BACKDOOR/ACCESS"; ShowInvisible and ShowDelayed add in-flight and
 *   delayed messages with the extra attributes IsVisible and IsDelayed; the endpoint also works as
 *   the endpoint URL of an SDK's ReceiveMessage.
 * - localstack/localstack PR #9357 (ShowInvisible, ShowDelayed), PR #13196 (in-flight FIFO messages)
 *   and tests/aws/services/sqs/test_sqs_backdoor.py: the JSON form is the XML converted by xmltodict
 *   (`ReceiveMessageResponse.ReceiveMessageResult.Message`, a single object when there is one
 *   message; `Attribute: [{Name, Value}]`); MaxNumberOfMessages is ignored; a missing QueueUrl or an
 *   unknown queue answers AWS.SimpleQueueService.NonExistentQueue (400, also for another region in
 *   the path form); a URL without account and name answers InvalidAddress (404); flags are true for
 *   "true" or "1"; without ShowInvisible, messages of a FIFO group held by an in-flight message are
 *   not listed.
 */
import type { Message, QueueAttributeName } from '@aws-sdk/client-sqs';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { md5Hex } from '../../src/sqs/md5.js';
import { errorOf, PROTOCOLS, sqsClient, uniqueName } from '../helpers/clients.js';
import { useTestService } from '../helpers/service.js';

const svc = useTestService();
const ALL = ['All'] as QueueAttributeName[];
const HANDLE = 'SQS/BACKDOOR/ACCESS';

/** A peeked message, from either form, with its attributes as maps. */
interface Peeked {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes: Record<string, string>;
  MD5OfMessageAttributes?: string;
  MessageAttributes: Record<string, Record<string, string>>;
}

type Raw = Record<string, unknown>;
const many = <T>(v: T | T[] | undefined | null): T[] =>
  v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];

function normalize(m: Raw): Peeked {
  const pairs = many(m.Attribute as Raw | Raw[]);
  const attrs = many(m.MessageAttribute as Raw | Raw[]);
  return {
    MessageId: String(m.MessageId),
    ReceiptHandle: String(m.ReceiptHandle),
    MD5OfBody: String(m.MD5OfBody),
    Body: String(m.Body),
    Attributes: Object.fromEntries(pairs.map((a) => [String(a.Name), String(a.Value)])),
    ...(m.MD5OfMessageAttributes !== undefined ? { MD5OfMessageAttributes: String(m.MD5OfMessageAttributes) } : {}),
    MessageAttributes: Object.fromEntries(attrs.map((a) => [String(a.Name), a.Value as Record<string, string>])),
  };
}

const xml = new XMLParser({
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => ['Message', 'Attribute', 'MessageAttribute'].includes(name),
});

interface PeekCall {
  status: number;
  contentType: string;
  text: string;
  headers: Headers;
}

async function get(path: string, headers: Record<string, string> = {}): Promise<PeekCall> {
  const res = await fetch(`${svc().url}${path}`, { headers });
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    text: await res.text(),
    headers: res.headers,
  };
}

const query = (params: Record<string, string>) => `/_aws/sqs/messages?${new URLSearchParams(params)}`;

/** The XML answer, parsed as a test written against LocalStack would. */
async function peekXml(QueueUrl: string, flags: Record<string, string> = {}): Promise<Peeked[]> {
  const r = await get(query({ QueueUrl, ...flags }));
  expect(r.status, r.text).toBe(200);
  expect(r.contentType).toMatch(/^text\/xml/);
  const doc = xml.parse(r.text) as Raw;
  const result = (doc.ReceiveMessageResponse as Raw).ReceiveMessageResult as Raw | string;
  return many(typeof result === 'object' ? (result.Message as Raw[]) : undefined).map(normalize);
}

/** The JSON answer (`Accept: application/json`): LocalStack's XML converted by xmltodict. */
async function peekJson(path: string): Promise<Peeked[]> {
  const r = await get(path, { Accept: 'application/json' });
  expect(r.status, r.text).toBe(200);
  expect(r.contentType).toMatch(/^application\/json/);
  const doc = JSON.parse(r.text) as { ReceiveMessageResponse: { ReceiveMessageResult: Raw | null } };
  return many(doc.ReceiveMessageResponse.ReceiveMessageResult?.Message as Raw | Raw[]).map(normalize);
}

const bodies = (messages: Peeked[]) => messages.map((m) => m.Body);
const byBody = (messages: Peeked[], body: string) => messages.find((m) => m.Body === body) as Peeked;

describe.each(PROTOCOLS)('peek (messages sent through the %s client)', (protocol) => {
  const sqs = () => sqsClient(protocol, svc().url);
  const create = async (name: string, Attributes?: Record<string, string>) => {
    const QueueName = Attributes?.FifoQueue ? `${uniqueName(name)}.fifo` : uniqueName(name);
    return (await sqs().createQueue({ QueueName, Attributes })).QueueUrl as string;
  };

  it('standard queue: shows ready, in-flight and delayed messages as LocalStack does, and changes nothing', async () => {
    const QueueUrl = await create(`peek-${protocol}`);
    const flyingSent = await sqs().sendMessage({ QueueUrl, MessageBody: 'flying' });
    const before = Date.now();
    const got = await sqs().receiveMessage({ QueueUrl, VisibilityTimeout: 60, AttributeNames: ALL });
    const flying = got.Messages?.[0] as Message;
    expect(flying.MessageId).toBe(flyingSent.MessageId);
    const firstReceive = flying.Attributes?.ApproximateFirstReceiveTimestamp as string;
    expect(Number(firstReceive)).toBeGreaterThanOrEqual(before);

    const body = 'ready <&> "quoted" \'single\' ünï 🎉';
    const MessageAttributes = {
      kind: { DataType: 'String', StringValue: 'order' },
      bin: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 254, 255]) },
    };
    const ready = await sqs().sendMessage({
      QueueUrl,
      MessageBody: body,
      MessageAttributes,
      MessageSystemAttributes: {
        AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-5759e988-bd862e3fe1be46a994272793' },
      },
    });
    await sqs().sendMessage({ QueueUrl, MessageBody: 'delayed', DelaySeconds: 60 });

    // By default: the available message only, with every attribute and the placeholder handle.
    const plain = await peekXml(QueueUrl);
    expect(bodies(plain)).toEqual([body]);
    const m = plain[0] as Peeked;
    expect(m.MessageId).toBe(ready.MessageId);
    expect(m.ReceiptHandle).toBe(HANDLE);
    expect(m.MD5OfBody).toBe(md5Hex(body));
    expect(m.MD5OfMessageAttributes).toBe(ready.MD5OfMessageAttributes);
    expect(m.MessageAttributes).toEqual({
      kind: { StringValue: 'order', DataType: 'String' },
      bin: { BinaryValue: Buffer.from([0, 1, 254, 255]).toString('base64'), DataType: 'Binary' },
    });
    expect(m.Attributes).toEqual({
      SenderId: expect.any(String),
      SentTimestamp: expect.stringMatching(/^\d{13}$/),
      ApproximateReceiveCount: '0',
      ApproximateFirstReceiveTimestamp: '0',
      AWSTraceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793',
    });

    // ShowInvisible adds the in-flight message (first, as LocalStack lists them) and IsVisible.
    const invisible = await peekXml(QueueUrl, { ShowInvisible: 'true' });
    expect(bodies(invisible)).toEqual(['flying', body]);
    expect(byBody(invisible, 'flying').Attributes).toMatchObject({
      IsVisible: 'false',
      ApproximateReceiveCount: '1',
      ApproximateFirstReceiveTimestamp: firstReceive,
    });
    expect(byBody(invisible, body).Attributes.IsVisible).toBe('true');
    expect(byBody(invisible, body).Attributes.IsDelayed).toBeUndefined();

    // ShowDelayed adds the delayed message (last) and IsDelayed; "1" counts as true.
    const delayed = await peekXml(QueueUrl, { ShowDelayed: '1' });
    expect(bodies(delayed)).toEqual([body, 'delayed']);
    expect(delayed.map((x) => x.Attributes.IsDelayed)).toEqual(['false', 'true']);
    expect(byBody(delayed, 'delayed').Attributes.IsVisible).toBeUndefined();

    // Both, in the JSON form and in the path form: the same messages as the XML.
    const both = await peekXml(QueueUrl, { ShowInvisible: 'TRUE', ShowDelayed: 'true' });
    expect(bodies(both)).toEqual(['flying', body, 'delayed']);
    expect(await peekJson(query({ QueueUrl, ShowInvisible: 'true', ShowDelayed: 'true' }))).toEqual(both);
    const name = QueueUrl.split('/').pop() as string;
    const pathForm = `/_aws/sqs/messages/us-east-1/000000000000/${name}?ShowInvisible=true&ShowDelayed=true`;
    expect(await peekJson(pathForm)).toEqual(both);
    // Any other value is false, as in LocalStack.
    expect(bodies(await peekXml(QueueUrl, { ShowInvisible: 'yes', ShowDelayed: 'no' }))).toEqual([body]);

    // Nothing changed: the counts, the in-flight message (still invisible, its receipt handle still
    // the current one) and the ready one, whose first receive is this one and not the peek.
    const { Attributes: counts } = await sqs().getQueueAttributes({
      QueueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    });
    expect(counts).toEqual({
      ApproximateNumberOfMessages: '1',
      ApproximateNumberOfMessagesNotVisible: '1',
      ApproximateNumberOfMessagesDelayed: '1',
    });
    const beforeReceive = Date.now();
    const next = await sqs().receiveMessage({
      QueueUrl,
      MaxNumberOfMessages: 10,
      AttributeNames: ALL,
      VisibilityTimeout: 60,
    });
    expect(next.Messages?.map((x) => x.Body)).toEqual([body]);
    const readyNow = next.Messages?.[0]?.Attributes ?? {};
    expect(readyNow.ApproximateReceiveCount).toBe('1');
    expect(Number(readyNow.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(beforeReceive);
    await sqs().changeMessageVisibility({ QueueUrl, ReceiptHandle: flying.ReceiptHandle, VisibilityTimeout: 0 });
    const again = await sqs().receiveMessage({ QueueUrl, AttributeNames: ALL, VisibilityTimeout: 60 });
    expect(again.Messages?.[0]?.Body).toBe('flying');
    expect(again.Messages?.[0]?.Attributes).toMatchObject({
      ApproximateReceiveCount: '2',
      ApproximateFirstReceiveTimestamp: firstReceive,
    });
  });

  it('FIFO queue: in-flight messages and their held group only with ShowInvisible; FIFO attributes', async () => {
    const QueueUrl = await create(`peek-f-${protocol}`, { FifoQueue: 'true' });
    const send = (MessageBody: string, MessageGroupId: string) =>
      sqs().sendMessage({ QueueUrl, MessageBody, MessageGroupId, MessageDeduplicationId: `${MessageBody}-id` });
    const sentA = await send('g1-a', 'g1');
    await send('g1-b', 'g1');
    await send('g2-a', 'g2');
    const got = await sqs().receiveMessage({ QueueUrl, VisibilityTimeout: 60 });
    expect(got.Messages?.map((x) => x.Body)).toEqual(['g1-a']);

    // g1-b cannot be received while g1-a is in flight: LocalStack lists it only with ShowInvisible.
    expect(bodies(await peekXml(QueueUrl))).toEqual(['g2-a']);
    const all = await peekXml(QueueUrl, { ShowInvisible: 'true' });
    expect(bodies(all)).toEqual(['g1-a', 'g1-b', 'g2-a']);
    expect(all.map((x) => x.Attributes.IsVisible)).toEqual(['false', 'true', 'true']);
    expect(byBody(all, 'g1-a').Attributes).toMatchObject({
      MessageGroupId: 'g1',
      MessageDeduplicationId: 'g1-a-id',
      SequenceNumber: sentA.SequenceNumber,
      ApproximateReceiveCount: '1',
    });
    expect(byBody(all, 'g2-a').Attributes).toMatchObject({
      ApproximateReceiveCount: '0',
      ApproximateFirstReceiveTimestamp: '0',
    });

    // Unchanged: g1 is still held, g2-a comes next.
    const next = await sqs().receiveMessage({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60 });
    expect(next.Messages?.map((x) => x.Body)).toEqual(['g2-a']);
  });

  it('FIFO queue: a queue-level delay shows with ShowDelayed', async () => {
    const QueueUrl = await create(`peek-d-${protocol}`, { FifoQueue: 'true', DelaySeconds: '60' });
    await sqs().sendMessage({ QueueUrl, MessageBody: 'later', MessageGroupId: 'g', MessageDeduplicationId: 'd' });
    expect(await peekXml(QueueUrl)).toEqual([]);
    const shown = await peekXml(QueueUrl, { ShowDelayed: 'true' });
    expect(bodies(shown)).toEqual(['later']);
    expect(shown[0]?.Attributes.IsDelayed).toBe('true');
  });

  it('answers an SDK that uses it as its endpoint: every message, MaxNumberOfMessages ignored, ReceiveMessage only', async () => {
    const QueueUrl = await create(`peek-sdk-${protocol}`);
    await sqs().sendMessage({ QueueUrl, MessageBody: 'one' });
    await sqs().sendMessage({ QueueUrl, MessageBody: 'two' });
    const dev = sqsClient(protocol, `${svc().url}/_aws/sqs/messages`);
    const { Messages = [] } = await dev.receiveMessage({ QueueUrl, MaxNumberOfMessages: 1 });
    expect(Messages.map((x) => x.Body)).toEqual(['one', 'two']);
    expect(Messages.map((x) => x.ReceiptHandle)).toEqual([HANDLE, HANDLE]);
    expect(Messages.map((x) => x.Attributes?.ApproximateReceiveCount)).toEqual(['0', '0']);
    // Still both there, never received.
    expect(bodies(await peekXml(QueueUrl))).toEqual(['one', 'two']);
    const err = await errorOf(() => dev.sendMessage({ QueueUrl, MessageBody: 'no' }));
    expect(err.code).toBe('UnsupportedOperation');
    // (The pre-JSON SDK drops the message of this error, reporting UnknownError.)
    if (protocol === 'json') expect(err.message).toBe('This endpoint only accepts ReceiveMessage calls.');
    expect(bodies(await peekXml(QueueUrl))).toEqual(['one', 'two']);
  });
});

describe('peek: answer forms and errors', () => {
  const sqs = () => sqsClient('json', svc().url);

  it('an empty queue: no Message element; in JSON a null result', async () => {
    const { QueueUrl } = await sqs().createQueue({ QueueName: uniqueName('peek-empty') });
    const r = await get(query({ QueueUrl: QueueUrl as string }));
    expect(r.status).toBe(200);
    expect(r.text).toContain('<ReceiveMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">');
    expect(r.text).not.toContain('<Message>');
    expect(r.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    const j = await get(query({ QueueUrl: QueueUrl as string }), { Accept: 'application/json' });
    expect(JSON.parse(j.text)).toEqual({
      ReceiveMessageResponse: {
        ReceiveMessageResult: null,
        ResponseMetadata: { RequestId: j.headers.get('x-amzn-requestid') },
      },
    });
  });

  it('JSON: one message is an object, as xmltodict makes it; the Accept header is negotiated', async () => {
    const { QueueUrl = '' } = await sqs().createQueue({ QueueName: uniqueName('peek-one') });
    await sqs().sendMessage({ QueueUrl, MessageBody: 'only' });
    const r = await get(query({ QueueUrl }), { Accept: 'application/json' });
    const message = JSON.parse(r.text).ReceiveMessageResponse.ReceiveMessageResult.Message;
    expect(Array.isArray(message)).toBe(false);
    expect(message).toMatchObject({ Body: 'only', ReceiptHandle: HANDLE, MD5OfBody: md5Hex('only') });
    expect(Array.isArray(message.Attribute)).toBe(true);
    // axios' default prefers JSON; */* and no Accept at all get XML; XML preferred by quality gets XML.
    const typeFor = async (accept?: string) =>
      (await get(query({ QueueUrl }), accept ? { Accept: accept } : {})).contentType.split(';')[0];
    expect(await typeFor('application/json, text/plain, */*')).toBe('application/json');
    expect(await typeFor('*/*')).toBe('text/xml');
    expect(await typeFor()).toBe('text/xml');
    expect(await typeFor('application/json;q=0.5, text/xml')).toBe('text/xml');
  });

  it('lists at most 1,000 messages and says so in x-redsqs-truncated', async () => {
    const { QueueUrl = '' } = await sqs().createQueue({ QueueName: uniqueName('peek-many') });
    const batch = (n: number) =>
      sqs().sendMessageBatch({
        QueueUrl,
        Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: `m${n * 10 + i}` })),
      });
    for (let round = 0; round < 10; round++)
      await Promise.all(Array.from({ length: 10 }, (_, i) => batch(round * 10 + i)));
    const full = await get(query({ QueueUrl }));
    expect(full.headers.get('x-redsqs-truncated')).toBeNull();
    expect(full.text.split('<Message>').length - 1).toBe(1_000);
    await sqs().sendMessage({ QueueUrl, MessageBody: 'one too many' });
    const capped = await get(query({ QueueUrl }));
    expect(capped.headers.get('x-redsqs-truncated')).toBe('true');
    expect(capped.text.split('<Message>').length - 1).toBe(1_000);
  });

  it('a missing QueueUrl or unknown queue: NonExistentQueue (400), in XML or JSON', async () => {
    const missing = await get('/_aws/sqs/messages');
    expect(missing.status).toBe(400);
    const doc = xml.parse(missing.text) as { ErrorResponse: { Error: Raw } };
    expect(doc.ErrorResponse.Error).toMatchObject({ Type: 'Sender', Code: 'AWS.SimpleQueueService.NonExistentQueue' });
    for (const path of [
      '/_aws/sqs/messages',
      query({ QueueUrl: `${svc().url}/000000000000/no-such-queue` }),
      query({ QueueUrl: `${svc().url}/111111111111/other-account` }),
      '/_aws/sqs/messages/us-east-1/000000000000/no-such-queue',
      '/_aws/sqs/messages/eu-west-1/000000000000/no-such-queue',
    ]) {
      const r = await get(path, { Accept: 'application/json' });
      expect(r.status, path).toBe(400);
      expect(JSON.parse(r.text).ErrorResponse.Error.Code, path).toBe('AWS.SimpleQueueService.NonExistentQueue');
    }
  });

  it('another region in the path form finds no queue, as in LocalStack', async () => {
    const { QueueUrl = '' } = await sqs().createQueue({ QueueName: uniqueName('peek-region') });
    const name = QueueUrl.split('/').pop() as string;
    expect((await get(`/_aws/sqs/messages/us-east-1/000000000000/${name}`)).status).toBe(200);
    const other = await get(`/_aws/sqs/messages/eu-west-1/000000000000/${name}`, { Accept: 'application/json' });
    expect(other.status).toBe(400);
    expect(JSON.parse(other.text).ErrorResponse.Error.Code).toBe('AWS.SimpleQueueService.NonExistentQueue');
  });

  it('a QueueUrl without account and name: InvalidAddress (404)', async () => {
    for (const QueueUrl of ['http://localhost:4566/nonsense', 'nonsense']) {
      const r = await get(query({ QueueUrl }), { Accept: 'application/json' });
      expect(r.status, QueueUrl).toBe(404);
      expect(JSON.parse(r.text).ErrorResponse.Error).toMatchObject({ Code: 'InvalidAddress', Type: 'Sender' });
    }
  });

  it('a form POST works like a GET; another Action is refused with a 4xx', async () => {
    const { QueueUrl = '' } = await sqs().createQueue({ QueueName: uniqueName('peek-post') });
    await sqs().sendMessage({ QueueUrl, MessageBody: 'posted' });
    const post = (form: Record<string, string>) =>
      fetch(`${svc().url}/_aws/sqs/messages`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: new URLSearchParams(form),
      });
    const ok = await post({ QueueUrl });
    expect(ok.status).toBe(200);
    expect((await ok.json()).ReceiveMessageResponse.ReceiveMessageResult.Message.Body).toBe('posted');
    const refused = await post({ Action: 'DeleteQueue', QueueUrl });
    expect(refused.status).toBe(400);
    expect((await refused.json()).ErrorResponse.Error.Code).toBe('AWS.SimpleQueueService.UnsupportedOperation');
    expect((await sqs().getQueueUrl({ QueueName: QueueUrl.split('/').pop() as string })).QueueUrl).toBe(QueueUrl);
  });

  it('bad AWS JSON and oversized bodies are 4xx errors, never 5xx', async () => {
    const badJson = await fetch(`${svc().url}/_aws/sqs/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'AmazonSQS.ReceiveMessage' },
      body: '{not json',
    });
    expect(badJson.status).toBe(400);
    expect(badJson.headers.get('x-amzn-query-error')).toMatch(/;Sender$/);
    const big = await fetch(`${svc().url}/_aws/sqs/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `QueueUrl=${'x'.repeat(70_000)}`,
    });
    expect(big.status).toBe(413);
    expect(await big.text()).toContain('<Code>RequestEntityTooLarge</Code>');
  });
});

describe('peek: switched off', () => {
  const off = useTestService({ devEndpoints: false });

  it('is not routed when devEndpoints is off, nor are reset and the clock, and the 404 says why', async () => {
    for (const [method, path] of [
      ['GET', '/_aws/sqs/messages?QueueUrl=x'],
      ['POST', '/_redsqs/reset'],
      ['GET', '/_redsqs/clock'],
      ['POST', '/_redsqs/clock'],
    ]) {
      const r = await fetch(`${off().url}${path}`, { method, ...(method === 'POST' ? { body: '{}' } : {}) });
      expect(r.status, path).toBe(404);
      expect(((await r.json()) as { error: string }).error).toMatch(/developer endpoint, and they are off/);
    }
    expect((await fetch(`${off().url}/health`)).status).toBe(200);
  });
});
