/**
 * The answers of the peek endpoint in LocalStack's three forms: the XML of a query-protocol
 * ReceiveMessage response, the same document as JSON (LocalStack converts its XML with xmltodict
 * for `Accept: application/json`), and the AWS JSON 1.0 ReceiveMessage result for SDK clients that
 * use the endpoint as their endpoint URL. XML and AWS JSON come from protocol/encode.ts, so they are
 * exactly what ReceiveMessage answers; the converted form walks the same output shape.
 */
import type { Message } from '@aws-sdk/client-sqs';
import type { SqsError } from '../errors.js';
import {
  encodeJsonError,
  encodeJsonOutput,
  encodeXmlError,
  encodeXmlOutput,
  type WireResponse,
} from '../protocol/encode.js';
import { OPERATIONS } from '../protocol/model.js';
import type { Shape, StructShape } from '../protocol/shapes.js';

/**
 * xml: the default; json: the XML as JSON (`Accept: application/json`); amz-json: an AWS JSON 1.0
 * request (`Content-Type: application/x-amz-json-1.0`) gets an AWS JSON 1.0 answer.
 */
export type PeekMode = 'xml' | 'json' | 'amz-json';

const RECEIVE = OPERATIONS.ReceiveMessage.output;

// ------------------------------------------------------------ XML as JSON, as xmltodict makes it
// An element holding text becomes a string, one holding elements an object (null when empty), and
// an element name that repeats among its siblings holds a list of them instead of a single value.

type Converted = string | null | { [name: string]: Converted | Converted[] };
type Element = { [name: string]: Converted | Converted[] };

function put(parent: Element, name: string, value: Converted): void {
  if (!Object.hasOwn(parent, name)) {
    parent[name] = value;
    return;
  }
  const existing = parent[name];
  if (Array.isArray(existing)) existing.push(value);
  else parent[name] = [existing as Converted, value];
}

/** Mirrors encode.ts's toXml: lists and maps are flattened into repeated elements. */
function convert(parent: Element, shape: Shape, name: string, v: unknown): void {
  switch (shape.t) {
    case 'list':
      for (const item of v as unknown[]) convert(parent, shape.member, name, item);
      return;
    case 'map':
      for (const [key, item] of Object.entries(v as Record<string, unknown>)) {
        const entry: Element = { [shape.k]: key };
        convert(entry, shape.value, 'Value', item);
        put(parent, name, entry);
      }
      return;
    case 'struct':
      put(parent, name, convertStruct(shape, v as Record<string, unknown>));
      return;
    case 'blob':
      put(parent, name, Buffer.isBuffer(v) ? v.toString('base64') : String(v));
      return;
    default:
      put(parent, name, String(v));
  }
}

function convertStruct(shape: StructShape, src: Record<string, unknown>): Element | null {
  const out: Element = {};
  for (const [name, m] of Object.entries(shape.members)) {
    const item = src[name];
    if (item !== undefined && item !== null) convert(out, m.shape, m.q ?? name, item);
  }
  return Object.keys(out).length > 0 ? out : null;
}

function json(status: number, body: unknown): WireResponse {
  return { status, contentType: 'application/json', body: JSON.stringify(body) };
}

// ------------------------------------------------------------ answers

export function renderMessages(mode: PeekMode, messages: Message[], requestId: string): WireResponse {
  const output = { Messages: messages };
  switch (mode) {
    case 'amz-json':
      return encodeJsonOutput(RECEIVE, output);
    case 'xml':
      return encodeXmlOutput('ReceiveMessage', RECEIVE, output, requestId);
    case 'json':
      return json(200, {
        ReceiveMessageResponse: {
          ReceiveMessageResult: convertStruct(RECEIVE, output),
          ResponseMetadata: { RequestId: requestId },
        },
      });
  }
}

export function renderError(mode: PeekMode, err: SqsError, requestId: string): WireResponse {
  switch (mode) {
    case 'amz-json':
      return encodeJsonError(err);
    case 'xml':
      return encodeXmlError(err, requestId);
    case 'json':
      return json(err.spec.status, {
        ErrorResponse: {
          Error: { Code: err.spec.queryCode, Message: err.message, Type: err.spec.fault },
          RequestId: requestId,
        },
      });
  }
}
