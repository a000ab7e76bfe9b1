/**
 * Output object -> wire. Both encoders walk the same output shape; errors are rendered here too,
 * from the catalogue in errors.ts, so the two protocols cannot drift apart.
 */

import { dict } from '../dict.js';
import type { SqsError } from '../errors.js';
import type { Shape, StructShape } from './shapes.js';

export const XML_NS = 'http://queue.amazonaws.com/doc/2012-11-05/';

export interface WireResponse {
  status: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

// ---------------------------------------------------------------- JSON

function toJson(shape: Shape, v: unknown): unknown {
  switch (shape.t) {
    case 'blob':
      return Buffer.isBuffer(v) ? v.toString('base64') : v;
    case 'list':
      return (v as unknown[]).map((item) => toJson(shape.member, item));
    case 'map': {
      const out = dict<unknown>();
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
        out[k] = toJson(shape.value, item);
      }
      return out;
    }
    case 'struct': {
      const src = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [name, m] of Object.entries(shape.members)) {
        const item = src[name];
        if (item !== undefined && item !== null) out[name] = toJson(m.shape, item);
      }
      return out;
    }
    default:
      return v;
  }
}

export function encodeJsonOutput(shape: StructShape, output: object): WireResponse {
  return {
    status: 200,
    contentType: 'application/x-amz-json-1.0',
    body: JSON.stringify(toJson(shape, output)),
  };
}

export function encodeJsonError(err: SqsError): WireResponse {
  return {
    status: err.spec.status,
    contentType: 'application/x-amz-json-1.0',
    body: JSON.stringify({ __type: `${err.spec.ns}#${err.code}`, message: err.message }),
    headers: { 'x-amzn-query-error': `${err.spec.queryCode};${err.spec.fault}` },
  };
}

// ---------------------------------------------------------------- XML

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#xD;',
};

/** Escapes text for XML; `\r` is written as a character reference so parsers keep it. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"'\r]/g, (c) => XML_ESCAPES[c] as string);
}

function scalarXml(shape: Shape, v: unknown): string {
  if (shape.t === 'blob' && Buffer.isBuffer(v)) return v.toString('base64');
  return escapeXml(String(v));
}

/** Writes `v` as the content of element(s) named `name`; lists and maps are flattened. */
function toXml(shape: Shape, name: string, v: unknown, out: string[]): void {
  switch (shape.t) {
    case 'list':
      for (const item of v as unknown[]) toXml(shape.member, name, item, out);
      return;
    case 'map':
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
        out.push(`<${name}><${shape.k}>${escapeXml(k)}</${shape.k}>`);
        toXml(shape.value, 'Value', item, out);
        out.push(`</${name}>`);
      }
      return;
    case 'struct':
      out.push(`<${name}>`);
      structXml(shape, v as Record<string, unknown>, out);
      out.push(`</${name}>`);
      return;
    default:
      out.push(`<${name}>${scalarXml(shape, v)}</${name}>`);
  }
}

function structXml(shape: StructShape, src: Record<string, unknown>, out: string[]): void {
  for (const [name, m] of Object.entries(shape.members)) {
    const item = src[name];
    if (item !== undefined && item !== null) toXml(m.shape, m.q ?? name, item, out);
  }
}

export function encodeXmlOutput(action: string, shape: StructShape, output: object, requestId: string): WireResponse {
  const out: string[] = [`<?xml version="1.0"?><${action}Response xmlns="${XML_NS}">`];
  if (Object.keys(shape.members).length > 0) {
    out.push(`<${action}Result>`);
    structXml(shape, output as Record<string, unknown>, out);
    out.push(`</${action}Result>`);
  }
  out.push(`<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`);
  return { status: 200, contentType: 'text/xml', body: out.join('') };
}

export function encodeXmlError(err: SqsError, requestId: string): WireResponse {
  const body =
    `<?xml version="1.0"?><ErrorResponse xmlns="${XML_NS}"><Error>` +
    `<Type>${err.spec.fault}</Type><Code>${escapeXml(err.spec.queryCode)}</Code>` +
    `<Message>${escapeXml(err.message)}</Message><Detail/></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`;
  return { status: err.spec.status, contentType: 'text/xml', body };
}
