// A Lambda SQS handler, as you would deploy it: report the messages that failed, keep the rest.
export const handler = async (event, context) => {
  const batchItemFailures = [];
  for (const record of event.Records) {
    const order = JSON.parse(record.body);
    if (!order.email) {
      console.log(`${context.functionName}: order ${order.id} has no email, will retry`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    console.log(`${context.functionName}: mailing ${order.email} about order ${order.id}`);
  }
  return { batchItemFailures };
};
