/**
 * Queue attributes: which exist, which can be set, their SQS ranges and defaults.
 * Values travel as strings, as on the wire.
 */
import { PolicyError, parsePolicy } from '../auth/policy-eval.js';
import type { QueueAttributes } from '../domain.js';
import { invalidAttributeName, invalidAttributeValue, SqsError } from '../errors.js';
import {
  DELAY_SECONDS,
  KMS_REUSE_SECONDS,
  MAX_KMS_KEY_ID_LENGTH,
  MAX_MESSAGE_SIZE,
  MESSAGE_SIZE,
  type Range,
  RETENTION_SECONDS,
  VISIBILITY_SECONDS,
  WAIT_SECONDS,
} from './limits.js';
import { hasInvalidCharacters } from './messages.js';
import { checkRange } from './ranges.js';

const oneOf =
  (...values: string[]) =>
  (v: string): boolean =>
    values.includes(v);
const isBool = oneOf('true', 'false');

/**
 * Why a queue Policy cannot be accepted, or undefined. SQS refuses a bad one with
 * InvalidAttributeValue "Invalid value for the parameter Policy." (hashicorp/terraform-provider-aws
 * #42209, cloud-custodian#1816); the reason added here says what redsqs refuses and why, notably a
 * condition it would otherwise have to ignore (auth/policy-eval.ts).
 */
function policyProblem(v: string): string | undefined {
  try {
    parsePolicy(v);
    return undefined;
  } catch (err) {
    if (err instanceof PolicyError) return err.message;
    throw err;
  }
}

interface AttributeRule {
  /** An integer attribute: its range (in decimal digits only). */
  range?: Range;
  valid?: (v: string) => boolean;
  /** A value's check that explains itself: why the value is refused, or undefined. */
  problem?: (v: string) => string | undefined;
  /** Only FIFO queues take it; how a standard queue refuses it (see fifoOnlyError). */
  fifoOnly?: 'unknown' | 'needs-fifo';
  reason?: string;
}

/** Attributes a client may set, with their rules. Policies get deeper checks in their own modules. */
const SETTABLE: Record<string, AttributeRule> = {
  DelaySeconds: { range: DELAY_SECONDS },
  MaximumMessageSize: { range: MESSAGE_SIZE },
  MessageRetentionPeriod: { range: RETENTION_SECONDS },
  ReceiveMessageWaitTimeSeconds: { range: WAIT_SECONDS },
  VisibilityTimeout: { range: VISIBILITY_SECONDS },
  Policy: { problem: policyProblem },
  // Checked in depth, with the queues they name, by actions/redrive-check.ts.
  RedrivePolicy: { valid: () => true },
  RedriveAllowPolicy: { valid: () => true },
  KmsMasterKeyId: { valid: (v) => v.length <= MAX_KMS_KEY_ID_LENGTH },
  KmsDataKeyReusePeriodSeconds: { range: KMS_REUSE_SECONDS },
  SqsManagedSseEnabled: { valid: isBool },
  FifoQueue: { valid: isBool, fifoOnly: 'unknown' },
  ContentBasedDeduplication: { valid: isBool, fifoOnly: 'unknown' },
  DeduplicationScope: { valid: oneOf('messageGroup', 'queue'), fifoOnly: 'needs-fifo' },
  FifoThroughputLimit: { valid: oneOf('perQueue', 'perMessageGroupId'), fifoOnly: 'needs-fifo' },
};

/** Optional attributes that an empty value removes. */
const CLEARABLE = new Set(['Policy', 'RedrivePolicy', 'RedriveAllowPolicy', 'KmsMasterKeyId']);

/**
 * Optional attributes that SQS drops when they are set to their default: GetQueueAttributes no
 * longer lists them (recorded against SQS: KmsMasterKeyId='' with KmsDataKeyReusePeriodSeconds=300
 * removes both; LocalStack's sqs/constants.py DELETE_IF_DEFAULT).
 */
const DROPPED_AT_DEFAULT = new Map([['KmsDataKeyReusePeriodSeconds', '300']]);

/**
 * A FIFO-only attribute on a standard queue: SQS calls FifoQueue and ContentBasedDeduplication
 * unknown, and says that the two high-throughput ones need a FIFO queue, in CreateQueue and
 * SetQueueAttributes alike (recorded against SQS; LocalStack's StandardQueue.validate_queue_attributes).
 */
function fifoOnlyError(name: string, kind: 'unknown' | 'needs-fifo'): SqsError {
  if (kind === 'unknown') return invalidAttributeName(name);
  return new SqsError('InvalidAttributeName', `You can specify the ${name} only when FifoQueue is set to true.`);
}

/** Attributes computed on read; GetQueueAttributes accepts their names. */
export const COMPUTED = [
  'QueueArn',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
] as const;

export const READABLE = new Set<string>([...Object.keys(SETTABLE), ...COMPUTED]);

export const STANDARD_DEFAULTS: QueueAttributes = {
  DelaySeconds: '0',
  MaximumMessageSize: String(MAX_MESSAGE_SIZE),
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
  VisibilityTimeout: '30',
  SqsManagedSseEnabled: 'true',
};

export const FIFO_DEFAULTS: QueueAttributes = {
  ...STANDARD_DEFAULTS,
  FifoQueue: 'true',
  ContentBasedDeduplication: 'false',
  DeduplicationScope: 'queue',
  FifoThroughputLimit: 'perQueue',
};

/**
 * Checks names and values of attributes given to CreateQueue or SetQueueAttributes (the type of
 * queue is known from its name before either). Throws the SQS error for the first bad attribute.
 */
export function validateAttributes(attrs: QueueAttributes, fifo: boolean): void {
  for (const [name, value] of Object.entries(attrs)) {
    const rule = Object.hasOwn(SETTABLE, name) ? SETTABLE[name] : undefined;
    if (!rule) throw invalidAttributeName(name);
    if (rule.fifoOnly && !fifo) throw fifoOnlyError(name, rule.fifoOnly);
    if (value === '' && CLEARABLE.has(name)) continue;
    if (hasInvalidCharacters(value))
      throw invalidAttributeValue(name, 'The value contains characters outside the allowed set.');
    if (rule.range) checkRange(integer(value), rule.range, () => invalidAttributeValue(name, rule.reason));
    else if (rule.valid && !rule.valid(value)) throw invalidAttributeValue(name, rule.reason);
    const problem = rule.problem?.(value);
    if (problem !== undefined) throw invalidAttributeValue(name, problem);
    // A FIFO queue takes FifoQueue=true again as a no-op; false would change its type, which SQS
    // refuses (recorded against SQS).
    if (name === 'FifoQueue' && value === 'false') {
      throw invalidAttributeValue(name, 'Modifying queue type is not supported.');
    }
  }
  const scope = attrs.DeduplicationScope;
  const limit = attrs.FifoThroughputLimit;
  if (limit === 'perMessageGroupId' && scope === 'queue') {
    throw invalidAttributeValue(
      'FifoThroughputLimit',
      'The perMessageGroupId value is allowed only when the value for DeduplicationScope is messageGroup.',
    );
  }
  // SQS names the conflict an InvalidAttributeName, in CreateQueue and SetQueueAttributes (recorded
  // against SQS; the wording as AWS-parity emulators such as serverless-aws-lambda's SQS reproduce it).
  if (attrs.KmsMasterKeyId && attrs.SqsManagedSseEnabled === 'true') {
    throw new SqsError(
      'InvalidAttributeName',
      'You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.',
    );
  }
}

/**
 * A queue has one kind of SSE at a time: a KMS key turns SQS-managed SSE off (recorded against
 * SQS), and turning SQS-managed SSE on drops the KMS key and its reuse period.
 */
export function withEncryptionSwitch(attrs: QueueAttributes): QueueAttributes {
  if (attrs.KmsMasterKeyId) return { ...attrs, SqsManagedSseEnabled: 'false' };
  if (attrs.SqsManagedSseEnabled === 'true') return { ...attrs, KmsMasterKeyId: '', KmsDataKeyReusePeriodSeconds: '' };
  return attrs;
}

/**
 * Resolves GetQueueAttributes' AttributeNames (`All` or a list) into the set to return. A standard
 * queue does not know FifoQueue and ContentBasedDeduplication: asked by name, they are
 * InvalidAttributeName, as in SetQueueAttributes (SQS, confirmed by AWS in aws/aws-sdk-ruby#1350).
 */
export function requestedAttributeNames(names: readonly string[], fifo: boolean): Set<string> {
  const out = new Set<string>();
  for (const n of names) {
    if (n === 'All') return new Set(READABLE);
    if (!READABLE.has(n) || (!fifo && SETTABLE[n]?.fifoOnly === 'unknown')) throw invalidAttributeName(n);
    out.add(n);
  }
  return out;
}

/** An attribute's value as an integer: decimal digits only (no sign, space, exponent or hex), else NaN. */
function integer(v: string): number {
  return /^\d+$/.test(v) ? Number(v) : Number.NaN;
}

const INTEGER_ATTRIBUTES = new Set(Object.keys(SETTABLE).filter((name) => SETTABLE[name]?.range));

/**
 * Validated attributes in the form they are stored and compared in: integers without leading
 * zeros, and '' (absent) for cleared optional attributes and for those set to their default.
 */
export function normalizeAttributes(attrs: QueueAttributes): QueueAttributes {
  const out: QueueAttributes = {};
  for (const [name, value] of Object.entries(attrs)) {
    const v = INTEGER_ATTRIBUTES.has(name) ? String(Number(value)) : value;
    out[name] = DROPPED_AT_DEFAULT.get(name) === v ? '' : v;
  }
  return out;
}
