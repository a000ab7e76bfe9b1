/**
 * The limits module and the range check: the numbers are SQS's (the reference table of
 * /work/shared/SQS-REFERENCE.md §1.3 and §1.7), and every message built from them reads, byte for
 * byte, as the literal it replaced.
 */
import { describe, expect, it } from 'vitest';
import { SqsError } from '../../src/errors.js';
import { checkFifoId } from '../../src/sqs/fifo.js';
import * as limits from '../../src/sqs/limits.js';
import {
  DELAY_SECONDS,
  LIST_RESULTS,
  MOVE_RATE,
  MOVE_TASK_RESULTS,
  type Range,
  RECEIVE_MESSAGES,
  VISIBILITY_SECONDS,
  WAIT_SECONDS,
} from '../../src/sqs/limits.js';
import { validatePermission } from '../../src/sqs/policy.js';
import { validateAttributes } from '../../src/sqs/queue-attributes.js';
import { parseQueueArn, validateQueueName } from '../../src/sqs/queue-names.js';
import { checkRange, inRange, parameterError, RANGE_REASONS } from '../../src/sqs/ranges.js';
import { parseRedrivePolicy } from '../../src/sqs/redrive.js';
import { validateTags } from '../../src/sqs/tags.js';

function thrown(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (err) {
    if (err instanceof SqsError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('did not throw');
}

describe('SQS limits', () => {
  it('are the numbers SQS documents', () => {
    expect({ ...limits }).toEqual({
      MAX_MESSAGE_SIZE: 1_048_576,
      MESSAGE_SIZE: { min: 1024, max: 1_048_576 },
      DELAY_SECONDS: { min: 0, max: 900 },
      RETENTION_SECONDS: { min: 60, max: 1_209_600 },
      VISIBILITY_SECONDS: { min: 0, max: 43_200 },
      WAIT_SECONDS: { min: 0, max: 20 },
      RECEIVE_MESSAGES: { min: 1, max: 10 },
      MAX_INFLIGHT_MESSAGES: 120_000,
      MAX_MESSAGE_ATTRIBUTES: 10,
      MAX_ATTRIBUTE_NAME_LENGTH: 256,
      MAX_ATTRIBUTE_TYPE_LENGTH: 256,
      NUMBER_ATTRIBUTE_MIN: -1e128,
      NUMBER_ATTRIBUTE_MAX: 1e126,
      MAX_FIFO_ID_LENGTH: 128,
      DEDUPLICATION_WINDOW_MS: 300_000,
      RECEIVE_ATTEMPT_WINDOW_MS: 300_000,
      MAX_BATCH_ENTRIES: 10,
      MAX_BATCH_ENTRY_ID_LENGTH: 80,
      MAX_QUEUE_NAME_LENGTH: 80,
      KMS_REUSE_SECONDS: { min: 60, max: 86_400 },
      MAX_KMS_KEY_ID_LENGTH: 2048,
      LIST_RESULTS: { min: 1, max: 1000 },
      PURGE_COOLDOWN_SECONDS: 60,
      DELETE_COOLDOWN_SECONDS: 60,
      MAX_TAGS: 50,
      MAX_TAG_KEY_LENGTH: 128,
      MAX_TAG_VALUE_LENGTH: 256,
      MAX_PERMISSION_LABEL_LENGTH: 80,
      MAX_PERMISSION_ACTIONS: 7,
      MAX_RECEIVE_COUNT: { min: 1, max: 1000 },
      MAX_REDRIVE_SOURCES: 10,
      MOVE_RATE: { min: 1, max: 500 },
      MOVE_TASK_RESULTS: { min: 1, max: 10 },
    });
  });
});

describe('checkRange', () => {
  const r: Range = { min: 1, max: 10 };
  const error = (value: number, range: Range) =>
    new SqsError('OverLimit', `${value} not in ${range.min}..${range.max}`);

  it('passes an absent value and the edges of the range', () => {
    for (const v of [undefined, 1, 5, 10]) expect(() => checkRange(v, r, error)).not.toThrow();
  });

  it('throws the given error, with the value and the range, outside it', () => {
    expect(thrown(() => checkRange(0, r, error))).toEqual({ code: 'OverLimit', message: '0 not in 1..10' });
    expect(thrown(() => checkRange(11, r, error))).toEqual({ code: 'OverLimit', message: '11 not in 1..10' });
  });

  it('counts only integers as in range', () => {
    for (const v of [1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(inRange(v, r)).toBe(false);
  });

  it('words each parameter as SQS does', () => {
    const message = (name: string, reason: (r: Range) => string, value: number, range: Range) =>
      thrown(() => checkRange(value, range, parameterError(name, reason)));
    const invalid = (message: string) => ({ code: 'InvalidParameterValueException', message });
    expect(message('MaxNumberOfMessages', RANGE_REASONS.betweenIfProvided, 11, RECEIVE_MESSAGES)).toEqual(
      invalid('Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.'),
    );
    expect(message('VisibilityTimeout', RANGE_REASONS.betweenIfProvided, 43_201, VISIBILITY_SECONDS)).toEqual(
      invalid(
        'Value 43201 for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.',
      ),
    );
    expect(message('WaitTimeSeconds', RANGE_REASONS.boundsIfProvided, 21, WAIT_SECONDS)).toEqual(
      invalid('Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.'),
    );
    expect(message('DelaySeconds', RANGE_REASONS.delaySeconds, 901, DELAY_SECONDS)).toEqual(
      invalid('Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.'),
    );
    expect(message('MaxResults', RANGE_REASONS.maxResults, 1001, LIST_RESULTS)).toEqual(
      invalid(
        'Value 1001 for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.',
      ),
    );
    expect(message('MaxResults', RANGE_REASONS.between, 11, MOVE_TASK_RESULTS)).toEqual(
      invalid('Value 11 for parameter MaxResults is invalid. Reason: Must be between 1 and 10.'),
    );
    expect(message('MaxNumberOfMessagesPerSecond', RANGE_REASONS.between, 501, MOVE_RATE)).toEqual(
      invalid('Value 501 for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500.'),
    );
  });
});

describe('integer queue attributes', () => {
  const bad = (name: string) => ({
    code: 'InvalidAttributeValue',
    message: `Invalid value for the parameter ${name}.`,
  });

  it('take decimal digits within their range', () => {
    expect(() =>
      validateAttributes(
        {
          DelaySeconds: '900',
          MaximumMessageSize: '1024',
          MessageRetentionPeriod: '1209600',
          ReceiveMessageWaitTimeSeconds: '020',
          VisibilityTimeout: '43200',
          KmsDataKeyReusePeriodSeconds: '86400',
        },
        false,
      ),
    ).not.toThrow();
  });

  it('refuse anything else with InvalidAttributeValue', () => {
    for (const [name, value] of [
      ['DelaySeconds', '901'],
      ['MaximumMessageSize', '1023'],
      ['MaximumMessageSize', '1048577'],
      ['MessageRetentionPeriod', '59'],
      ['ReceiveMessageWaitTimeSeconds', '-1'],
      ['VisibilityTimeout', '1e3'],
      ['VisibilityTimeout', ' 30'],
      ['VisibilityTimeout', '0x10'],
      ['VisibilityTimeout', ''],
      ['KmsDataKeyReusePeriodSeconds', '86401'],
    ] as const) {
      expect(thrown(() => validateAttributes({ [name]: value }, false))).toEqual(bad(name));
    }
  });
});

describe('messages built from the limits', () => {
  it('read as SQS words them', () => {
    expect(thrown(() => validateQueueName('a'.repeat(81))).message).toBe(
      'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
    );
    expect(thrown(() => checkFifoId('MessageGroupId', 'g'.repeat(129))).message).toBe(
      `Value ${'g'.repeat(129)} for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
    );
    expect(thrown(() => validateTags({ ['k'.repeat(129)]: 'v' })).message).toBe(
      `Tag key "${'k'.repeat(129)}" is invalid. Reason: must be 1 to 128 characters long.`,
    );
    expect(thrown(() => validateTags({ k: 'v'.repeat(257) })).message).toBe(
      'Tag value for key "k" is invalid. Reason: must be at most 256 characters long.',
    );
    expect(thrown(() => validatePermission('l'.repeat(81), ['123456789012'], ['SendMessage'])).message).toBe(
      `Value ${'l'.repeat(81)} for parameter Label is invalid. Reason: Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length`,
    );
    expect(thrown(() => validatePermission('l', ['123456789012'], Array(8).fill('SendMessage')))).toEqual({
      code: 'OverLimit',
      message: '8 actions were found, maximum allowed is 7.',
    });
    const policy = JSON.stringify({ deadLetterTargetArn: 'arn', maxReceiveCount: 1001 });
    expect(thrown(() => parseRedrivePolicy(policy)).message).toBe(
      `Value ${policy} for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: 1001, valid values are from 1 to 1000 both inclusive.`,
    );
  });

  it('keep the name lengths: 80 characters, `.fifo` included', () => {
    expect(() => validateQueueName('a'.repeat(80))).not.toThrow();
    expect(() => validateQueueName(`${'a'.repeat(75)}.fifo`)).not.toThrow();
    expect(() => validateQueueName(`${'a'.repeat(76)}.fifo`)).toThrow(SqsError);
    const arn = (name: string) => parseQueueArn(`arn:aws:sqs:r:123456789012:${name}`, 'r', '123456789012');
    expect(arn('a'.repeat(80))).toEqual({ account: '123456789012', name: 'a'.repeat(80) });
    expect(arn('a'.repeat(81))).toBeUndefined();
  });
});
