/**
 * The stored form of a message's immutable part: a line of compact JSON (everything but the body,
 * binary attribute values in base64), a newline, then the body as it is. The body is neither
 * escaped on the way in nor parsed on the way out (JSON-escaping a 1 KiB body cost about as much
 * as the rest of a send). JSON.stringify never writes a raw newline, so the first newline ends the
 * header. Payloads stored by earlier versions (one JSON object with the body in `b`, no raw
 * newline) are still read. Lua scripts never parse it; only this module does.
 */

import { dict } from '../dict.js';
import type { MessageAttributeMap, MessagePayload } from '../domain.js';

interface StoredAttribute {
  t: string;
  s?: string;
  b?: string;
}

interface StoredPayload {
  /** The body, in payloads of earlier versions only. */
  b?: string;
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
  const out: StoredPayload = { m: p.md5Body, t: p.sentTimestamp, i: p.senderId };
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
  return `${JSON.stringify(out)}\n${p.body}`;
}

export function decodePayload(text: string): MessagePayload {
  const newline = text.indexOf('\n');
  const s = JSON.parse(newline < 0 ? text : text.slice(0, newline)) as StoredPayload;
  const body = newline < 0 ? (s.b ?? '') : text.slice(newline + 1);
  const p: MessagePayload = { body, md5Body: s.m, sentTimestamp: s.t, senderId: s.i };
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
