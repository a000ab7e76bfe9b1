import { describe, expect, it } from 'vitest';
import { ERRORS, type ErrorCode, SqsError } from '../../src/errors.js';
import { encodeJsonError, encodeXmlError } from '../../src/protocol/encode.js';

/**
 * The SQS API reference (JSON shape name -> legacy query code, HTTP status). Every catalogue entry
 * must be here, so adding an error means checking it against SQS.
 */
const REFERENCE: Record<ErrorCode, [string, number]> = {
  QueueDoesNotExist: ['AWS.SimpleQueueService.NonExistentQueue', 400],
  QueueNameExists: ['QueueAlreadyExists', 400],
  QueueDeletedRecently: ['AWS.SimpleQueueService.QueueDeletedRecently', 400],
  InvalidAttributeName: ['InvalidAttributeName', 400],
  InvalidAttributeValue: ['InvalidAttributeValue', 400],
  InvalidMessageContents: ['InvalidMessageContents', 400],
  InvalidIdFormat: ['InvalidIdFormat', 400],
  ReceiptHandleIsInvalid: ['ReceiptHandleIsInvalid', 400],
  MessageNotInflight: ['AWS.SimpleQueueService.MessageNotInflight', 400],
  PurgeQueueInProgress: ['AWS.SimpleQueueService.PurgeQueueInProgress', 403],
  OverLimit: ['OverLimit', 403],
  TooManyEntriesInBatchRequest: ['AWS.SimpleQueueService.TooManyEntriesInBatchRequest', 400],
  EmptyBatchRequest: ['AWS.SimpleQueueService.EmptyBatchRequest', 400],
  BatchEntryIdsNotDistinct: ['AWS.SimpleQueueService.BatchEntryIdsNotDistinct', 400],
  InvalidBatchEntryId: ['AWS.SimpleQueueService.InvalidBatchEntryId', 400],
  BatchRequestTooLong: ['AWS.SimpleQueueService.BatchRequestTooLong', 400],
  UnsupportedOperation: ['AWS.SimpleQueueService.UnsupportedOperation', 400],
  ResourceNotFoundException: ['ResourceNotFoundException', 404],
  InvalidAddress: ['InvalidAddress', 404],
  InvalidSecurity: ['InvalidSecurity', 403],
  RequestThrottled: ['RequestThrottled', 400],
  InvalidParameterValueException: ['InvalidParameterValue', 400],
  MissingRequiredParameterException: ['MissingParameter', 400],
  AccessDeniedException: ['AccessDenied', 403],
  UnknownOperationException: ['InvalidAction', 400],
  SerializationException: ['MalformedQueryString', 400],
  RequestEntityTooLarge: ['RequestEntityTooLarge', 413],
  InternalFailure: ['InternalFailure', 500],
  ServiceUnavailable: ['ServiceUnavailable', 503],
  // SQS API reference, "Common Errors": MissingAuthenticationToken 403, IncompleteSignature 400,
  // InvalidClientTokenId 403, RequestExpired 400; SignatureDoesNotMatch 403 as SQS answers it
  // (recorded in erlcloud/erlcloud#113 and celery/kombu#1937).
  MissingAuthenticationTokenException: ['MissingAuthenticationToken', 403],
  IncompleteSignatureException: ['IncompleteSignature', 400],
  UnrecognizedClientException: ['InvalidClientTokenId', 403],
  InvalidSignatureException: ['SignatureDoesNotMatch', 403],
  RequestExpired: ['RequestExpired', 400],
};

const codes = Object.keys(ERRORS) as ErrorCode[];

describe('error catalogue', () => {
  it('has a reference row for every entry and no extra rows', () => {
    expect(new Set(codes)).toEqual(new Set(Object.keys(REFERENCE)));
  });

  it.each(codes)('%s renders in the JSON protocol', (code) => {
    const [queryCode, status] = REFERENCE[code];
    const out = encodeJsonError(new SqsError(code, 'msg & <detail>'));
    expect(out.status).toBe(status);
    expect(out.contentType).toBe('application/x-amz-json-1.0');
    const body = JSON.parse(out.body) as { __type: string; message: string };
    expect(body.__type.split('#')[1]).toBe(code);
    expect(body.__type).toMatch(/^com\.amazon(aws\.sqs|\.coral\.service)#/);
    expect(body.message).toBe('msg & <detail>');
    const fault = status >= 500 ? 'Receiver' : 'Sender';
    expect(out.headers?.['x-amzn-query-error']).toBe(`${queryCode};${fault}`);
  });

  it.each(codes)('%s renders in the query protocol', (code) => {
    const [queryCode, status] = REFERENCE[code];
    const out = encodeXmlError(new SqsError(code, 'msg & <detail>'), 'req-1');
    expect(out.status).toBe(status);
    expect(out.body).toBe(
      '<?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error>' +
        `<Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${queryCode}</Code>` +
        '<Message>msg &amp; &lt;detail&gt;</Message><Detail/></Error><RequestId>req-1</RequestId></ErrorResponse>',
    );
  });
});
