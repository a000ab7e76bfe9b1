/**
 * Query-protocol XML read back the way an SDK reads it, with fast-xml-parser: element text
 * unescaped and kept as sent (no trimming, no number parsing), and every element the SQS model
 * flattens from a list or a map (Message, Attribute, BatchResultErrorEntry, ListQueues' QueueUrl,
 * ...) always an array, however many there are.
 */
import { XMLParser } from 'fast-xml-parser';
import { OPERATIONS } from '../../src/protocol/model.js';
import type { Shape } from '../../src/protocol/shapes.js';

export type XmlValue = string | XmlElement | XmlValue[];
export interface XmlElement {
  [element: string]: XmlValue;
}

export interface XmlDocument {
  /** The document element, e.g. `ReceiveMessageResponse` or `ErrorResponse`. */
  root: string;
  /** Its xmlns attribute. */
  xmlns: string | undefined;
  /** The version of the `<?xml ...?>` declaration, undefined without one. */
  version: string | undefined;
  /** The document element's children. */
  body: XmlElement;
}

/** jPaths (`Root.Result.Element...`) of the elements that repeat, from the model's output shapes. */
function repeatedPaths(): Set<string> {
  const paths = new Set<string>();
  const walk = (shape: Shape, path: string): void => {
    if (shape.t === 'struct') {
      for (const [name, m] of Object.entries(shape.members)) {
        const at = `${path}.${m.q ?? name}`;
        if (m.shape.t === 'list' || m.shape.t === 'map') paths.add(at);
        walk(m.shape, at);
      }
    } else if (shape.t === 'list') {
      walk(shape.member, path);
    } else if (shape.t === 'map') {
      walk(shape.value, `${path}.Value`);
    }
  };
  for (const [action, op] of Object.entries(OPERATIONS)) walk(op.output, `${action}Response.${action}Result`);
  return paths;
}

const REPEATED = repeatedPaths();

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Character references (`&#xD;`, which the service writes for CR) are decoded only with this on.
  htmlEntities: true,
  isArray: (_name, jPath, _leaf, isAttribute) => !isAttribute && REPEATED.has(String(jPath)),
});

/** Parses a query-protocol response; throws when it is not one XML document with one root element. */
export function parseXml(text: string): XmlDocument {
  const parsed = parser.parse(text, true) as Record<string, unknown>;
  const declaration = parsed['?xml'] as { '@version'?: string } | undefined;
  const roots = Object.keys(parsed).filter((k) => k !== '?xml');
  if (roots.length !== 1) throw new Error(`expected one document element, got ${roots.join(', ') || 'none'}`);
  const root = roots[0] as string;
  const element = parsed[root];
  const body: XmlElement = {};
  let xmlns: string | undefined;
  if (typeof element === 'object' && element !== null) {
    for (const [k, v] of Object.entries(element as Record<string, XmlValue>)) {
      if (k === '@xmlns') xmlns = String(v);
      else if (!k.startsWith('@')) body[k] = v;
    }
  }
  return { root, xmlns, version: declaration?.['@version'], body };
}

/** The parts of an `ErrorResponse`, as text; undefined where an element is missing. */
export function parseXmlError(text: string): {
  root: string;
  xmlns: string | undefined;
  version: string | undefined;
  type: XmlValue | undefined;
  code: XmlValue | undefined;
  message: XmlValue | undefined;
  detail: XmlValue | undefined;
  requestId: XmlValue | undefined;
} {
  const doc = parseXml(text);
  const error = doc.body.Error as XmlElement | undefined;
  return {
    root: doc.root,
    xmlns: doc.xmlns,
    version: doc.version,
    type: error?.Type,
    code: error?.Code,
    message: error?.Message,
    detail: error?.Detail,
    requestId: doc.body.RequestId,
  };
}
