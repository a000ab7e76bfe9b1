/**
 * The SQS 2012-11-05 operations as shapes: input and output of every action, with the query
 * protocol's flattened element names. Facts from the botocore SQS service model (JSON names) and
 * the pre-JSON query model (flattened names).
 */
import type { ActionName } from '../actions/dispatch.js';
import { as, blob, bool, int, list, map, req, type StructShape, str, struct } from './shapes.js';

const queueUrl = req(str);

const messageAttributeValue = struct({
  StringValue: str,
  BinaryValue: blob,
  StringListValues: as('StringListValue', list(str)),
  BinaryListValues: as('BinaryListValue', list(blob)),
  DataType: req(str),
});
const messageAttributes = as('MessageAttribute', map(messageAttributeValue));
const messageSystemAttributes = as('MessageSystemAttribute', map(messageAttributeValue));
const attributes = as('Attribute', map(str));
const tags = (q: string) => as(q, map(str, 'Key'));
const batchError = as('BatchResultErrorEntry', list(struct({ Id: str, SenderFault: bool, Code: str, Message: str })));
const idOnly = (q: string) => as(q, list(struct({ Id: str })));
const sendResult = {
  MessageId: str,
  MD5OfMessageBody: str,
  MD5OfMessageAttributes: str,
  MD5OfMessageSystemAttributes: str,
  SequenceNumber: str,
};
const sendEntry = {
  MessageBody: req(str),
  DelaySeconds: int,
  MessageAttributes: messageAttributes,
  MessageSystemAttributes: messageSystemAttributes,
  MessageDeduplicationId: str,
  MessageGroupId: str,
};
const empty = struct({});

export interface Operation {
  readonly input: StructShape;
  readonly output: StructShape;
}

export const OPERATIONS = {
  CreateQueue: {
    input: struct({ QueueName: req(str), Attributes: attributes, tags: tags('Tag') }),
    output: struct({ QueueUrl: str }),
  },
  DeleteQueue: { input: struct({ QueueUrl: queueUrl }), output: empty },
  GetQueueUrl: {
    input: struct({ QueueName: req(str), QueueOwnerAWSAccountId: str }),
    output: struct({ QueueUrl: str }),
  },
  ListQueues: {
    input: struct({ QueueNamePrefix: str, NextToken: str, MaxResults: int }),
    output: struct({ QueueUrls: as('QueueUrl', list(str)), NextToken: str }),
  },
  GetQueueAttributes: {
    input: struct({ QueueUrl: queueUrl, AttributeNames: as('AttributeName', list(str)) }),
    output: struct({ Attributes: attributes }),
  },
  SetQueueAttributes: {
    input: struct({ QueueUrl: queueUrl, Attributes: { ...attributes, required: true } }),
    output: empty,
  },
  PurgeQueue: { input: struct({ QueueUrl: queueUrl }), output: empty },
  SendMessage: {
    input: struct({ QueueUrl: queueUrl, ...sendEntry }),
    output: struct(sendResult),
  },
  SendMessageBatch: {
    input: struct({
      QueueUrl: queueUrl,
      Entries: {
        q: 'SendMessageBatchRequestEntry',
        required: true,
        shape: list(struct({ Id: req(str), ...sendEntry })),
      },
    }),
    output: struct({
      Successful: as('SendMessageBatchResultEntry', list(struct({ Id: str, ...sendResult }))),
      Failed: batchError,
    }),
  },
  ReceiveMessage: {
    input: struct({
      QueueUrl: queueUrl,
      AttributeNames: as('AttributeName', list(str)),
      MessageSystemAttributeNames: as('MessageSystemAttributeName', list(str)),
      MessageAttributeNames: as('MessageAttributeName', list(str)),
      MaxNumberOfMessages: int,
      VisibilityTimeout: int,
      WaitTimeSeconds: int,
      ReceiveRequestAttemptId: str,
    }),
    output: struct({
      Messages: as(
        'Message',
        list(
          struct({
            MessageId: str,
            ReceiptHandle: str,
            MD5OfBody: str,
            Body: str,
            Attributes: attributes,
            MD5OfMessageAttributes: str,
            MessageAttributes: messageAttributes,
          }),
        ),
      ),
    }),
  },
  DeleteMessage: {
    input: struct({ QueueUrl: queueUrl, ReceiptHandle: req(str) }),
    output: empty,
  },
  DeleteMessageBatch: {
    input: struct({
      QueueUrl: queueUrl,
      Entries: {
        q: 'DeleteMessageBatchRequestEntry',
        required: true,
        shape: list(struct({ Id: req(str), ReceiptHandle: req(str) })),
      },
    }),
    output: struct({ Successful: idOnly('DeleteMessageBatchResultEntry'), Failed: batchError }),
  },
  ChangeMessageVisibility: {
    input: struct({ QueueUrl: queueUrl, ReceiptHandle: req(str), VisibilityTimeout: req(int) }),
    output: empty,
  },
  ChangeMessageVisibilityBatch: {
    input: struct({
      QueueUrl: queueUrl,
      Entries: {
        q: 'ChangeMessageVisibilityBatchRequestEntry',
        required: true,
        shape: list(struct({ Id: req(str), ReceiptHandle: req(str), VisibilityTimeout: int })),
      },
    }),
    output: struct({
      Successful: idOnly('ChangeMessageVisibilityBatchResultEntry'),
      Failed: batchError,
    }),
  },
  TagQueue: {
    input: struct({ QueueUrl: queueUrl, Tags: { ...tags('Tag'), required: true } }),
    output: empty,
  },
  UntagQueue: {
    input: struct({ QueueUrl: queueUrl, TagKeys: { q: 'TagKey', required: true, shape: list(str) } }),
    output: empty,
  },
  ListQueueTags: { input: struct({ QueueUrl: queueUrl }), output: struct({ Tags: tags('Tag') }) },
  AddPermission: {
    input: struct({
      QueueUrl: queueUrl,
      Label: req(str),
      AWSAccountIds: { q: 'AWSAccountId', required: true, shape: list(str) },
      Actions: { q: 'ActionName', required: true, shape: list(str) },
    }),
    output: empty,
  },
  RemovePermission: { input: struct({ QueueUrl: queueUrl, Label: req(str) }), output: empty },
  ListDeadLetterSourceQueues: {
    input: struct({ QueueUrl: queueUrl, NextToken: str, MaxResults: int }),
    output: struct({ queueUrls: as('QueueUrl', list(str)), NextToken: str }),
  },
  StartMessageMoveTask: {
    input: struct({ SourceArn: req(str), DestinationArn: str, MaxNumberOfMessagesPerSecond: int }),
    output: struct({ TaskHandle: str }),
  },
  CancelMessageMoveTask: {
    input: struct({ TaskHandle: req(str) }),
    output: struct({ ApproximateNumberOfMessagesMoved: int }),
  },
  ListMessageMoveTasks: {
    input: struct({ SourceArn: req(str), MaxResults: int }),
    output: struct({
      Results: as(
        'ListMessageMoveTasksResultEntry',
        list(
          struct({
            TaskHandle: str,
            Status: str,
            SourceArn: str,
            DestinationArn: str,
            MaxNumberOfMessagesPerSecond: int,
            ApproximateNumberOfMessagesMoved: int,
            ApproximateNumberOfMessagesToMove: int,
            FailureReason: str,
            StartedTimestamp: int,
          }),
        ),
      ),
    }),
  },
} as const satisfies Record<ActionName, Operation>;

export function isActionName(name: string): name is ActionName {
  return Object.hasOwn(OPERATIONS, name);
}
