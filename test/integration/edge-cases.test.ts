/** Edge cases found in review: idempotency after normalization, limits, hostile input sizes. */
import type { QueueAttributeName } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { errorOf, PROTOCOLS, sqsClient, uniqueName } from '../helpers/clients.js';
import { useTestService } from '../helpers/service.js';

const svc = useTestService();

describe.each(PROTOCOLS)('edge cases (%s)', (protocol) => {
  const sqs = () => sqsClient(protocol, svc().url);

  // FifoQueue=false is no longer among them: SQS refuses it on a standard queue as an unknown
  // attribute (recorded against SQS; see exactness-queues.test.ts).
  it('CreateQueue is idempotent for cleared policies and integers with leading zeros', async () => {
    const QueueName = uniqueName(`norm-${protocol}`);
    const Attributes = { Policy: '', VisibilityTimeout: '030' };
    const first = await sqs().createQueue({ QueueName, Attributes });
    const again = await sqs().createQueue({ QueueName, Attributes });
    expect(again.QueueUrl).toBe(first.QueueUrl);
    const got = await sqs().getQueueAttributes({ QueueUrl: first.QueueUrl, AttributeNames: ['All'] });
    expect(got.Attributes?.VisibilityTimeout).toBe('30');
    expect(got.Attributes?.Policy).toBeUndefined();
    const differs = await errorOf(() =>
      sqs().createQueue({ QueueName, Attributes: { Policy: JSON.stringify({ Statement: [] }) } }),
    );
    expect(differs.code).toBe('QueueNameExists');
  });

  it('rejects a Number attribute of hostile length quickly (no catastrophic backtracking)', async () => {
    const { QueueUrl } = await sqs().createQueue({ QueueName: uniqueName(`num-${protocol}`) });
    const err = await errorOf(() =>
      sqs().sendMessage({
        QueueUrl,
        MessageBody: 'x',
        MessageAttributes: { n: { DataType: 'Number', StringValue: `${'9'.repeat(200_000)}x` } },
      }),
    );
    expect(err.code).toBe('InvalidParameterValue');
  });

  it('limits a queue to 50 tags in total and refuses characters XML cannot carry', async () => {
    const { QueueUrl } = await sqs().createQueue({ QueueName: uniqueName(`tags-${protocol}`) });
    const tags = (from: number, n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${from + i}`, 'v']));
    await sqs().tagQueue({ QueueUrl, Tags: tags(0, 30) });
    await sqs().tagQueue({ QueueUrl, Tags: tags(20, 30) }); // 10 overwritten, 20 new: 50 in all
    const over = await errorOf(() => sqs().tagQueue({ QueueUrl, Tags: { one: 'more' } }));
    expect(over.code).toBe('InvalidParameterValue');
    expect(Object.keys((await sqs().listQueueTags({ QueueUrl })).Tags ?? {})).toHaveLength(50);
    const ctl = await errorOf(() => sqs().tagQueue({ QueueUrl, Tags: { k0: 'a\u0001b' } }));
    expect(ctl.code).toBe('InvalidParameterValue');
  });

  it('ignores queue attribute names in ReceiveMessage AttributeNames', async () => {
    const { QueueUrl } = await sqs().createQueue({ QueueName: uniqueName(`names-${protocol}`) });
    await sqs().sendMessage({ QueueUrl, MessageBody: 'x' });
    const got = await sqs().receiveMessage({
      QueueUrl,
      AttributeNames: ['SqsManagedSseEnabled', 'SentTimestamp'] as QueueAttributeName[],
    });
    expect(Object.keys(got.Messages?.[0]?.Attributes ?? {})).toEqual(['SentTimestamp']);
  });
});
