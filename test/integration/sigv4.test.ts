/**
 * Signature checks end to end, with credentials configured: both SDK generations (AWS JSON 1.0
 * and query) signing with the right key work, each as its key's account; a wrong secret, an
 * unknown key, an old date, a body or signed header changed after signing and an unsigned request
 * get AWS's error and status in both protocols; a presigned GET URL works until it expires on the
 * service's clock; the pollers sign and deliver; and no log line at debug holds a secret or a
 * signature.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQS } from '@aws-sdk/client-sqs';
import { Hash } from '@smithy/hash-node';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { SQS as QuerySQS } from 'client-sqs-query';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Credential } from '../../src/credentials.js';
import { createLogger } from '../../src/log.js';
import { startRedsqs } from '../../src/testing.js';
import { clientEnv, findBoto3s, run } from '../clients/find-clients.js';
import { errorOf, PROTOCOLS, type Protocol, uniqueName } from '../helpers/clients.js';
import { ALICE, BOB } from '../helpers/keys.js';
import { type RunningService, requireBuild, runToExit, startProcess, stopProcess } from '../helpers/process.js';
import { deleteKeysOf, startTestService, type TestService, useTestService } from '../helpers/service.js';

const CREDENTIALS = [ALICE, BOB];

type Tamper = (request: HttpRequest) => void;

interface ClientOptions {
  key?: Credential;
  secret?: string;
  keyId?: string;
  /** Changes the request after the SDK signed it, as a man in the middle would. */
  tamper?: Tamper;
  maxAttempts?: number;
  /** The SDK's signing clock is this far from the machine's (ms). */
  offsetMs?: number;
  region?: string;
}

/** An SDK client of either generation with the given key (ALICE's by default). */
function client(protocol: Protocol, url: string, o: ClientOptions = {}): SQS {
  const key = o.key ?? ALICE;
  const inner = new NodeHttpHandler();
  const tamper = o.tamper;
  const options = {
    endpoint: url,
    region: o.region ?? 'us-east-1',
    credentials: { accessKeyId: o.keyId ?? key.accessKeyId, secretAccessKey: o.secret ?? key.secretAccessKey },
    maxAttempts: o.maxAttempts ?? 1,
    ...(o.offsetMs !== undefined ? { systemClockOffset: o.offsetMs } : {}),
    ...(tamper
      ? {
          requestHandler: {
            handle: (request: HttpRequest, handlerOptions?: object) => {
              tamper(request);
              return inner.handle(request as Parameters<NodeHttpHandler['handle']>[0], handlerOptions);
            },
          } as unknown as NodeHttpHandler,
        }
      : {}),
  };
  return protocol === 'json' ? new SQS(options) : (new QuerySQS(options) as unknown as SQS);
}

/** A body change of the same length (so that Content-Length still holds). */
const swapInBody =
  (from: string, to: string): Tamper =>
  (request) => {
    const body = typeof request.body === 'string' ? request.body : Buffer.from(request.body).toString('utf8');
    expect(body).toContain(from);
    request.body = body.replace(from, to);
  };

const sha256 = Hash.bind(null, 'sha256');

/** A presigned GET URL for SendMessage, signed by the AWS SDK's signer. */
async function presignedSend(
  url: string,
  queueUrl: string,
  body: string,
  expiresIn: number,
  at: number,
  key = ALICE,
): Promise<string> {
  const { host, hostname, port } = new URL(url);
  const signer = new SignatureV4({ credentials: key, region: 'us-east-1', service: 'sqs', sha256 });
  const request: HttpRequest = {
    method: 'GET',
    protocol: 'http:',
    hostname,
    port: Number(port),
    path: '/',
    query: { Action: 'SendMessage', Version: '2012-11-05', QueueUrl: queueUrl, MessageBody: body },
    headers: { host },
  };
  const signed = await signer.presign(request, { expiresIn, signingDate: new Date(at) });
  const query = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  return `${url}/?${query}`;
}

describe.each(PROTOCOLS)('signed requests, %s protocol', (protocol) => {
  const svc = useTestService({ credentials: CREDENTIALS });
  let queueUrl: string;

  beforeAll(async () => {
    const sqs = client(protocol, svc().url);
    queueUrl = (await sqs.createQueue({ QueueName: uniqueName(`sig-${protocol}`) })).QueueUrl as string;
    sqs.destroy();
  });

  it("the right key works, as its key's account", async () => {
    const sqs = client(protocol, svc().url);
    expect(queueUrl).toContain('/111111111111/');
    await sqs.sendMessage({ QueueUrl: queueUrl, MessageBody: 'hello' });
    const { Messages } = await sqs.receiveMessage({ QueueUrl: queueUrl, WaitTimeSeconds: 1 });
    expect(Messages?.map((m) => m.Body)).toEqual(['hello']);
    await sqs.deleteMessage({ QueueUrl: queueUrl, ReceiptHandle: Messages?.[0]?.ReceiptHandle as string });
    // Bob's key is Bob's account: Alice's queue is not among his.
    const bob = client(protocol, svc().url, { key: BOB });
    const theirs = await bob.listQueues({});
    expect(theirs.QueueUrls ?? []).not.toContain(queueUrl);
    sqs.destroy();
    bob.destroy();
  });

  const refusals: [string, ClientOptions, string, number, RegExp?][] = [
    [
      'a wrong secret',
      { secret: 'not-the-secret' },
      'SignatureDoesNotMatch',
      403,
      /^The request signature we calculated/,
    ],
    ['an unknown key', { keyId: 'AKIANOBODY000000000' }, 'InvalidClientTokenId', 403, /security token included/],
    ['a date 20 minutes old', { offsetMs: -20 * 60_000 }, 'SignatureDoesNotMatch', 403, /^Signature expired: /],
    [
      'a scope of another region than REDSQS_REGION',
      { region: 'eu-west-1' },
      'SignatureDoesNotMatch',
      403,
      /^Credential should be scoped to a valid region, not 'eu-west-1'\.$/,
    ],
    ['a body changed after signing', { tamper: swapInBody('hello', 'HELLO') }, 'SignatureDoesNotMatch', 403],
    [
      'a signed header changed after signing',
      {
        tamper: (r) => {
          const date = r.headers['x-amz-date'] as string;
          r.headers['x-amz-date'] = date.replace(/\d(?=Z$)/, (d) => String((Number(d) + 1) % 10));
        },
      },
      'SignatureDoesNotMatch',
      403,
    ],
  ];
  it.each(refusals)('%s: %s', async (_what, options, code, status, message) => {
    const sqs = client(protocol, svc().url, options);
    const err = await errorOf(() => sqs.sendMessage({ QueueUrl: queueUrl, MessageBody: 'hello' }));
    sqs.destroy();
    expect([err.code, err.$metadata?.httpStatusCode]).toEqual([code, status]);
    if (message) expect(err.message).toMatch(message);
  });

  it('an unsigned request: MissingAuthenticationToken, 403', async () => {
    const res =
      protocol === 'json'
        ? await fetch(svc().url, {
            method: 'POST',
            headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' },
            body: '{}',
          })
        : await fetch(svc().url, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: 'Action=ListQueues&Version=2012-11-05',
          });
    expect(res.status).toBe(403);
    const text = await res.text();
    if (protocol === 'json') {
      expect(JSON.parse(text)).toEqual({
        __type: 'com.amazon.coral.service#MissingAuthenticationTokenException',
        message: 'Request is missing Authentication Token',
      });
      expect(res.headers.get('x-amzn-query-error')).toBe('MissingAuthenticationToken;Sender');
    } else {
      expect(text).toContain('<Type>Sender</Type><Code>MissingAuthenticationToken</Code>');
      expect(text).toContain('<Message>Request is missing Authentication Token</Message>');
    }
  });
});

describe('the JSON SDK, a changed target header', () => {
  const svc = useTestService({ credentials: CREDENTIALS });
  it('SignatureDoesNotMatch: the action cannot be swapped after signing', async () => {
    const sqs = client('json', svc().url, {
      tamper: (r) => {
        r.headers['x-amz-target'] = 'AmazonSQS.ListQueues';
      },
    });
    const err = await errorOf(() => sqs.getQueueUrl({ QueueName: 'x' }));
    sqs.destroy();
    expect([err.code, err.$metadata?.httpStatusCode]).toEqual(['SignatureDoesNotMatch', 403]);
  });
});

describe('dates on the service clock', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ credentials: CREDENTIALS });
  });
  afterAll(async () => {
    await svc?.close();
  });

  it('a presigned GET ?Action=SendMessage URL works, and is refused once it expired', async () => {
    const sqs = client('json', svc.url);
    const queueUrl = (await sqs.createQueue({ QueueName: uniqueName('presigned') })).QueueUrl as string;
    // Dated 58.5 s ago, for 60 s: good for 1.5 s more, on the service's clock and the machine's.
    const signedAt = Date.now() - 58_500;
    const url = await presignedSend(svc.url, queueUrl, 'sent by URL: ü & +', 60, signedAt);
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('<SendMessageResponse');
    const { Messages } = await sqs.receiveMessage({ QueueUrl: queueUrl, WaitTimeSeconds: 1 });
    expect(Messages?.map((m) => m.Body)).toEqual(['sent by URL: ü & +']);

    await new Promise((resolve) => setTimeout(resolve, signedAt + 60_000 + 200 - Date.now()));
    const late = await fetch(url);
    expect(late.status).toBe(400);
    const text = await late.text();
    expect(text).toContain('<Code>RequestExpired</Code>');
    expect(text).toContain('<Message>Request has expired.');
    sqs.destroy();
  });

  it('after the clock moves an hour: SDKs signing with the machine’s time still work, and so do dates on the service’s time, which presigned URLs expire by', async () => {
    await svc.service.clock.change({ advanceMs: 3_600_000 });
    const res = await fetch(`${svc.url}/?Action=ListQueues`);
    // The Date header is the service's time, which the SDKs may take their signing clock from.
    const ahead = svc.service.clock.clock.now() - Date.now();
    expect(ahead).toBeGreaterThanOrEqual(3_600_000);
    expect(Math.abs(Date.parse(res.headers.get('date') as string) - Date.now() - ahead)).toBeLessThan(2_000);
    // A client that signs with the machine's time and never corrects it (boto3, the CLI, the
    // pre-JSON SDK on a refusal) is not refused for its date: it is good by the machine's clock.
    for (const protocol of PROTOCOLS) {
      const once = client(protocol, svc.url);
      await once.listQueues({});
      once.destroy();
    }
    // A date 20 minutes off both clocks is refused, naming the service's time.
    const stale = client('json', svc.url, { offsetMs: -20 * 60_000 });
    const err = await errorOf(() => stale.listQueues({}));
    expect([err.code, err.$metadata?.httpStatusCode]).toEqual(['SignatureDoesNotMatch', 403]);
    expect(err.message).toMatch(/^Signature expired: /);
    stale.destroy();
    // Signed on the service's time: good by it; past its expiry on the service's clock, refused.
    const sqs = client('json', svc.url, { offsetMs: ahead });
    await sqs.listQueues({});
    const queueUrl = (await sqs.createQueue({ QueueName: uniqueName('presigned-moved') })).QueueUrl as string;
    const url = await presignedSend(svc.url, queueUrl, 'on the service clock', 60, svc.service.clock.clock.now());
    expect((await fetch(url)).status).toBe(200);
    await svc.service.clock.change({ advanceMs: 61_000 });
    const late = await fetch(url);
    expect(late.status).toBe(400);
    expect(await late.text()).toContain('<Code>RequestExpired</Code>');
    sqs.destroy();
  });
});

describe('pollers with credentials on (startRedsqs, credentials in the configuration file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redsqs-sigv4-'));
  const lines: string[] = [];
  let redsqs: Awaited<ReturnType<typeof startRedsqs>>;
  const fileKey: Credential = {
    accessKeyId: 'AKIAFILE00000000003',
    secretAccessKey: 'file-Secret/3+z',
    accountId: '000000000000',
  };

  beforeAll(async () => {
    writeFileSync(
      join(dir, 'record.mjs'),
      `export const bodies = [];\nexport const handler = async (event) => { for (const r of event.Records) bodies.push(r.body); };\n`,
    );
    writeFileSync(
      join(dir, 'redsqs.config.json'),
      JSON.stringify({
        queues: [{ QueueName: 'jobs' }],
        functions: [{ FunctionName: 'record', Handler: 'record.handler', Timeout: 3 }],
        eventSourceMappings: [{ FunctionName: 'record', QueueName: 'jobs', MaximumBatchingWindowInSeconds: 0 }],
        credentials: [fileKey],
      }),
    );
    redsqs = await startRedsqs({
      redisUrl: inject('redisUrl'),
      keyPrefix: `sigv4-${randomUUID().slice(0, 8)}`,
      pollerConfig: join(dir, 'redsqs.config.json'),
      credentials: [ALICE],
      log: createLogger('debug', { format: 'json', write: (line) => lines.push(line) }),
    });
  });
  afterAll(async () => {
    await redsqs?.reset();
    await redsqs?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const delivered = async (body: string): Promise<void> => {
    const { bodies } = (await import(join(dir, 'record.mjs'))) as { bodies: string[] };
    const end = Date.now() + 10_000;
    while (!bodies.includes(body)) {
      if (Date.now() > end) throw new Error(`the poller did not deliver ${body}; got ${JSON.stringify(bodies)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('the file key and the given key both work; the pollers sign as the service account and deliver', async () => {
    const sqs = client('json', redsqs.url, { key: fileKey });
    await sqs.sendMessage({ QueueUrl: redsqs.queueUrl('jobs'), MessageBody: 'first' });
    await delivered('first');
    const alice = client('query', redsqs.url, { key: ALICE });
    expect((await alice.listQueues({})).QueueUrls ?? []).toEqual([]);
    sqs.destroy();
    alice.destroy();
  });

  it('the pollers keep signing on the service clock after it moved two hours (its Date header)', async () => {
    const from = lines.length;
    await redsqs.clock.advance(2 * 3_600_000);
    const sqs = client('json', redsqs.url, { key: fileKey, offsetMs: redsqs.clock.now() - Date.now() });
    await sqs.sendMessage({ QueueUrl: redsqs.queueUrl('jobs'), MessageBody: 'after the move' });
    await delivered('after the move');
    await sqs.sendMessage({ QueueUrl: redsqs.queueUrl('jobs'), MessageBody: 'and another' });
    await delivered('and another');
    // Both deleted by the poller: its receives and deletes after the move went through.
    const end = Date.now() + 10_000;
    for (;;) {
      const { Attributes: a } = await sqs.getQueueAttributes({
        QueueUrl: redsqs.queueUrl('jobs'),
        AttributeNames: ['All'],
      });
      if (a?.ApproximateNumberOfMessages === '0' && a.ApproximateNumberOfMessagesNotVisible === '0') break;
      if (Date.now() > end) throw new Error(`messages left: ${JSON.stringify(a)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    sqs.destroy();
    // Not one of their requests was refused for its date (no try spent on catching up).
    expect(lines.slice(from).filter((l) => l.includes('"status":403'))).toEqual([]);
  });

  it('no log line at debug holds a secret or a signature, good and bad requests alike', async () => {
    const signatures: string[] = [];
    const grab: Tamper = (r) => {
      const m = /Signature=([0-9a-f]{64})/.exec(String(r.headers.authorization));
      if (m) signatures.push(m[1] as string);
    };
    const offsetMs = redsqs.clock.now() - Date.now();
    const good = client('json', redsqs.url, { key: fileKey, offsetMs, tamper: grab });
    await good.listQueues({});
    const wrong = client('query', redsqs.url, { key: ALICE, secret: 'wrong-Secret/9', offsetMs, tamper: grab });
    await errorOf(() => wrong.listQueues({}));
    const late = client('json', redsqs.url, { key: ALICE, offsetMs: offsetMs - 3_600_000, tamper: grab });
    await errorOf(() => late.listQueues({}));
    const url = await presignedSend(redsqs.url, redsqs.queueUrl('jobs'), 'x', 60, redsqs.clock.now(), fileKey);
    signatures.push(new URL(url).searchParams.get('X-Amz-Signature') as string);
    expect((await fetch(url)).status).toBe(200);
    good.destroy();
    wrong.destroy();
    late.destroy();
    expect(signatures).toHaveLength(4);
    const log = lines.join('');
    // Each request has its debug entry: two accepted, two refused.
    expect(log.match(/"level":"debug".*"status":200/g)?.length).toBeGreaterThanOrEqual(2);
    expect(log.match(/"level":"debug".*"status":403/g)?.length).toBeGreaterThanOrEqual(2);
    for (const secret of [ALICE.secretAccessKey, fileKey.secretAccessKey, 'wrong-Secret/9', ...signatures]) {
      expect(log).not.toContain(secret);
    }
    expect(log).toContain('Signature expired');
  });
});

describe('the redsqs process: REDSQS_CREDENTIALS with the configuration file, LOG_LEVEL=debug', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redsqs-sigv4-process-'));
  const prefix = `sigv4p-${randomUUID().slice(0, 8)}`;
  const fileKey: Credential = {
    accessKeyId: 'AKIAPROC00000000004',
    secretAccessKey: 'proc-Secret/4+w',
    accountId: '000000000000',
  };
  const envValue = (c: Credential) => `${c.accessKeyId}:${c.secretAccessKey}:${c.accountId}`;
  const running: RunningService[] = [];
  const withFile = join(dir, 'with-credentials.json');
  const withoutFile = join(dir, 'without-credentials.json');

  beforeAll(() => {
    requireBuild();
    writeFileSync(
      join(dir, 'echo.mjs'),
      "export const handler = async (e) => console.log('got %s', e.Records[0].body);\n",
    );
    const base = {
      queues: [{ QueueName: 'proc-q' }],
      functions: [{ FunctionName: 'echo', Handler: 'echo.handler', Timeout: 3 }],
      eventSourceMappings: [{ FunctionName: 'echo', QueueName: 'proc-q' }],
    };
    writeFileSync(withFile, JSON.stringify({ ...base, credentials: [fileKey] }));
    writeFileSync(withoutFile, JSON.stringify(base));
  });
  afterAll(async () => {
    await Promise.all(running.map((r) => stopProcess(r.child)));
    const redis = new Redis(inject('redisUrl'));
    await deleteKeysOf(redis, prefix);
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(args: string[]): Promise<RunningService> {
    const r = await startProcess(
      {
        REDIS_URL: inject('redisUrl'),
        REDSQS_KEY_PREFIX: prefix,
        REDSQS_CREDENTIALS: envValue(ALICE),
        LOG_LEVEL: 'debug',
        REDSQS_LOG_FORMAT: 'json',
      },
      ['--config', withFile, ...args],
    );
    running.push(r);
    await until(r, /ready in \d+ ms/);
    return r;
  }

  async function until(r: RunningService, pattern: RegExp): Promise<void> {
    const end = Date.now() + 15_000;
    while (!pattern.test(r.output())) {
      if (Date.now() > end) throw new Error(`no ${pattern} in:\n${r.output()}`);
      await new Promise((done) => setTimeout(done, 25));
    }
  }

  it('both keys work, the pollers deliver, and no line holds a secret or a signature', async () => {
    const r = await start([]);
    const signatures: string[] = [];
    const grab: Tamper = (req) => {
      const m = /Signature=([0-9a-f]{64})/.exec(String(req.headers.authorization));
      if (m) signatures.push(m[1] as string);
    };
    const file = client('query', r.url, { key: fileKey, tamper: grab });
    await file.sendMessage({ QueueUrl: `${r.url}/000000000000/proc-q`, MessageBody: 'first' });
    await until(r, /got first/);
    const alice = client('json', r.url, { tamper: grab });
    await alice.createQueue({ QueueName: 'alices' });
    const wrong = client('json', r.url, { secret: 'wrong-Secret/5', tamper: grab });
    expect((await errorOf(() => wrong.listQueues({}))).code).toBe('SignatureDoesNotMatch');
    const url = await presignedSend(r.url, `${r.url}/000000000000/proc-q`, 'by URL', 60, Date.now(), fileKey);
    signatures.push(new URL(url).searchParams.get('X-Amz-Signature') as string);
    expect((await fetch(url)).status).toBe(200);
    await until(r, /got by URL/);
    for (const c of [file, alice, wrong]) c.destroy();
    expect(signatures.length).toBeGreaterThanOrEqual(4);
    const out = r.output();
    expect(out).toContain('"level":"debug"');
    for (const secret of [ALICE.secretAccessKey, fileKey.secretAccessKey, 'wrong-Secret/5', ...signatures]) {
      expect(out).not.toContain(secret);
    }
    // The next test's pollers poll the same queue.
    await stopProcess(r.child);
  });

  it('with --workers 2 the workers accept the keys of the configuration file too', async () => {
    const r = await start(['--workers', '2']);
    const file = client('json', r.url, { key: fileKey });
    for (let i = 0; i < 4; i++) await file.listQueues({});
    await file.sendMessage({ QueueUrl: `${r.url}/000000000000/proc-q`, MessageBody: 'via a worker' });
    await until(r, /got via a worker/);
    file.destroy();
  });

  it('a key both in REDSQS_CREDENTIALS and in the file, or pollers without a key of the account: exit 2', async () => {
    const env = { REDIS_URL: inject('redisUrl'), REDSQS_KEY_PREFIX: prefix, PORT: '0' };
    const both = await runToExit({ ...env, REDSQS_CREDENTIALS: envValue(fileKey) }, ['--config', withFile]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain(`access key ${fileKey.accessKeyId} is in both REDSQS_CREDENTIALS and ${withFile}`);
    expect(both.stderr).not.toContain(fileKey.secretAccessKey);
    const noKey = await runToExit({ ...env, REDSQS_CREDENTIALS: envValue(ALICE) }, ['--config', withoutFile]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('The pollers sign their requests with a key of account 000000000000');
  });
});

/** boto3 with the right key (it lists) and with a wrong secret (the error code it shows). */
const BOTO3_CHECK = `
import sys, boto3, botocore.exceptions
def sqs(secret):
    return boto3.client('sqs', endpoint_url=sys.argv[1], region_name='us-east-1',
                        aws_access_key_id=sys.argv[2], aws_secret_access_key=secret)
sqs(sys.argv[3]).create_queue(QueueName='boto3-signed')
try:
    sqs('wrong').list_queues()
    print('accepted')
except botocore.exceptions.ClientError as e:
    print(e.response['Error']['Code'], e.response['ResponseMetadata']['HTTPStatusCode'])
`;

describe('boto3 with credentials on', async () => {
  const svc = useTestService({ credentials: CREDENTIALS });
  const boto3s = await findBoto3s();
  it('a boto3 is installed here (scripts/setup.sh installs one)', () => {
    expect(boto3s.length).toBeGreaterThan(0);
  });
  for (const b of boto3s) {
    it(`boto3 ${b.boto3} (${b.protocol}): signs right, and a wrong secret is SignatureDoesNotMatch 403`, async () => {
      const r = await run(
        b.command,
        ['-c', BOTO3_CHECK, svc().url, ALICE.accessKeyId, ALICE.secretAccessKey],
        clientEnv(),
      );
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('SignatureDoesNotMatch 403');
    });
  }
});
