/**
 * The client-generations scenario through one AWS CLI: `aws sqs ... --output json` per step, the
 * output checked here, MD5s computed here from the SQS algorithm (not from src/). The same steps
 * as scenario.py: a standard and a FIFO queue, send/receive/delete with non-ASCII String, Number
 * and Binary attributes, redrive to a dead-letter queue and a message move task back.
 */
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { type AwsCli, clientEnv, MODELS_DIR, run } from './find-clients.js';

export const TEXT = 'héllo ✓ 日本';
/** Non-ASCII in the BMP and beyond it, XML's special characters, a tab and a CR LF. */
export const BODY = 'body héllo ✓ 日本 🎉 <tag a="1"> & \'quoted\' \ttab\r\nline';

const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex');

interface Attribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Buffer;
}

/** MD5OfMessageAttributes per the SQS documentation (names sorted, length-prefixed fields). */
export function md5OfAttributes(attributes: Record<string, Attribute>): string {
  const parts: Buffer[] = [];
  const prefixed = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, b);
  };
  for (const name of Object.keys(attributes).sort()) {
    const a = attributes[name] as Attribute;
    prefixed(Buffer.from(name));
    prefixed(Buffer.from(a.DataType));
    if (a.BinaryValue) {
      parts.push(Buffer.from([2]));
      prefixed(a.BinaryValue);
    } else {
      parts.push(Buffer.from([1]));
      prefixed(Buffer.from(a.StringValue ?? ''));
    }
  }
  return md5(Buffer.concat(parts));
}

interface Message {
  MessageId: string;
  ReceiptHandle: string;
  Body: string;
  MD5OfBody: string;
  MD5OfMessageAttributes?: string;
  Attributes?: Record<string, string>;
  MessageAttributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
}

export interface CliScenarioResult {
  checked: string[];
  calls: number;
}

export async function runCliScenario(cli: AwsCli, endpoint: string): Promise<CliScenarioResult> {
  const env = clientEnv(cli.moveTasksInModel ? {} : { AWS_DATA_PATH: MODELS_DIR });
  // v2 takes blobs as base64 (its default, made explicit); v1 has no such option and sends the
  // argument's UTF-8 bytes as they are. Both print blobs as base64.
  const global = ['--endpoint-url', endpoint, '--output', 'json', '--region', 'us-east-1'];
  if (cli.major >= 2) global.push('--cli-binary-format', 'base64');
  const binary =
    cli.major >= 2
      ? Buffer.concat([Buffer.from([0, 1, 127, 128, 255]), Buffer.from('✓ 日本')])
      : Buffer.from('bïnary ✓ 日本');
  const attributes: Record<string, Attribute> = {
    text: { DataType: 'String', StringValue: TEXT },
    count: { DataType: 'Number', StringValue: '-12.5e3' },
    blob: { DataType: 'Binary', BinaryValue: binary },
    label: { DataType: 'String.label', StringValue: '日本' },
  };
  const attributesArg = JSON.stringify(
    Object.fromEntries(
      Object.entries(attributes).map(([k, a]) => [
        k,
        a.BinaryValue
          ? { DataType: a.DataType, BinaryValue: cli.major >= 2 ? a.BinaryValue.toString('base64') : binary.toString() }
          : a,
      ]),
    ),
  );
  // As the CLI prints them back: blobs in base64.
  const printed = Object.fromEntries(
    Object.entries(attributes).map(([k, a]) => [
      k,
      a.BinaryValue ? { DataType: a.DataType, BinaryValue: a.BinaryValue.toString('base64') } : a,
    ]),
  );

  let calls = 0;
  const aws = async <T = Record<string, unknown>>(op: string, ...args: string[]): Promise<T> => {
    calls++;
    const r = await run(cli.command, [...global, 'sqs', op, ...args], env);
    if (r.code !== 0) throw new Error(`aws sqs ${op} ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
    try {
      return (r.stdout.trim() ? JSON.parse(r.stdout) : {}) as T;
    } catch {
      throw new Error(`aws sqs ${op} printed no JSON:\n${r.stdout}\n${r.stderr}`);
    }
  };
  const create = async (name: string, attrs?: Record<string, string>) =>
    (
      await aws<{ QueueUrl: string }>(
        'create-queue',
        '--queue-name',
        name,
        ...(attrs ? ['--attributes', JSON.stringify(attrs)] : []),
      )
    ).QueueUrl;
  const receive = async (url: string, ...extra: string[]) =>
    (
      await aws<{ Messages?: Message[] }>(
        'receive-message',
        '--queue-url',
        url,
        '--attribute-names',
        'All',
        '--message-attribute-names',
        'All',
        '--max-number-of-messages',
        '10',
        ...extra,
      )
    ).Messages ?? [];
  const queueAttributes = async (url: string, ...names: string[]) =>
    (
      await aws<{ Attributes: Record<string, string> }>(
        'get-queue-attributes',
        '--queue-url',
        url,
        '--attribute-names',
        ...names,
      )
    ).Attributes;
  const expectMessage = (m: Message | undefined, body: string, what: string) => {
    expect(m?.Body, `${what}: Body`).toBe(body);
    expect(m?.MD5OfBody, `${what}: MD5OfBody`).toBe(md5(Buffer.from(body)));
    expect(m?.MessageAttributes, `${what}: MessageAttributes`).toEqual(printed);
    expect(m?.MD5OfMessageAttributes, `${what}: MD5OfMessageAttributes`).toBe(md5OfAttributes(attributes));
  };

  const tag = `cli${cli.version.replace(/\W/g, '')}-${process.pid}-${Date.now() % 1e9}`;
  const checked: string[] = [];

  const standard = async () => {
    const url = await create(`${tag}-std`);
    const sent = await aws<{ MessageId: string; MD5OfMessageBody: string; MD5OfMessageAttributes: string }>(
      'send-message',
      '--queue-url',
      url,
      '--message-body',
      BODY,
      '--message-attributes',
      attributesArg,
    );
    expect(sent.MD5OfMessageBody, 'send-message MD5OfMessageBody').toBe(md5(Buffer.from(BODY)));
    expect(sent.MD5OfMessageAttributes, 'send-message MD5OfMessageAttributes').toBe(md5OfAttributes(attributes));
    const got = await receive(url);
    expect(got, 'standard receive').toHaveLength(1);
    expect(got[0]?.MessageId).toBe(sent.MessageId);
    expectMessage(got[0], BODY, 'standard receive');
    const system = got[0]?.Attributes ?? {};
    expect(Object.keys(system).sort(), 'system attributes with All').toEqual([
      'ApproximateFirstReceiveTimestamp',
      'ApproximateReceiveCount',
      'SenderId',
      'SentTimestamp',
    ]);
    expect(system.ApproximateReceiveCount).toBe('1');
    expect(system.SentTimestamp).toMatch(/^\d{13}$/);
    await aws('delete-message', '--queue-url', url, '--receipt-handle', got[0]?.ReceiptHandle as string);
    checked.push('standard: send/receive/delete, non-ASCII body and attributes, MD5s, system attributes');
  };

  const fifo = async () => {
    const url = await create(`${tag}-fifo.fifo`, { FifoQueue: 'true' });
    const body = `fifo ${BODY}`;
    const send = () =>
      aws<{ MessageId: string; SequenceNumber: string }>(
        'send-message',
        '--queue-url',
        url,
        '--message-body',
        body,
        '--message-attributes',
        attributesArg,
        '--message-group-id',
        'group-1',
        '--message-deduplication-id',
        'dedup-1',
      );
    const first = await send();
    expect(first.SequenceNumber, 'FIFO send-message SequenceNumber').toMatch(/^\d+$/);
    expect((await send()).MessageId, 'a duplicate send returns the first MessageId').toBe(first.MessageId);
    const got = await receive(url);
    expect(got, 'FIFO receive').toHaveLength(1);
    expectMessage(got[0], body, 'FIFO receive');
    expect(got[0]?.Attributes).toMatchObject({
      MessageGroupId: 'group-1',
      MessageDeduplicationId: 'dedup-1',
      SequenceNumber: first.SequenceNumber,
    });
    await aws('delete-message', '--queue-url', url, '--receipt-handle', got[0]?.ReceiptHandle as string);
    checked.push('FIFO: group and deduplication ids, SequenceNumber, deduplicated resend, delete');
    calls++;
    const missing = await run(cli.command, [...global, 'sqs', 'get-queue-url', '--queue-name', `${tag}-missing`], env);
    expect(missing.code, 'get-queue-url of a missing queue fails').not.toBe(0);
    expect(missing.stderr).toContain(
      '(AWS.SimpleQueueService.NonExistentQueue) when calling the GetQueueUrl operation',
    );
    checked.push('an error: QueueDoesNotExist');
  };

  const redrive = async () => {
    const dlq = await create(`${tag}-dlq`);
    const dlqArn = (await queueAttributes(dlq, 'QueueArn')).QueueArn as string;
    const src = await create(`${tag}-src`, {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }),
    });
    const srcArn = dlqArn.replace(/[^:]+$/, `${tag}-src`);
    const body = `poison ${BODY}`;
    const sent = await aws<{ MessageId: string }>(
      'send-message',
      '--queue-url',
      src,
      '--message-body',
      body,
      '--message-attributes',
      attributesArg,
    );
    expect(await receive(src, '--visibility-timeout', '0'), 'first receive from the source').toHaveLength(1);
    expect(await receive(src, '--visibility-timeout', '0'), 'second receive: moved to the DLQ').toEqual([]);
    const [sources, dead] = await Promise.all([
      aws<{ queueUrls?: string[] }>('list-dead-letter-source-queues', '--queue-url', dlq),
      receive(dlq, '--visibility-timeout', '0'),
    ]);
    expect(sources.queueUrls, 'list-dead-letter-source-queues').toEqual([src]);
    expect(dead[0]?.MessageId, 'the dead letter keeps its MessageId').toBe(sent.MessageId);
    expectMessage(dead[0], body, 'dead letter');
    expect(dead[0]?.Attributes?.DeadLetterQueueSourceArn).toBe(srcArn);
    checked.push('redrive after maxReceiveCount 1, list-dead-letter-source-queues, DeadLetterQueueSourceArn');

    const { TaskHandle } = await aws<{ TaskHandle?: string }>('start-message-move-task', '--source-arn', dlqArn);
    expect(TaskHandle, 'start-message-move-task TaskHandle').toBeTruthy();
    const deadline = Date.now() + 15_000;
    let task: Record<string, unknown> | undefined;
    for (;;) {
      const listed = await aws<{ Results?: Record<string, unknown>[] }>(
        'list-message-move-tasks',
        '--source-arn',
        dlqArn,
      );
      task = listed.Results?.[0];
      if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(String(task?.Status))) break;
      if (Date.now() > deadline) throw new Error(`the move task did not end in 15 s: ${JSON.stringify(listed)}`);
    }
    expect(task, 'list-message-move-tasks').toMatchObject({
      Status: 'COMPLETED',
      SourceArn: dlqArn,
      ApproximateNumberOfMessagesMoved: 1,
    });
    const back = await receive(src);
    expect(back, 'the message is back in the source').toHaveLength(1);
    expectMessage(back[0], body, 'moved message');
    expect(back[0]?.Attributes?.ApproximateReceiveCount, 'the moved message is a new message').toBe('1');
    checked.push('start-message-move-task back to the source, list-message-move-tasks COMPLETED, message intact');
  };

  // Independent flows, run side by side: each CLI call costs the CLI's start-up (0.4-0.6 s of CPU
  // here), so the run is as long as the redrive flow's chain of calls.
  // allSettled: a failed flow must not leave the others' CLI runs behind it.
  const failed = (await Promise.allSettled([redrive(), standard(), fifo()])).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return { checked, calls };
}
