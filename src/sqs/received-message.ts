/** A received message as the API returns it: system attributes and message attributes as asked. */
import type { Message, MessageAttributeValue as WireValue } from '@aws-sdk/client-sqs';
import { dict } from '../dict.js';
import type { MessageAttributeMap, QueueRef, StoredReceipt } from '../domain.js';
import { formatSequenceNumber } from './fifo.js';
import { md5OfAttributes } from './md5.js';
import { encodeReceiptHandle } from './receipt-handle.js';

export const SYSTEM_ATTRIBUTES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SequenceNumber',
  'MessageDeduplicationId',
  'MessageGroupId',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
] as const;

const KNOWN = new Set<string>(SYSTEM_ATTRIBUTES);

/**
 * Resolves AttributeNames / MessageSystemAttributeNames (with `All`) into the set to return.
 * The SDKs type AttributeNames as queue attribute names, and SQS models no InvalidAttributeName
 * for ReceiveMessage: names that are not message system attributes are ignored.
 */
export function checkSystemAttributeNames(names: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const n of names) {
    if (n === 'All') return new Set(SYSTEM_ATTRIBUTES);
    if (KNOWN.has(n)) out.add(n);
  }
  return out;
}

/**
 * MessageAttributeNames: `All`, `.*` or `*` selects every attribute, `prefix.*` those whose names start
 * with the prefix (`Hel.*` selects `Hello` and `Help.Me`), any other entry the attribute of that name.
 */
function selectAttributes(all: MessageAttributeMap, names: readonly string[]): MessageAttributeMap {
  if (names.some((n) => n === 'All' || n === '.*' || n === '*')) return all;
  const prefixes = names.filter((n) => n.endsWith('.*')).map((n) => n.slice(0, -2));
  const out: MessageAttributeMap = dict();
  for (const [name, value] of Object.entries(all)) {
    if (names.includes(name) || prefixes.some((p) => name.startsWith(p))) out[name] = value;
  }
  return out;
}

export function buildReceivedMessage(
  q: QueueRef,
  m: StoredReceipt,
  systemNames: ReadonlySet<string>,
  attributeNames: readonly string[],
): Message {
  const p = m.payload;
  const out: Message = {
    MessageId: m.id,
    ReceiptHandle: encodeReceiptHandle(q, m.id, m.token),
    MD5OfBody: p.md5Body,
    Body: p.body,
  };
  if (systemNames.size > 0) {
    const values: Record<string, string | undefined> = {
      SenderId: p.senderId,
      SentTimestamp: String(p.sentTimestamp),
      ApproximateReceiveCount: String(m.receiveCount),
      ApproximateFirstReceiveTimestamp: String(m.firstReceiveTimestamp),
      SequenceNumber: q.name.endsWith('.fifo') && m.sequenceNumber ? formatSequenceNumber(m.sequenceNumber) : undefined,
      MessageDeduplicationId: p.dedupId,
      MessageGroupId: p.groupId,
      AWSTraceHeader: p.traceHeader,
      DeadLetterQueueSourceArn: p.deadLetterSourceArn,
    };
    const Attributes: Record<string, string> = {};
    for (const name of systemNames) {
      const v = values[name];
      if (v !== undefined) Attributes[name] = v;
    }
    out.Attributes = Attributes;
  }
  // SQS returns MessageAttributes and MD5OfMessageAttributes only for the attributes asked for:
  // none asked (or none matching), neither member.
  const selected = p.attributes ? selectAttributes(p.attributes, attributeNames) : {};
  const count = Object.keys(selected).length;
  if (count > 0) {
    out.MessageAttributes = selected as Record<string, WireValue>;
    // The checksum covers what is returned, so SDKs that verify it (Java, .NET) agree.
    out.MD5OfMessageAttributes =
      count === Object.keys(p.attributes ?? {}).length ? p.md5Attributes : md5OfAttributes(selected);
  }
  return out;
}
