import { SQS } from '@aws-sdk/client-sqs';
import { redsqsAt } from 'redsqs';
import { afterEach, expect, it } from 'vitest';

const sqs = new SQS({}); // endpoint, region and credentials from the environment
const redsqs = redsqsAt(process.env.AWS_ENDPOINT_URL_SQS);

afterEach(() => redsqs.reset()); // every test starts with no queues, on real time

it('redelivers an order whose visibility timeout ran out', async () => {
  const { QueueUrl } = await sqs.createQueue({ QueueName: 'orders' });
  await sqs.sendMessage({ QueueUrl, MessageBody: 'order 1' });
  const first = await sqs.receiveMessage({ QueueUrl, VisibilityTimeout: 300 });
  expect(first.Messages?.[0]?.Body).toBe('order 1');

  await redsqs.clock.advance(300_000); // five minutes, at once
  const again = await sqs.receiveMessage({ QueueUrl, MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
  expect(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
});
