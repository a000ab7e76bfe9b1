/**
 * Validation of what a sender gives us (body, message attributes, system attributes, delay),
 * and the payload stored for it, with its checksums computed once at send time.
 */

import { dict } from '../dict.js';
import type { MessageAttributeMap, MessageAttributeValue, MessagePayload } from '../domain.js';
import { invalidParameter, missingParameter, SqsError } from '../errors.js';
import {
  DELAY_SECONDS,
  MAX_ATTRIBUTE_NAME_LENGTH,
  MAX_ATTRIBUTE_TYPE_LENGTH,
  MAX_MESSAGE_ATTRIBUTES,
  NUMBER_ATTRIBUTE_MAX,
  NUMBER_ATTRIBUTE_MIN,
} from './limits.js';
import { md5Hex, md5OfAttributes } from './md5.js';
import { checkRange, parameterError, RANGE_REASONS } from './ranges.js';

/** DelaySeconds out of range (made once, not per message). */
const DELAY_SECONDS_ERROR = parameterError('DelaySeconds', RANGE_REASONS.delaySeconds);

/** Characters SQS accepts: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the SQS character set is defined by code points
const INVALID_CHAR = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const INVALID_CHARACTERS =
  'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF';
/**
 * Letters (accented ones too: SQS accepts a name like `attr.1øßä`), digits, `_`, `-` and `.`;
 * punctuation such as `§`, `!` or `?` is refused. At most MAX_ATTRIBUTE_NAME_LENGTH characters.
 */
const ATTRIBUTE_NAME = new RegExp(`^[\\p{L}\\p{Nd}_.-]{1,${MAX_ATTRIBUTE_NAME_LENGTH}}$`, 'u');
const DATA_TYPE = /^(String|Number|Binary)(\.[^\s]+)?$/;
// Linear-time: each digit run can be matched one way only (no nested or overlapping quantifiers).
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Longer than any number in SQS's range (-10^128..10^126) needs, with room for a fraction. */
const MAX_NUMBER_LENGTH = 512;

export function hasInvalidCharacters(s: string): boolean {
  return INVALID_CHAR.test(s);
}

export interface SendEntryInput {
  MessageBody?: string;
  DelaySeconds?: number;
  MessageAttributes?: Record<string, WireAttributeValue>;
  MessageSystemAttributes?: Record<string, WireAttributeValue>;
  MessageDeduplicationId?: string;
  MessageGroupId?: string;
}

export interface WireAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Buffer;
  StringListValues?: string[];
  BinaryListValues?: Buffer[];
}

function checkNumber(name: string, value: string): void {
  const n = Number(value);
  if (
    value.length > MAX_NUMBER_LENGTH ||
    !NUMBER.test(value) ||
    !Number.isFinite(n) ||
    n > NUMBER_ATTRIBUTE_MAX ||
    n < NUMBER_ATTRIBUTE_MIN
  ) {
    throw invalidParameter(`Can't cast the value of message (user) attribute '${name}' to a number.`);
  }
}

function attributeValue(name: string, v: WireAttributeValue, kind: string): MessageAttributeValue {
  if ((v.StringListValues?.length ?? 0) > 0 || (v.BinaryListValues?.length ?? 0) > 0) {
    throw invalidParameter(`Message ${kind} attribute list values are not supported.`);
  }
  const type = v.DataType;
  if (!type) {
    throw invalidParameter(`The message ${kind} attribute '${name}' must contain a non-empty attribute type.`);
  }
  const base = DATA_TYPE.exec(type)?.[1];
  if (!base || type.length > MAX_ATTRIBUTE_TYPE_LENGTH) {
    throw invalidParameter(
      `The type of message ${kind} attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
    );
  }
  if (base === 'Binary') return { DataType: type, BinaryValue: binaryValue(name, v, kind) };
  const value = stringValue(name, v, kind, base);
  if (base === 'Number') checkNumber(name, value);
  return { DataType: type, StringValue: value };
}

/** SQS: "Message (user) attribute 'a' must contain a non-empty value of type 'String'." */
function emptyValue(name: string, kind: string, base: string): SqsError {
  return invalidParameter(`Message ${kind} attribute '${name}' must contain a non-empty value of type '${base}'.`);
}

function binaryValue(name: string, v: WireAttributeValue, kind: string): Buffer {
  if (v.StringValue !== undefined) {
    throw invalidParameter(`The message ${kind} attribute '${name}' with type 'Binary' must use field 'Binary'.`);
  }
  if (!v.BinaryValue || v.BinaryValue.length === 0) throw emptyValue(name, kind, 'Binary');
  return v.BinaryValue;
}

function stringValue(name: string, v: WireAttributeValue, kind: string, base: string): string {
  if (v.BinaryValue !== undefined) {
    throw invalidParameter(`The message ${kind} attribute '${name}' with type '${base}' must use field 'String'.`);
  }
  if (v.StringValue === undefined || v.StringValue === '') throw emptyValue(name, kind, base);
  // The body's character rule, but InvalidParameterValue: InvalidMessageContents is the body's error alone.
  if (hasInvalidCharacters(v.StringValue)) throw invalidParameter(INVALID_CHARACTERS);
  return v.StringValue;
}

export function validateAttributeName(name: string): void {
  const lower = name.toLowerCase();
  if (
    !ATTRIBUTE_NAME.test(name) ||
    name.startsWith('.') ||
    name.endsWith('.') ||
    name.includes('..') ||
    lower.startsWith('aws.') ||
    lower.startsWith('amazon.')
  ) {
    throw invalidParameter(`Message (user) attribute name '${name}' is invalid.`);
  }
}

function userAttributes(wire: Record<string, WireAttributeValue>): MessageAttributeMap {
  const names = Object.keys(wire);
  if (names.length > MAX_MESSAGE_ATTRIBUTES) {
    throw invalidParameter(
      `Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`,
    );
  }
  const out: MessageAttributeMap = dict();
  for (const name of names) {
    validateAttributeName(name);
    out[name] = attributeValue(name, wire[name] as WireAttributeValue, '(user)');
  }
  return out;
}

function traceHeader(wire: Record<string, WireAttributeValue>): string | undefined {
  let header: string | undefined;
  for (const [name, v] of Object.entries(wire)) {
    if (name !== 'AWSTraceHeader') {
      throw invalidParameter(`Message system attribute name '${name}' is invalid.`);
    }
    const value = attributeValue(name, v, 'system');
    if (value.DataType !== 'String') {
      throw invalidParameter("The message system attribute 'AWSTraceHeader' must be of type 'String'.");
    }
    header = value.StringValue;
  }
  return header;
}

/** Bytes a message counts against MaximumMessageSize: body plus attribute names, types and values. */
export function messageSize(body: string, attributes: MessageAttributeMap | undefined): number {
  let size = Buffer.byteLength(body, 'utf8');
  for (const [name, a] of Object.entries(attributes ?? {})) {
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(a.DataType, 'utf8');
    size += a.BinaryValue ? a.BinaryValue.length : Buffer.byteLength(a.StringValue ?? '', 'utf8');
  }
  return size;
}

export interface ValidatedSend {
  payload: MessagePayload;
  delaySeconds?: number;
  size: number;
}

/** Checks one SendMessage (or batch entry) and builds its stored payload. */
export function buildPayload(entry: SendEntryInput, maxSize: number, senderId: string, now: number): ValidatedSend {
  const body = entry.MessageBody;
  if (body === undefined || body === '') throw missingParameter('MessageBody');
  if (hasInvalidCharacters(body)) throw new SqsError('InvalidMessageContents', INVALID_CHARACTERS);
  checkRange(entry.DelaySeconds, DELAY_SECONDS, DELAY_SECONDS_ERROR);
  const attributes = entry.MessageAttributes ? userAttributes(entry.MessageAttributes) : undefined;
  const trace = entry.MessageSystemAttributes ? traceHeader(entry.MessageSystemAttributes) : undefined;
  const size = messageSize(body, attributes);
  if (size > maxSize) {
    throw invalidParameter(
      `One or more parameters are invalid. Reason: Message must be shorter than ${maxSize} bytes.`,
    );
  }
  const payload: MessagePayload = { body, md5Body: md5Hex(body), senderId, sentTimestamp: now };
  if (attributes && Object.keys(attributes).length > 0) {
    payload.attributes = attributes;
    payload.md5Attributes = md5OfAttributes(attributes);
  }
  if (trace !== undefined) {
    payload.traceHeader = trace;
    payload.md5System = md5OfAttributes({ AWSTraceHeader: { DataType: 'String', StringValue: trace } });
  }
  if (entry.MessageGroupId !== undefined) payload.groupId = entry.MessageGroupId;
  return {
    payload,
    size,
    ...(entry.DelaySeconds !== undefined ? { delaySeconds: entry.DelaySeconds } : {}),
  };
}
