/** What the action unit tests share: the calls they make through the fake store, and common errors. */
import type { QueueAttributeName } from '@aws-sdk/client-sqs';
import { createQueue } from '../../src/actions/create-queue.js';
import { getQueueAttributes } from '../../src/actions/get-queue-attributes.js';
import { receiveMessage } from '../../src/actions/receive-message.js';
import { sendMessage } from '../../src/actions/send-message.js';
import type { TestContext } from './action-context.js';

export type ReceiveInput = Parameters<typeof receiveMessage>[0];

export const QDNE = { code: 'QueueDoesNotExist', message: 'The specified queue does not exist.' };
export const invalid = (message: string) => ({ code: 'InvalidParameterValueException', message });
export const invalidAttribute = (name: string) => ({
  code: 'InvalidAttributeValue',
  message: `Invalid value for the parameter ${name}.`,
});
export const unknownAttribute = (name: string) => ({
  code: 'InvalidAttributeName',
  message: `Unknown Attribute ${name}.`,
});

/** AttributeNames as they come off the wire: any strings. */
export const wireNames = (names: string[]) => names as QueueAttributeName[];

/** A standard queue `q` and a FIFO queue `f.fifo`. */
export async function createTwoQueues(t: TestContext): Promise<void> {
  await createQueue({ QueueName: 'q' }, t.ctx);
  await createQueue({ QueueName: 'f.fifo', Attributes: { FifoQueue: 'true' } }, t.ctx);
}

/** Calls on the test context `t()` of the current test. */
export function actionCalls(t: () => TestContext) {
  return {
    create: (QueueName: string, Attributes?: Record<string, string>, tags?: Record<string, string>) =>
      createQueue({ QueueName, ...(Attributes ? { Attributes } : {}), ...(tags ? { tags } : {}) }, t().ctx),
    attributesOf: async (name: string, AttributeNames = ['All']) =>
      (await getQueueAttributes({ QueueUrl: t().url(name), AttributeNames: wireNames(AttributeNames) }, t().ctx))
        .Attributes ?? {},
    send: (MessageBody: string, queue = 'q', extra: object = {}) =>
      sendMessage({ QueueUrl: t().url(queue), MessageBody, ...extra }, t().ctx),
    receive: (input: Omit<ReceiveInput, 'QueueUrl'> = {}, queue = 'q') =>
      receiveMessage({ QueueUrl: t().url(queue), ...input }, t().ctx),
  };
}
