const { SQS } = require('@aws-sdk/client-sqs');

const sqs = new SQS({}); // endpoint, region and credentials from the environment
// redsqs's own routes, plain HTTP (the package itself is an ES module; Jest runs CommonJS here).
const redsqs = async (route, body = {}) => {
  const res = await fetch(`${process.env.AWS_ENDPOINT_URL_SQS}/_redsqs/${route}`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`redsqs ${route}: ${res.status} ${await res.text()}`);
  return res.json();
};

afterEach(() => redsqs('reset')); // every test starts with no queues, on real time

test('redelivers an order whose visibility timeout ran out', async () => {
  const { QueueUrl } = await sqs.createQueue({ QueueName: 'orders' });
  await sqs.sendMessage({ QueueUrl, MessageBody: 'order 1' });
  const first = await sqs.receiveMessage({ QueueUrl, VisibilityTimeout: 300 });
  expect(first.Messages?.[0]?.Body).toBe('order 1');

  await redsqs('clock', { advanceMs: 300_000 }); // five minutes, at once
  const again = await sqs.receiveMessage({ QueueUrl, MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
  expect(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
});
