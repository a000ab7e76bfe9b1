/**
 * The stored form of a message's immutable part: compact JSON with binary attribute values in
 * base64. Lua scripts never parse it; only this module does.
 */

import { dict } from '../dict.js';
import type { MessageAttributeMap, MessagePayload } from '../domain.js';

interface StoredAttribute {
  t: string;
  s?: string;
  b?: string;
}

interface StoredPayload {
  b: string;
  m: string;
  t: number;
  i: string;
  a?: Record<string, StoredAttribute>;
  ma?: string;
  x?: string;
  mx?: string;
  g?: string;
  d?: string;
  s?: string;
}

export function encodePayload(p: MessagePayload): string {
  const out: StoredPayload = { b: p.body, m: p.md5Body, t: p.sentTimestamp, i: p.senderId };
  if (p.attributes) {
    const a = dict<StoredAttribute>();
    for (const [name, v] of Object.entries(p.attributes)) {
      a[name] =
        v.BinaryValue !== undefined
          ? { t: v.DataType, b: v.BinaryValue.toString('base64') }
          : { t: v.DataType, s: v.StringValue ?? '' };
    }
    out.a = a;
    if (p.md5Attributes) out.ma = p.md5Attributes;
  }
  if (p.traceHeader !== undefined) {
    out.x = p.traceHeader;
    if (p.md5System) out.mx = p.md5System;
  }
  if (p.groupId !== undefined) out.g = p.groupId;
  if (p.dedupId !== undefined) out.d = p.dedupId;
  if (p.deadLetterSourceArn !== undefined) out.s = p.deadLetterSourceArn;
  return JSON.stringify(out);
}

export function decodePayload(text: string): MessagePayload {
  const s = JSON.parse(text) as StoredPayload;
  const p: MessagePayload = { body: s.b, md5Body: s.m, sentTimestamp: s.t, senderId: s.i };
  if (s.a) {
    const attributes: MessageAttributeMap = dict();
    for (const [name, v] of Object.entries(s.a)) {
      attributes[name] =
        v.b !== undefined
          ? { DataType: v.t, BinaryValue: Buffer.from(v.b, 'base64') }
          : { DataType: v.t, StringValue: v.s ?? '' };
    }
    p.attributes = attributes;
    if (s.ma) p.md5Attributes = s.ma;
  }
  if (s.x !== undefined) {
    p.traceHeader = s.x;
    if (s.mx) p.md5System = s.mx;
  }
  if (s.g !== undefined) p.groupId = s.g;
  if (s.d !== undefined) p.dedupId = s.d;
  if (s.s !== undefined) p.deadLetterSourceArn = s.s;
  return p;
}
