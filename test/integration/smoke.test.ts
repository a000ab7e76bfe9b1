import { describe, expect, it } from 'vitest';
import { errorOf, PROTOCOLS, sqsClient } from '../helpers/clients.js';
import { useTestService } from '../helpers/service.js';

const svc = useTestService();

describe.each(PROTOCOLS)('smoke (%s)', (protocol) => {
  it('creates, sends, receives, deletes', async () => {
    const sqs = sqsClient(protocol, svc().url);
    const { QueueUrl } = await sqs.createQueue({ QueueName: `smoke-${protocol}` });
    const sent = await sqs.sendMessage({
      QueueUrl,
      MessageBody: 'hi',
      MessageAttributes: { timestamp: { DataType: 'Number', StringValue: '1493147359900' } },
    });
    expect(sent.MD5OfMessageAttributes).toBe('235c5c510d26fb653d073faed50ae77c');
    const got = await sqs.receiveMessage({ QueueUrl, MessageAttributeNames: ['All'] });
    expect(got.Messages?.[0]?.Body).toBe('hi');
    await sqs.deleteMessage({ QueueUrl, ReceiptHandle: got.Messages?.[0]?.ReceiptHandle });
    const err = await errorOf(() => sqs.getQueueUrl({ QueueName: 'nope' }));
    expect(err.code).toBe('QueueDoesNotExist');
  });
});
