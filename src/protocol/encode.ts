/**
 * Output object -> wire. Both encoders walk the same output shape; errors are rendered here too,
 * from the catalogue in errors.ts, so the two protocols cannot drift apart.
 */

import { createRequire } from 'node:module';
import type { XMLBuilder } from 'fast-xml-parser';
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
//
// Query-protocol XML as SQS writes it: `<?xml version="1.0"?>`, the response element in the
// 2012-11-05 namespace, `<{Action}Result>` (absent for actions without output members, empty
// `<X></X>` when all are), lists and maps flattened (repeated elements; map entries as
// `<Name|Key>` + `<Value>`), blobs in base64, `<ResponseMetadata><RequestId>`; errors as
// `<ErrorResponse><Error>Type, Code, Message, <Detail/></Error><RequestId>`. No whitespace.
//
// fast-xml-parser's XMLBuilder writes every response except the hot ones, which a hand-written
// writer of the same bytes keeps (HOT_ACTIONS; test/unit/codec.test.ts checks that the two agree
// byte for byte on every operation). Measured on the 2-core machine (node 20, fast-xml-parser
// 5.12.1), builder against hand-written, ns per encode (scripts/bench/micro-xml.mjs): SendMessage
// 5,300 / 790; SendMessageBatch (10) 25,000 / 10,400; ReceiveMessage (10 x 1 KiB) 41,000 /
// 20,300, with attributes 196,000 / 84,000; DeleteMessage 3,500 / 175; DeleteMessageBatch (10)
// 14,300 / 3,000 (a fixed ~3.5 µs per document, then 2-2.5x per element). With the builder for
// every response, the service's CPU per query request rose by 8-11% for SendMessage and by 9-14%
// for a consumer's ReceiveMessage + DeleteMessageBatch + SendMessageBatch (scripts/bench/ab.mjs,
// two runs each), more than the 10% issue 12 allows on the hot path; with the hot responses
// written by hand it is unchanged (0.97-1.05). Building only the Result with the builder and the
// envelope by hand still left those responses 2-3x slower to write.

/** The responses of the message hot path, written by hand (see above). */
const HOT_ACTIONS: ReadonlySet<string> = new Set([
  'SendMessage',
  'SendMessageBatch',
  'ReceiveMessage',
  'DeleteMessage',
  'DeleteMessageBatch',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
]);

const XML_DECLARATION = '<?xml version="1.0"?>';

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#xD;',
};

/**
 * Escapes text for XML; `\r` is written as a character reference, because XML parsers turn a
 * literal CR (and CRLF) into LF (end-of-line handling) and the message body would change.
 */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"'\r]/g, (c) => XML_ESCAPES[c] as string);
}

/** A character escapeXml changes. */
const XML_SPECIAL = /[&<>"'\r]/;

// ------------------------------------------------ the builder

/**
 * Options that make the builder write the bytes above: no formatting; `<X></X>` for an empty
 * element and `<X/>` for a null member (Detail); attributes only from a `$` group (the namespace
 * and the declaration's version). Text is escaped by escapeXml through tagValueProcessor, with the
 * builder's own entities off (processEntities: false): they have no `\r` (see escapeXml), and one
 * pass costs less than their five. With processEntities off the builder escapes attribute values
 * only for quotes: ours are constants. (fast-xml-parser 5 re-exports this builder from the
 * fast-xml-builder package and marks the re-export deprecated in its typings, not at run time.)
 */
let xmlBuilder: XMLBuilder | undefined;

/**
 * The builder, made on first use: loading fast-xml-parser takes ~30 ms, which a start should not pay
 * (most services never answer a non-hot query request). Its CommonJS build loads synchronously.
 */
function builder(): XMLBuilder {
  if (xmlBuilder) return xmlBuilder;
  const require = createRequire(import.meta.url);
  const { XMLBuilder: Builder } = require('fast-xml-parser') as typeof import('fast-xml-parser');
  xmlBuilder = new Builder({
    attributesGroupName: '$',
    suppressEmptyNode: false,
    processEntities: false,
    tagValueProcessor: (_name: string, value: unknown) => escapeXml(String(value)),
  });
  return xmlBuilder;
}

type XmlNode = string | null | XmlNode[] | { [element: string]: XmlNode };

/** The builder's node for `v`: a list stays an array (repeated elements), a map becomes entries. */
function toNode(shape: Shape, v: unknown): XmlNode {
  switch (shape.t) {
    case 'list':
      return (v as unknown[]).map((item) => toNode(shape.member, item));
    case 'map':
      return Object.entries(v as Record<string, unknown>).map(([k, item]) => ({
        [shape.k]: k,
        Value: toNode(shape.value, item),
      }));
    case 'struct':
      return structNode(shape, v as Record<string, unknown>);
    case 'blob':
      return Buffer.isBuffer(v) ? v.toString('base64') : String(v);
    default:
      return String(v);
  }
}

function structNode(shape: StructShape, src: Record<string, unknown>): { [element: string]: XmlNode } {
  const out: { [element: string]: XmlNode } = {};
  for (const [name, m] of Object.entries(shape.members)) {
    const item = src[name];
    if (item !== undefined && item !== null) out[m.q ?? name] = toNode(m.shape, item);
  }
  return out;
}

/** A whole response document with the builder. */
function buildDocument(root: string, content: { [element: string]: XmlNode }): string {
  return builder().build({ '?xml': { $: { version: '1.0' } }, [root]: { $: { xmlns: XML_NS }, ...content } });
}

/** The body of an action's response, written with fast-xml-parser's XMLBuilder. */
export function buildXmlOutput(action: string, shape: StructShape, output: object, requestId: string): string {
  const content: { [element: string]: XmlNode } = {};
  if (Object.keys(shape.members).length > 0) {
    content[`${action}Result`] = structNode(shape, output as Record<string, unknown>);
  }
  content.ResponseMetadata = { RequestId: requestId };
  return buildDocument(`${action}Response`, content);
}

// ------------------------------------------------ the hand-written writer (hot responses)

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

/** The body of an action's response, written by hand: the same bytes as buildXmlOutput. */
export function writeXmlOutput(action: string, shape: StructShape, output: object, requestId: string): string {
  const out: string[] = [`${XML_DECLARATION}<${action}Response xmlns="${XML_NS}">`];
  if (Object.keys(shape.members).length > 0) {
    out.push(`<${action}Result>`);
    structXml(shape, output as Record<string, unknown>, out);
    out.push(`</${action}Result>`);
  }
  // The service's request ids (UUIDs) need no escaping: a test is cheaper than a replace.
  const id = XML_SPECIAL.test(requestId) ? escapeXml(requestId) : requestId;
  out.push(`<ResponseMetadata><RequestId>${id}</RequestId></ResponseMetadata></${action}Response>`);
  return out.join('');
}

// ------------------------------------------------ responses

export function encodeXmlOutput(action: string, shape: StructShape, output: object, requestId: string): WireResponse {
  const write = HOT_ACTIONS.has(action) ? writeXmlOutput : buildXmlOutput;
  return { status: 200, contentType: 'text/xml', body: write(action, shape, output, requestId) };
}

export function encodeXmlError(err: SqsError, requestId: string): WireResponse {
  const body = buildDocument('ErrorResponse', {
    Error: { Type: err.spec.fault, Code: err.spec.queryCode, Message: err.message, Detail: null },
    RequestId: requestId,
  });
  return { status: err.spec.status, contentType: 'text/xml', body };
}
