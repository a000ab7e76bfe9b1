/**
 * The one place that knows SQS error codes. Each entry gives the JSON-protocol shape name
 * (the part after `#` in `__type`), the legacy query-protocol code (also sent in the
 * `x-amzn-query-error` header so the SDKs pick the right exception class), the HTTP status
 * and the fault. Both protocol encoders render errors from this table only.
 */

export type Fault = 'Sender' | 'Receiver';

export interface ErrorSpec {
  /** JSON `__type` namespace. */
  readonly ns: string;
  /** Legacy query code; also the `x-amzn-query-error` code. */
  readonly queryCode: string;
  readonly status: number;
  readonly fault: Fault;
}

const SQS = 'com.amazonaws.sqs';
const CORAL = 'com.amazon.coral.service';

function sqs(queryCode: string, status = 400, fault: Fault = 'Sender'): ErrorSpec {
  return { ns: SQS, queryCode, status, fault };
}
function legacy(name: string, status = 400): ErrorSpec {
  return sqs(`AWS.SimpleQueueService.${name}`, status);
}
function coral(queryCode: string, status = 400, fault: Fault = 'Sender'): ErrorSpec {
  return { ns: CORAL, queryCode, status, fault };
}

export const ERRORS = {
  QueueDoesNotExist: sqs('AWS.SimpleQueueService.NonExistentQueue'),
  QueueNameExists: sqs('QueueAlreadyExists'),
  QueueDeletedRecently: legacy('QueueDeletedRecently'),
  InvalidAttributeName: sqs('InvalidAttributeName'),
  InvalidAttributeValue: sqs('InvalidAttributeValue'),
  InvalidMessageContents: sqs('InvalidMessageContents'),
  InvalidIdFormat: sqs('InvalidIdFormat'),
  ReceiptHandleIsInvalid: sqs('ReceiptHandleIsInvalid'),
  MessageNotInflight: legacy('MessageNotInflight'),
  PurgeQueueInProgress: legacy('PurgeQueueInProgress', 403),
  OverLimit: sqs('OverLimit', 403),
  TooManyEntriesInBatchRequest: legacy('TooManyEntriesInBatchRequest'),
  EmptyBatchRequest: legacy('EmptyBatchRequest'),
  BatchEntryIdsNotDistinct: legacy('BatchEntryIdsNotDistinct'),
  InvalidBatchEntryId: legacy('InvalidBatchEntryId'),
  BatchRequestTooLong: legacy('BatchRequestTooLong'),
  UnsupportedOperation: legacy('UnsupportedOperation'),
  ResourceNotFoundException: sqs('ResourceNotFoundException', 404),
  InvalidAddress: sqs('InvalidAddress', 404),
  InvalidSecurity: sqs('InvalidSecurity', 403),
  RequestThrottled: sqs('RequestThrottled'),
  InvalidParameterValueException: coral('InvalidParameterValue'),
  MissingRequiredParameterException: coral('MissingParameter'),
  AccessDeniedException: coral('AccessDenied', 403),
  UnknownOperationException: coral('InvalidAction'),
  SerializationException: coral('MalformedQueryString'),
  RequestEntityTooLarge: coral('RequestEntityTooLarge', 413),
  InternalFailure: coral('InternalFailure', 500, 'Receiver'),
  ServiceUnavailable: coral('ServiceUnavailable', 503, 'Receiver'),
  // Signature checks (auth/sigv4.ts): AWS's front end answers them, so their JSON types are coral's
  // (com.amazon.coral.service#..., as recorded by dynalite) and the query codes SQS's "Common
  // Errors" ones, with its statuses; SignatureDoesNotMatch is 403 as recorded against SQS.
  MissingAuthenticationTokenException: coral('MissingAuthenticationToken', 403),
  IncompleteSignatureException: coral('IncompleteSignature'),
  UnrecognizedClientException: coral('InvalidClientTokenId', 403),
  InvalidSignatureException: coral('SignatureDoesNotMatch', 403),
  RequestExpired: coral('RequestExpired'),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export class SqsError extends Error {
  readonly code: ErrorCode;
  readonly spec: ErrorSpec;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = code;
    this.code = code;
    this.spec = ERRORS[code];
  }
}

// Constructors for the messages SQS uses most; keeping the wording in one place keeps it consistent.

export const queueDoesNotExist = (): SqsError =>
  new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');

export const invalidParameter = (message: string): SqsError => new SqsError('InvalidParameterValueException', message);
/** Redis is down or does not answer: a 503 the SDKs retry. */
export const redisUnavailable = (): SqsError =>
  new SqsError('ServiceUnavailable', 'The service cannot reach its Redis; try again.');

export const invalidValue = (name: string, value: unknown, reason: string): SqsError =>
  invalidParameter(`Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`);

export const missingParameter = (name: string): SqsError =>
  new SqsError('MissingRequiredParameterException', `The request must contain the parameter ${name}.`);

export const invalidAttributeValue = (name: string, reason?: string): SqsError =>
  new SqsError(
    'InvalidAttributeValue',
    `Invalid value for the parameter ${name}.${reason ? ` Reason: ${reason}` : ''}`,
  );

export const invalidAttributeName = (name: string): SqsError =>
  new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
