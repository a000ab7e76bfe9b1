/**
 * Malformed and invalid input over raw HTTP, for both wire protocols: every request here must be
 * answered with an AWS-shaped 4xx carrying the right error code in the right protocol shape (JSON
 * `__type` + `x-amzn-query-error`, or an XML `ErrorResponse`), never a 5xx, and the service must
 * keep serving afterwards.
 */

import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { VERSION } from '../../src/version.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { parseXmlError } from '../helpers/xml.js';

const XML_NS = 'http://queue.amazonaws.com/doc/2012-11-05/';
const JSON_TYPE = 'application/x-amz-json-1.0';
const FORM_TYPE = 'application/x-www-form-urlencoded';
/** Slightly above the service's MAX_BODY_BYTES (3 MiB + 64 KiB). */
const OVERSIZED_BODY_BYTES = 3 * 1024 * 1024 + 128 * 1024;

let svc: TestService;
let counter = 0;

/** A queue name never used before in this run (deleted names are blocked for 60 s). */
function freshName(tag: string): string {
  counter += 1;
  return `bad-${tag}-${counter}`;
}

// ---------------------------------------------------------------- raw HTTP

interface RawReply {
  status: number;
  headers: Headers;
  text: string;
}

async function raw(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<RawReply> {
  const res = await fetch(`${svc.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

// ---------------------------------------------------------------- JSON protocol

interface JsonReply extends RawReply {
  body: Record<string, unknown>;
}

/** POSTs `text` as-is with the given X-Amz-Target. */
async function postJson(target: string, text: string): Promise<JsonReply> {
  const reply = await raw('POST', '/', { 'Content-Type': JSON_TYPE, 'X-Amz-Target': target }, text);
  expect(reply.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  expect(reply.headers.get('content-type')).toBe(JSON_TYPE);
  const parsed: unknown = JSON.parse(reply.text);
  expect(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)).toBe(true);
  return { ...reply, body: parsed as Record<string, unknown> };
}

/** Calls `AmazonSQS.<action>` with `input` serialized as JSON. */
function callJson(action: string, input: unknown): Promise<JsonReply> {
  return postJson(`AmazonSQS.${action}`, JSON.stringify(input));
}

/**
 * Asserts a JSON-protocol error: the status, `__type` `<namespace>#<shape>`, a message, and the
 * `x-amzn-query-error: <queryCode>;Sender` header the SDKs map back to the legacy code.
 */
function expectJsonError(reply: JsonReply, status: number, shape: string, queryCode: string): string {
  const type = reply.body.__type;
  expect({
    status: reply.status,
    shape: typeof type === 'string' ? type.slice(type.indexOf('#') + 1) : type,
    queryError: reply.headers.get('x-amzn-query-error'),
  }).toEqual({ status, shape, queryError: `${queryCode};Sender` });
  expect(type).toMatch(/^[a-z]+(\.[a-z]+)+#/);
  const message = reply.body.message;
  expect(message).toEqual(expect.any(String));
  return message as string;
}

const INVALID_PARAMETER: [string, string] = ['InvalidParameterValueException', 'InvalidParameterValue'];
const MISSING_PARAMETER: [string, string] = ['MissingRequiredParameterException', 'MissingParameter'];

async function createQueueJson(name: string): Promise<string> {
  const reply = await callJson('CreateQueue', { QueueName: name });
  expect(reply.status).toBe(200);
  const url = reply.body.QueueUrl;
  expect(typeof url).toBe('string');
  return url as string;
}

// ---------------------------------------------------------------- query protocol

interface XmlReply extends RawReply {
  requestId: string;
}

/** A query request: form-encoded POST / (the default) or GET /?<params>. */
async function callQuery(
  params: string | Record<string, string>,
  options: { method?: 'GET' | 'POST'; contentType?: string; path?: string } = {},
): Promise<XmlReply> {
  const encoded = typeof params === 'string' ? params : new URLSearchParams(params).toString();
  const method = options.method ?? 'POST';
  const reply =
    method === 'GET'
      ? await raw('GET', `${options.path ?? '/'}?${encoded}`)
      : await raw('POST', options.path ?? '/', { 'Content-Type': options.contentType ?? FORM_TYPE }, encoded);
  const requestId = reply.headers.get('x-amzn-requestid');
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(reply.headers.get('content-type')).toBe('text/xml');
  return { ...reply, requestId: requestId as string };
}

/**
 * Asserts an XML `ErrorResponse` (read with an XML parser) with Type Sender, the code, a message,
 * an empty Detail and the request id; returns the message, unescaped.
 */
function expectXmlError(reply: XmlReply, status: number, code: string): string {
  const error = parseXmlError(reply.text);
  expect({ status: reply.status, ...error, message: typeof error.message }).toEqual({
    status,
    root: 'ErrorResponse',
    xmlns: XML_NS,
    version: '1.0',
    type: 'Sender',
    code,
    message: 'string',
    detail: '',
    requestId: reply.requestId,
  });
  expect(reply.text.startsWith('<?xml')).toBe(true);
  expect(reply.text).toContain(`<ErrorResponse xmlns="${XML_NS}"><Error>`);
  expect(reply.text).toContain(`<RequestId>${reply.requestId}</RequestId></ErrorResponse>`);
  expect(error.message).not.toBe('');
  return error.message as string;
}

// ---------------------------------------------------------------- setup

let queueUrl: string;
beforeAll(async () => {
  svc = await startTestService();
  queueUrl = await createQueueJson(freshName('shared'));
});
afterAll(async () => {
  await svc?.close();
});

/** A queue holding one in-flight message; returns its URL and the message's receipt handle. */
async function queueWithInflightMessage(): Promise<{ url: string; handle: string }> {
  const url = await createQueueJson(freshName('inflight'));
  expect((await callJson('SendMessage', { QueueUrl: url, MessageBody: 'x' })).status).toBe(200);
  const got = await callJson('ReceiveMessage', { QueueUrl: url, VisibilityTimeout: 60 });
  expect(got.status).toBe(200);
  const messages = got.body.Messages as { ReceiptHandle: string }[];
  expect(messages).toHaveLength(1);
  return { url, handle: (messages[0] as { ReceiptHandle: string }).ReceiptHandle };
}

// ---------------------------------------------------------------- JSON: envelope

describe('JSON protocol: envelope', () => {
  it('rejects a malformed JSON body with SerializationException', async () => {
    const reply = await postJson('AmazonSQS.ListQueues', '{"QueueNamePrefix": ');
    expectJsonError(reply, 400, 'SerializationException', 'MalformedQueryString');
  });

  it('rejects a body that is a JSON array', async () => {
    const reply = await postJson('AmazonSQS.SendMessage', JSON.stringify([queueUrl, 'hi']));
    expectJsonError(reply, 400, ...INVALID_PARAMETER);
  });

  it('rejects a body that is a JSON string', async () => {
    const reply = await postJson('AmazonSQS.ListQueues', JSON.stringify('ListQueues'));
    expectJsonError(reply, 400, ...INVALID_PARAMETER);
  });

  it('rejects an unknown operation', async () => {
    const reply = await postJson('AmazonSQS.Nope', '{}');
    const message = expectJsonError(reply, 400, 'UnknownOperationException', 'InvalidAction');
    expect(message).toContain('AmazonSQS.Nope');
  });

  it('rejects a target without the AmazonSQS. prefix', async () => {
    const reply = await postJson('ListQueues', '{}');
    expectJsonError(reply, 400, 'UnknownOperationException', 'InvalidAction');
  });

  it('rejects a target naming another service', async () => {
    const reply = await postJson('AmazonSNS.ListQueues', '{}');
    expectJsonError(reply, 400, 'UnknownOperationException', 'InvalidAction');
  });

  it('treats an empty body as an empty input object', async () => {
    const reply = await postJson('AmazonSQS.GetQueueUrl', '');
    const message = expectJsonError(reply, 400, ...MISSING_PARAMETER);
    expect(message).toContain('QueueName');
  });
});

// ---------------------------------------------------------------- JSON: members

describe('JSON protocol: missing and mistyped members', () => {
  it('requires MessageBody', async () => {
    const reply = await callJson('SendMessage', { QueueUrl: queueUrl });
    const message = expectJsonError(reply, 400, ...MISSING_PARAMETER);
    expect(message).toContain('MessageBody');
  });

  it('requires QueueUrl', async () => {
    const reply = await callJson('SendMessage', { MessageBody: 'hi' });
    const message = expectJsonError(reply, 400, ...MISSING_PARAMETER);
    expect(message).toContain('QueueUrl');
  });

  it('treats a null required member as missing', async () => {
    const reply = await callJson('SendMessage', { QueueUrl: queueUrl, MessageBody: null });
    expectJsonError(reply, 400, ...MISSING_PARAMETER);
  });

  it('rejects MaxNumberOfMessages given as a string', async () => {
    const reply = await callJson('ReceiveMessage', { QueueUrl: queueUrl, MaxNumberOfMessages: '5' });
    const message = expectJsonError(reply, 400, ...INVALID_PARAMETER);
    expect(message).toContain('MaxNumberOfMessages');
  });

  it('rejects a fractional DelaySeconds', async () => {
    const reply = await callJson('SendMessage', { QueueUrl: queueUrl, MessageBody: 'hi', DelaySeconds: 1.5 });
    const message = expectJsonError(reply, 400, ...INVALID_PARAMETER);
    expect(message).toContain('DelaySeconds');
  });

  it('rejects MessageBody given as a number', async () => {
    const reply = await callJson('SendMessage', { QueueUrl: queueUrl, MessageBody: 42 });
    expectJsonError(reply, 400, ...INVALID_PARAMETER);
  });

  it('rejects MessageAttributes given as an array', async () => {
    const reply = await callJson('SendMessage', {
      QueueUrl: queueUrl,
      MessageBody: 'hi',
      MessageAttributes: [{ DataType: 'String', StringValue: 'x' }],
    });
    const message = expectJsonError(reply, 400, ...INVALID_PARAMETER);
    expect(message).toContain('MessageAttributes');
  });

  it('rejects a BinaryValue that is not base64', async () => {
    const reply = await callJson('SendMessage', {
      QueueUrl: queueUrl,
      MessageBody: 'hi',
      MessageAttributes: { bin: { DataType: 'Binary', BinaryValue: 'not base64!' } },
    });
    const message = expectJsonError(reply, 400, ...INVALID_PARAMETER);
    expect(message).toContain('base64');
  });

  it('rejects Entries that are not an array', async () => {
    const reply = await callJson('SendMessageBatch', { QueueUrl: queueUrl, Entries: { Id: 'a', MessageBody: 'x' } });
    const message = expectJsonError(reply, 400, ...INVALID_PARAMETER);
    expect(message).toContain('Entries');
  });

  it('rejects a boolean where a string is expected inside a list', async () => {
    const reply = await callJson('GetQueueAttributes', { QueueUrl: queueUrl, AttributeNames: [true] });
    expectJsonError(reply, 400, ...INVALID_PARAMETER);
  });
});

// ---------------------------------------------------------------- JSON: ranges and contents

describe('JSON protocol: values out of range and message contents', () => {
  it.each([11, 0, -1])('rejects MaxNumberOfMessages %i', async (max) => {
    const reply = await callJson('ReceiveMessage', { QueueUrl: queueUrl, MaxNumberOfMessages: max });
    const message = expectJsonError(reply, 400, ...INVALID_PARAMETER);
    expect(message).toContain('MaxNumberOfMessages');
  });

  it('rejects WaitTimeSeconds 21', async () => {
    const reply = await callJson('ReceiveMessage', { QueueUrl: queueUrl, WaitTimeSeconds: 21 });
    const message = expectJsonError(reply, 400, ...INVALID_PARAMETER);
    expect(message).toContain('WaitTimeSeconds');
  });

  it('rejects DelaySeconds 901', async () => {
    const reply = await callJson('SendMessage', { QueueUrl: queueUrl, MessageBody: 'hi', DelaySeconds: 901 });
    const message = expectJsonError(reply, 400, ...INVALID_PARAMETER);
    expect(message).toContain('DelaySeconds');
  });

  it('rejects ChangeMessageVisibility to 43201 seconds', async () => {
    const { url, handle } = await queueWithInflightMessage();
    const reply = await callJson('ChangeMessageVisibility', {
      QueueUrl: url,
      ReceiptHandle: handle,
      VisibilityTimeout: 43_201,
    });
    const message = expectJsonError(reply, 400, ...INVALID_PARAMETER);
    expect(message).toContain('VisibilityTimeout');
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['a lone surrogate', 'a\ud800b'],
    ['U+FFFE', 'a\ufffeb'],
    ['a vertical tab', 'a\u000bb'],
  ])('rejects a MessageBody containing %s', async (_what, body) => {
    const reply = await callJson('SendMessage', { QueueUrl: queueUrl, MessageBody: body });
    expectJsonError(reply, 400, 'InvalidMessageContents', 'InvalidMessageContents');
  });

  it('rejects a lone surrogate in a message attribute value', async () => {
    const reply = await callJson('SendMessage', {
      QueueUrl: queueUrl,
      MessageBody: 'hi',
      MessageAttributes: { a: { DataType: 'String', StringValue: '\udfff' } },
    });
    // SQS: InvalidMessageContents is the body's; an attribute value's is InvalidParameterValue.
    expectJsonError(reply, 400, ...INVALID_PARAMETER);
  });

  it('rejects a message body over 1 MiB', async () => {
    const reply = await callJson('SendMessage', { QueueUrl: queueUrl, MessageBody: 'x'.repeat(1_048_577) });
    const message = expectJsonError(reply, 400, ...INVALID_PARAMETER);
    expect(message).toContain('1048576 bytes');
  });

  it('accepts a message body of exactly 1 MiB', async () => {
    const reply = await callJson('SendMessage', { QueueUrl: queueUrl, MessageBody: 'x'.repeat(1_048_576) });
    expect(reply.status).toBe(200);
    expect(reply.body.MessageId).toEqual(expect.any(String));
  });
});

// ---------------------------------------------------------------- JSON: oversized request

/** Sends a body of `bytes` bytes with node:http; resolves with the status, or the socket error's code. */
function postOversized(bytes: number): Promise<{ status?: number; text?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = httpRequest(`${svc.url}/`, {
      method: 'POST',
      headers: {
        'Content-Type': JSON_TYPE,
        'X-Amz-Target': 'AmazonSQS.SendMessage',
        'Content-Length': String(bytes),
      },
    });
    req.on('response', (res) => {
      expect(res.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err: NodeJS.ErrnoException) =>
        resolve({ status: res.statusCode ?? 0, error: err.code ?? err.message }),
      );
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    const prefix = `{"QueueUrl":${JSON.stringify(queueUrl)},"MessageBody":"`;
    const suffix = '"}';
    req.end(prefix + 'x'.repeat(bytes - prefix.length - suffix.length) + suffix);
  });
}

describe('JSON protocol: request body over the service limit', () => {
  it('answers 413 RequestEntityTooLarge and closes the connection', async () => {
    const reply = await postOversized(OVERSIZED_BODY_BYTES);
    expect(reply.error).toBeUndefined();
    expect(reply.status).toBe(413);
    const body: unknown = JSON.parse(reply.text ?? '');
    expect(body).toMatchObject({ __type: expect.stringMatching(/#RequestEntityTooLarge$/) });
  });

  it('keeps serving after an oversized request', async () => {
    await postOversized(OVERSIZED_BODY_BYTES);
    const reply = await callJson('GetQueueUrl', { QueueName: 'bad-does-not-exist' });
    expectJsonError(reply, 400, 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue');
  });

  it('keeps serving, without logging an error, after a client hangs up in the middle of a body', async () => {
    const stderr = vi.spyOn(process.stderr, 'write');
    try {
      await new Promise<void>((resolve) => {
        const req = httpRequest(`${svc.url}/`, {
          method: 'POST',
          headers: { 'Content-Type': JSON_TYPE, 'X-Amz-Target': 'AmazonSQS.ListQueues', 'Content-Length': '1000' },
        });
        req.on('error', () => resolve());
        req.on('close', () => resolve());
        req.write('{"QueueNamePrefix":"', () => setTimeout(() => req.destroy(), 20));
      });
      const reply = await callJson('ListQueues', {});
      expect(reply.status).toBe(200);
      const logged = stderr.mock.calls.map(([chunk]) => String(chunk)).filter((line) => / (ERROR|WARN) /.test(line));
      expect(logged).toEqual([]);
    } finally {
      stderr.mockRestore();
    }
  });
});

// ---------------------------------------------------------------- JSON: queues and handles

describe('JSON protocol: queues and receipt handles', () => {
  it('rejects a malformed receipt handle on DeleteMessage', async () => {
    const reply = await callJson('DeleteMessage', { QueueUrl: queueUrl, ReceiptHandle: 'garbage handle!' });
    expectJsonError(reply, 400, 'ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid');
  });

  it('rejects a well-formed base64 receipt handle that is not one of ours', async () => {
    const reply = await callJson('ChangeMessageVisibility', {
      QueueUrl: queueUrl,
      ReceiptHandle: Buffer.from('hello world').toString('base64'),
      VisibilityTimeout: 10,
    });
    expectJsonError(reply, 400, 'ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid');
  });

  it('rejects a receipt handle of another queue', async () => {
    const { handle } = await queueWithInflightMessage();
    const reply = await callJson('DeleteMessage', { QueueUrl: queueUrl, ReceiptHandle: handle });
    expectJsonError(reply, 400, 'ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid');
  });

  it('answers QueueDoesNotExist for the URL of a queue that does not exist', async () => {
    const missing = queueUrl.replace(/[^/]+$/, freshName('missing'));
    const reply = await callJson('SendMessage', { QueueUrl: missing, MessageBody: 'hi' });
    const message = expectJsonError(reply, 400, 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue');
    expect(message).toBe('The specified queue does not exist.');
  });

  it('answers QueueDoesNotExist for GetQueueUrl of an unknown name', async () => {
    const reply = await callJson('GetQueueUrl', { QueueName: freshName('unknown') });
    expectJsonError(reply, 400, 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue');
  });

  it('rejects a QueueUrl that is not a URL with InvalidAddress', async () => {
    const reply = await callJson('SendMessage', { QueueUrl: 'not a url', MessageBody: 'hi' });
    const message = expectJsonError(reply, 404, 'InvalidAddress', 'InvalidAddress');
    expect(message).toContain('not a url');
  });
});

// ---------------------------------------------------------------- JSON: batches

describe('JSON protocol: batch requests', () => {
  const entry = (id: string) => ({ Id: id, MessageBody: `body ${id}` });

  it('rejects empty Entries', async () => {
    const reply = await callJson('SendMessageBatch', { QueueUrl: queueUrl, Entries: [] });
    expectJsonError(reply, 400, 'EmptyBatchRequest', 'AWS.SimpleQueueService.EmptyBatchRequest');
  });

  it('rejects 11 entries', async () => {
    const entries = Array.from({ length: 11 }, (_, i) => entry(`e${i}`));
    const reply = await callJson('SendMessageBatch', { QueueUrl: queueUrl, Entries: entries });
    expectJsonError(reply, 400, 'TooManyEntriesInBatchRequest', 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest');
  });

  it('rejects duplicate entry ids', async () => {
    const reply = await callJson('SendMessageBatch', { QueueUrl: queueUrl, Entries: [entry('a'), entry('a')] });
    expectJsonError(reply, 400, 'BatchEntryIdsNotDistinct', 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct');
  });

  it('rejects an entry id with a space', async () => {
    const reply = await callJson('DeleteMessageBatch', {
      QueueUrl: queueUrl,
      Entries: [{ Id: 'has space', ReceiptHandle: 'x' }],
    });
    expectJsonError(reply, 400, 'InvalidBatchEntryId', 'AWS.SimpleQueueService.InvalidBatchEntryId');
  });

  it('rejects an entry without its required Id', async () => {
    const reply = await callJson('SendMessageBatch', { QueueUrl: queueUrl, Entries: [{ MessageBody: 'x' }] });
    const message = expectJsonError(reply, 400, ...MISSING_PARAMETER);
    expect(message).toContain('Id');
  });

  it('reports a bad entry in Failed and sends the good one', async () => {
    const reply = await callJson('SendMessageBatch', {
      QueueUrl: queueUrl,
      Entries: [entry('good'), { Id: 'bad', MessageBody: '\u0000' }],
    });
    expect(reply.status).toBe(200);
    expect(reply.body.Successful).toMatchObject([{ Id: 'good' }]);
    expect(reply.body.Failed).toEqual([
      { Id: 'bad', SenderFault: true, Code: 'InvalidMessageContents', Message: expect.any(String) },
    ]);
  });
});

// ---------------------------------------------------------------- JSON: message attributes

describe('JSON protocol: message attributes', () => {
  const send = (attributes: Record<string, unknown>) =>
    callJson('SendMessage', { QueueUrl: queueUrl, MessageBody: 'hi', MessageAttributes: attributes });

  it('rejects 11 message attributes', async () => {
    const attributes: Record<string, unknown> = {};
    for (let i = 0; i < 11; i++) attributes[`a${i}`] = { DataType: 'String', StringValue: 'v' };
    const message = expectJsonError(await send(attributes), 400, ...INVALID_PARAMETER);
    expect(message).toContain('11');
  });

  it('rejects an attribute name starting with AWS.', async () => {
    const reply = await send({ 'AWS.thing': { DataType: 'String', StringValue: 'v' } });
    const message = expectJsonError(reply, 400, ...INVALID_PARAMETER);
    expect(message).toContain('AWS.thing');
  });

  it('rejects DataType Foo', async () => {
    const reply = await send({ a: { DataType: 'Foo', StringValue: 'v' } });
    expectJsonError(reply, 400, ...INVALID_PARAMETER);
  });

  it('rejects a Number attribute that is not a number', async () => {
    const reply = await send({ n: { DataType: 'Number', StringValue: 'abc' } });
    const message = expectJsonError(reply, 400, ...INVALID_PARAMETER);
    expect(message).toContain("'n'");
  });

  it('rejects an attribute without its required DataType', async () => {
    const reply = await send({ a: { StringValue: 'v' } });
    const message = expectJsonError(reply, 400, ...MISSING_PARAMETER);
    expect(message).toContain('DataType');
  });
});

// ---------------------------------------------------------------- JSON: CreateQueue

describe('JSON protocol: CreateQueue', () => {
  it.each([
    ['with a space', 'has space'],
    ['of 81 characters', 'q'.repeat(81)],
    ['that is empty', ''],
    ['with a slash', 'a/b'],
  ])('rejects a queue name %s', async (_what, name) => {
    const reply = await callJson('CreateQueue', { QueueName: name });
    expectJsonError(reply, 400, ...INVALID_PARAMETER);
  });

  it('rejects an unknown attribute with InvalidAttributeName', async () => {
    const reply = await callJson('CreateQueue', { QueueName: freshName('attr'), Attributes: { Colour: 'blue' } });
    const message = expectJsonError(reply, 400, 'InvalidAttributeName', 'InvalidAttributeName');
    expect(message).toContain('Colour');
  });

  it('rejects VisibilityTimeout 43201 with InvalidAttributeValue', async () => {
    const reply = await callJson('CreateQueue', {
      QueueName: freshName('vis'),
      Attributes: { VisibilityTimeout: '43201' },
    });
    const message = expectJsonError(reply, 400, 'InvalidAttributeValue', 'InvalidAttributeValue');
    expect(message).toContain('VisibilityTimeout');
  });

  it('rejects an attribute value given as a number', async () => {
    const reply = await callJson('CreateQueue', { QueueName: freshName('num'), Attributes: { DelaySeconds: 5 } });
    expectJsonError(reply, 400, ...INVALID_PARAMETER);
  });
});

// ---------------------------------------------------------------- query protocol

describe('query protocol: envelope', () => {
  it('rejects a request without Action', async () => {
    const reply = await callQuery({ Version: '2012-11-05' });
    const message = expectXmlError(reply, 400, 'MissingParameter');
    expect(message).toContain('Action');
  });

  it('rejects an empty POST without Action', async () => {
    const reply = await callQuery('');
    expectXmlError(reply, 400, 'MissingParameter');
  });

  it('rejects an unknown Action over POST', async () => {
    const reply = await callQuery({ Action: 'Nope', Version: '2012-11-05' });
    const message = expectXmlError(reply, 400, 'InvalidAction');
    expect(message).toContain('Nope');
  });

  it('rejects an unknown Action over GET', async () => {
    const reply = await callQuery({ Action: 'Nope' }, { method: 'GET' });
    expectXmlError(reply, 400, 'InvalidAction');
  });

  it('rejects a POST with a text/plain body', async () => {
    const reply = await callQuery({ Action: 'ListQueues' }, { contentType: 'text/plain' });
    expectXmlError(reply, 400, 'MalformedQueryString');
  });

  it('rejects a POST with a JSON body but no X-Amz-Target', async () => {
    const reply = await callQuery('{"QueueName":"x"}', { contentType: JSON_TYPE });
    expectXmlError(reply, 400, 'MalformedQueryString');
  });

  it('does not fail on malformed percent-encoding in the body', async () => {
    const reply = await callQuery('Action=ListQueues&QueueNamePrefix=%E0%A4%A');
    expect(reply.status).toBe(200);
    expect(reply.text).toContain(`<ListQueuesResponse xmlns="${XML_NS}"><ListQueuesResult></ListQueuesResult>`);
    expect(reply.text).toContain(`<RequestId>${reply.requestId}</RequestId>`);
  });

  it('does not fail on malformed percent-encoding in the query string', async () => {
    const reply = await callQuery('Action=ListQueues&QueueNamePrefix=%zz%', { method: 'GET' });
    expect(reply.status).toBe(200);
    expect(reply.text).toContain('<ListQueuesResult></ListQueuesResult>');
  });

  it('does not fail on a GET whose path is //', async () => {
    const reply = await callQuery({ Action: 'ListQueues' }, { method: 'GET', path: '//' });
    expect(reply.status).toBe(200);
    expect(reply.text).toContain('<ListQueuesResult>');
  });

  it('carries the request id in header and body of a successful response', async () => {
    const reply = await callQuery(
      { Action: 'GetQueueUrl', QueueName: queueUrl.replace(/^.*\//, '') },
      { method: 'GET' },
    );
    expect(reply.status).toBe(200);
    expect(reply.text).toContain(`<QueueUrl>${queueUrl}</QueueUrl>`);
    expect(reply.text).toContain(`<ResponseMetadata><RequestId>${reply.requestId}</RequestId></ResponseMetadata>`);
  });
});

describe('query protocol: parameters', () => {
  it('rejects MaxNumberOfMessages=abc', async () => {
    const reply = await callQuery({ Action: 'ReceiveMessage', QueueUrl: queueUrl, MaxNumberOfMessages: 'abc' });
    const message = expectXmlError(reply, 400, 'InvalidParameterValue');
    expect(message).toContain('MaxNumberOfMessages');
  });

  it('rejects MaxNumberOfMessages=11', async () => {
    const reply = await callQuery({ Action: 'ReceiveMessage', QueueUrl: queueUrl, MaxNumberOfMessages: '11' });
    expectXmlError(reply, 400, 'InvalidParameterValue');
  });

  it('rejects a list index that is not a number', async () => {
    const reply = await callQuery({ Action: 'GetQueueAttributes', QueueUrl: queueUrl, 'AttributeName.x': 'All' });
    const message = expectXmlError(reply, 400, 'InvalidParameterValue');
    expect(message).toContain('AttributeName.x');
  });

  it('rejects a list index of 0', async () => {
    const reply = await callQuery({ Action: 'GetQueueAttributes', QueueUrl: queueUrl, 'AttributeName.0': 'All' });
    expectXmlError(reply, 400, 'InvalidParameterValue');
  });

  it('rejects a map entry without its Value', async () => {
    const reply = await callQuery({
      Action: 'CreateQueue',
      QueueName: freshName('novalue'),
      'Attribute.1.Name': 'VisibilityTimeout',
    });
    const message = expectXmlError(reply, 400, 'MissingParameter');
    expect(message).toContain('Attribute.1.Value');
  });

  it('rejects a map entry without its Name', async () => {
    const reply = await callQuery({ Action: 'CreateQueue', QueueName: freshName('noname'), 'Attribute.1.Value': '5' });
    expectXmlError(reply, 400, 'MissingParameter');
  });

  it('rejects a scalar given as a list', async () => {
    const reply = await callQuery({ Action: 'PurgeQueue', 'QueueUrl.1': queueUrl });
    expectXmlError(reply, 400, 'InvalidParameterValue');
  });

  it('rejects a missing QueueUrl', async () => {
    const reply = await callQuery({ Action: 'SendMessage', MessageBody: 'hi' });
    const message = expectXmlError(reply, 400, 'MissingParameter');
    expect(message).toContain('QueueUrl');
  });

  it('answers AWS.SimpleQueueService.NonExistentQueue for an unknown queue', async () => {
    const missing = queueUrl.replace(/[^/]+$/, freshName('missing'));
    const reply = await callQuery({ Action: 'SendMessage', QueueUrl: missing, MessageBody: 'hi' });
    expectXmlError(reply, 400, 'AWS.SimpleQueueService.NonExistentQueue');
  });

  it('rejects an empty batch, sent as the SDKs send one, with EmptyBatchRequest', async () => {
    // The query serializers of the AWS SDKs write `Entries: []` as `SendMessageBatchRequestEntry=`.
    const reply = await callQuery({ Action: 'SendMessageBatch', QueueUrl: queueUrl, SendMessageBatchRequestEntry: '' });
    expectXmlError(reply, 400, 'AWS.SimpleQueueService.EmptyBatchRequest');
  });

  it('rejects a batch without any entry parameter as missing Entries', async () => {
    const reply = await callQuery({ Action: 'DeleteMessageBatch', QueueUrl: queueUrl });
    const message = expectXmlError(reply, 400, 'MissingParameter');
    expect(message).toContain('Entries');
  });

  it('rejects 11 batch entries', async () => {
    const params: Record<string, string> = { Action: 'ChangeMessageVisibilityBatch', QueueUrl: queueUrl };
    for (let i = 1; i <= 11; i++) {
      params[`ChangeMessageVisibilityBatchRequestEntry.${i}.Id`] = `e${i}`;
      params[`ChangeMessageVisibilityBatchRequestEntry.${i}.ReceiptHandle`] = 'x';
      params[`ChangeMessageVisibilityBatchRequestEntry.${i}.VisibilityTimeout`] = '1';
    }
    expectXmlError(await callQuery(params), 400, 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest');
  });

  it('rejects a bad BinaryValue', async () => {
    const reply = await callQuery({
      Action: 'SendMessage',
      QueueUrl: queueUrl,
      MessageBody: 'hi',
      'MessageAttribute.1.Name': 'b',
      'MessageAttribute.1.Value.DataType': 'Binary',
      'MessageAttribute.1.Value.BinaryValue': '***',
    });
    expectXmlError(reply, 400, 'InvalidParameterValue');
  });

  it('rejects an invalid character in MessageBody', async () => {
    const reply = await callQuery({ Action: 'SendMessage', QueueUrl: queueUrl, MessageBody: 'a\u0001b' });
    expectXmlError(reply, 400, 'InvalidMessageContents');
  });

  it('rejects a CreateQueue with an unknown attribute', async () => {
    const reply = await callQuery({
      Action: 'CreateQueue',
      QueueName: freshName('qattr'),
      'Attribute.1.Name': 'Colour',
      'Attribute.1.Value': 'blue',
    });
    expectXmlError(reply, 400, 'InvalidAttributeName');
  });
});

describe('query protocol: parameter names that are object keys', () => {
  it.each([
    ['__proto__.polluted', 'yes'],
    ['constructor.prototype.polluted', 'yes'],
    ['toString.polluted', 'yes'],
  ])('does not let %s reach a built-in object', async (key, value) => {
    const reply = await callQuery(`Action=ListQueues&${encodeURIComponent(key)}=${value}`);
    const polluted =
      Object.hasOwn(Object.prototype, 'polluted') || Object.hasOwn(Object.prototype.toString, 'polluted');
    // Undo any pollution so that one failure does not spread to the rest of the run.
    delete (Object.prototype as Record<string, unknown>).polluted;
    delete (Object.prototype.toString as unknown as Record<string, unknown>).polluted;
    expect({ status: reply.status, polluted }).toEqual({ status: 200, polluted: false });
  });
});

/** Names that are also properties of Object.prototype are ordinary names (once 500s and lost attributes). */
describe('names that shadow Object.prototype', () => {
  it('rejects a queue attribute named constructor with InvalidAttributeName (JSON)', async () => {
    const reply = await callJson('CreateQueue', { QueueName: freshName('ctor'), Attributes: { constructor: '1' } });
    expectJsonError(reply, 400, 'InvalidAttributeName', 'InvalidAttributeName');
  });

  it('rejects a queue attribute named toString with InvalidAttributeName (query)', async () => {
    const reply = await callQuery({
      Action: 'SetQueueAttributes',
      QueueUrl: queueUrl,
      'Attribute.1.Name': 'toString',
      'Attribute.1.Value': '1',
    });
    expectXmlError(reply, 400, 'InvalidAttributeName');
  });

  // `__proto__` is a valid SQS message attribute name; it must be stored like any other.
  it('keeps a message attribute named __proto__', async () => {
    const url = await createQueueJson(freshName('proto'));
    const attributes = '{"__proto__":{"DataType":"String","StringValue":"v"}}';
    const sent = await postJson(
      'AmazonSQS.SendMessage',
      `{"QueueUrl":${JSON.stringify(url)},"MessageBody":"hi","MessageAttributes":${attributes}}`,
    );
    expect(sent.status).toBe(200);
    const got = await callJson('ReceiveMessage', { QueueUrl: url, MessageAttributeNames: ['All'] });
    const messages = got.body.Messages as { MessageAttributes?: unknown }[];
    expect(messages[0]?.MessageAttributes).toEqual(JSON.parse(attributes));
  });
});

// ---------------------------------------------------------------- the queue URL as an endpoint

describe('query requests to a queue URL', () => {
  const pathOf = (url: string) => new URL(url).pathname;

  it.each(['GET', 'POST'])(
    '%s with no Action answers 404 <UnknownOperationException/>, as SQS does',
    async (method) => {
      for (const path of [pathOf(queueUrl), `${pathOf(queueUrl)}/`, '/000000000000/no-such-queue']) {
        const reply = await raw(method, path, method === 'POST' ? { 'Content-Type': FORM_TYPE } : {}, undefined);
        expect({ path, status: reply.status, text: reply.text }).toEqual({
          path,
          status: 404,
          text: '<UnknownOperationException/>',
        });
        expect(reply.headers.get('content-type')).toBe('text/xml');
        expect(reply.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
      }
    },
  );

  it.each([
    ['CreateQueue', { QueueName: 'on-a-queue-url' }],
    ['ListQueues', {}],
  ])('%s (an action of the service endpoint) is InvalidAction there', async (action, params) => {
    for (const method of ['GET', 'POST'] as const) {
      const reply = await callQuery({ Action: action, ...params }, { method, path: pathOf(queueUrl) });
      expect(expectXmlError(reply, 400, 'InvalidAction')).toBe(`The action ${action} is not valid for this endpoint.`);
    }
    // Nothing was created.
    const listed = await callQuery({ Action: 'ListQueues', QueueNamePrefix: 'on-a-queue-url' });
    expect(listed.text).not.toContain('<QueueUrl>');
  });

  it('GetQueueUrl works there, for any queue name', async () => {
    const other = await createQueueJson(freshName('other'));
    for (const method of ['GET', 'POST'] as const) {
      const reply = await callQuery(
        { Action: 'GetQueueUrl', QueueName: other.split('/').pop() as string },
        { method, path: pathOf(queueUrl) },
      );
      expect(reply.status).toBe(200);
      expect(reply.text).toContain(`<QueueUrl>${other}</QueueUrl>`);
    }
  });

  it('a queue action there acts on that queue, over GET and POST', async () => {
    const sent = await callQuery({ Action: 'SendMessage', MessageBody: 'by path' }, { path: pathOf(queueUrl) });
    expect(sent.status).toBe(200);
    const got = await callQuery(
      { Action: 'GetQueueAttributes', 'AttributeName.1': 'ApproximateNumberOfMessages' },
      { method: 'GET', path: pathOf(queueUrl) },
    );
    expect(got.status).toBe(200);
    expect(got.text).toMatch(/<Name>ApproximateNumberOfMessages<\/Name><Value>[1-9]\d*<\/Value>/);
  });
});

// ---------------------------------------------------------------- other routes

describe('non-SQS requests', () => {
  it.each([
    ['PUT', '/'],
    ['DELETE', '/'],
    ['GET', '/nonexistent'],
    ['GET', '/'],
    ['PATCH', '/000000000000/q'],
  ])('%s %s is a 404', async (method, path) => {
    const reply = await raw(method, path);
    expect(reply.status).toBe(404);
  });
});

// ---------------------------------------------------------------- afterwards

describe('after all of the above', () => {
  it('still creates, sends and receives over JSON', async () => {
    const url = await createQueueJson(freshName('after'));
    const sent = await callJson('SendMessage', { QueueUrl: url, MessageBody: 'still here' });
    expect(sent.status).toBe(200);
    const got = await callJson('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10 });
    expect(got.status).toBe(200);
    expect(got.body.Messages).toMatchObject([{ Body: 'still here', MessageId: sent.body.MessageId }]);
  });

  it('is healthy', async () => {
    const reply = await raw('GET', '/health');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toEqual({ status: 'ok', redis: 'up', pid: process.pid, version: VERSION });
  });
});
