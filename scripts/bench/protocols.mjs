/**
 * The wire protocols the lean clients speak: AWS JSON 1.0 (X-Amz-Target, JSON both ways) and the
 * query protocol (Action= form-encoded request, XML response), both behind one codec interface so
 * the scenarios keep calling actions with JSON-shaped input and reading JSON-shaped output.
 *
 * The query codec knows only the flattened names of the members the benchmark sends and reads; it
 * parses the XML just far enough to give the scenarios their output (a small tokenizer, not a
 * validating parser: the point is to cost the client little, like the raw client itself).
 */
import { RequestError, responseError } from './client.mjs';

export const QUERY_VERSION = '2012-11-05';

/**
 * @typedef {object} Codec
 * @property {'json' | 'query'} name
 * @property {(action: string) => string} headers Request header lines (each ending in CRLF) of an action.
 * @property {(action: string, input: object) => string} body The request body.
 * @property {(action: string, text: string) => any} output A 200 response body as JSON-shaped output.
 * @property {(action: string, status: number, text: string) => RequestError} error An error response.
 */

/** @type {Codec} */
export const JSON_CODEC = {
  name: 'json',
  headers: (action) => `Content-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AmazonSQS.${action}\r\n`,
  body: (_, input) => JSON.stringify(input),
  output: (_, text) => (text === '' ? {} : JSON.parse(text)),
  error: responseError,
};

// ---------------------------------------------------------------- request: flattened parameters

/** JSON list members and their flattened query names (`Name.N`). */
const LISTS = {
  AttributeNames: 'AttributeName',
  MessageAttributeNames: 'MessageAttributeName',
  MessageSystemAttributeNames: 'MessageSystemAttributeName',
  StringListValues: 'StringListValue',
  BinaryListValues: 'BinaryListValue',
  TagKeys: 'TagKey',
  AWSAccountIds: 'AWSAccountId',
  Actions: 'ActionName',
};

/** JSON map members: flattened name and the name of the key element (`Name.N.Key`, `Name.N.Value`). */
const MAPS = {
  Attributes: ['Attribute', 'Name'],
  MessageAttributes: ['MessageAttribute', 'Name'],
  MessageSystemAttributes: ['MessageSystemAttribute', 'Name'],
  tags: ['Tag', 'Key'],
  Tags: ['Tag', 'Key'],
};

/** @param {unknown} v */
function scalar(v) {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return String(v);
}

/**
 * @param {string} action
 * @param {string} prefix
 * @param {Record<string, unknown>} struct
 * @param {string[]} out `name=value` pairs, encoded
 */
function flatten(action, prefix, struct, out) {
  for (const [name, v] of Object.entries(struct)) {
    if (v === undefined || v === null) continue;
    if (name === 'Entries' && Array.isArray(v)) {
      for (const [i, entry] of v.entries()) flatten(action, `${prefix}${action}RequestEntry.${i + 1}.`, entry, out);
    } else if (Object.hasOwn(MAPS, name) && typeof v === 'object') {
      const [wire, key] = MAPS[/** @type {keyof typeof MAPS} */ (name)];
      let i = 0;
      for (const [k, value] of Object.entries(/** @type {Record<string, unknown>} */ (v))) {
        const at = `${prefix}${wire}.${++i}.`;
        out.push(`${at}${key}=${encodeURIComponent(k)}`);
        if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
          flatten(action, `${at}Value.`, /** @type {Record<string, unknown>} */ (value), out);
        } else {
          out.push(`${at}Value=${encodeURIComponent(scalar(value))}`);
        }
      }
    } else if (Array.isArray(v)) {
      const wire = Object.hasOwn(LISTS, name) ? LISTS[/** @type {keyof typeof LISTS} */ (name)] : name;
      for (const [i, item] of v.entries()) out.push(`${prefix}${wire}.${i + 1}=${encodeURIComponent(scalar(item))}`);
    } else if (typeof v === 'object' && !(v instanceof Uint8Array)) {
      flatten(action, `${prefix}${name}.`, /** @type {Record<string, unknown>} */ (v), out);
    } else {
      out.push(`${prefix}${name}=${encodeURIComponent(scalar(v))}`);
    }
  }
}

/**
 * The form-encoded query request of an action with JSON-shaped input.
 * @param {string} action
 * @param {object} input
 */
export function queryBody(action, input) {
  const out = [`Action=${action}`, `Version=${QUERY_VERSION}`];
  flatten(action, '', /** @type {Record<string, unknown>} */ (input), out);
  return out.join('&');
}

// ---------------------------------------------------------------- response: XML

/** @typedef {{ name: string, kids: XmlNode[], text: string }} XmlNode */

const TOKEN = /<(\/?)([A-Za-z_][\w.:-]*)[^>]*?(\/?)>|([^<]+)/g;
const ENTITY = /&(?:#x([0-9a-fA-F]+)|#(\d+)|(amp|lt|gt|quot|apos));/g;
/** @type {Record<string, string>} */
const NAMED = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** @param {string} s */
function unescapeXml(s) {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY, (_, hex, dec, name) =>
    hex ? String.fromCodePoint(Number.parseInt(hex, 16)) : dec ? String.fromCodePoint(Number(dec)) : NAMED[name],
  );
}

/**
 * The element tree of an XML document without attributes' values, comments or CDATA (SQS sends
 * none); text is unescaped.
 * @param {string} text
 * @returns {XmlNode}
 */
export function parseXml(text) {
  /** @type {XmlNode} */
  const root = { name: '', kids: [], text: '' };
  const stack = [root];
  const body = text.startsWith('<?') ? text.slice(text.indexOf('?>') + 2) : text;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(body); m; m = TOKEN.exec(body)) {
    const top = /** @type {XmlNode} */ (stack[stack.length - 1]);
    if (m[4] !== undefined) {
      top.text += unescapeXml(m[4]);
    } else if (m[1]) {
      if (stack.length > 1) stack.pop();
    } else {
      /** @type {XmlNode} */
      const node = { name: /** @type {string} */ (m[2]), kids: [], text: '' };
      top.kids.push(node);
      if (!m[3]) stack.push(node);
    }
  }
  return root;
}

/**
 * @param {XmlNode} node
 * @param {string} name
 */
const child = (node, name) => node.kids.find((n) => n.name === name);

/** Flattened list elements of the outputs and their JSON names. */
const OUTPUT_LISTS = {
  Message: 'Messages',
  SendMessageBatchResultEntry: 'Successful',
  DeleteMessageBatchResultEntry: 'Successful',
  ChangeMessageVisibilityBatchResultEntry: 'Successful',
  BatchResultErrorEntry: 'Failed',
  ListMessageMoveTasksResultEntry: 'Results',
};
/** Flattened map elements of the outputs, their JSON names and key element. */
const OUTPUT_MAPS = {
  Attribute: ['Attributes', 'Name'],
  MessageAttribute: ['MessageAttributes', 'Name'],
  Tag: ['Tags', 'Key'],
};

/**
 * @param {XmlNode} node
 * @param {string} action
 * @returns {any}
 */
function toJs(node, action) {
  if (node.kids.length === 0) return node.text;
  /** @type {Record<string, any>} */
  const out = {};
  /** @param {string} name */
  const listOf = (name) => {
    if (!out[name]) out[name] = [];
    return out[name];
  };
  for (const kid of node.kids) {
    if (Object.hasOwn(OUTPUT_LISTS, kid.name)) {
      listOf(OUTPUT_LISTS[/** @type {keyof typeof OUTPUT_LISTS} */ (kid.name)]).push(toJs(kid, action));
    } else if (Object.hasOwn(OUTPUT_MAPS, kid.name)) {
      const [name, key] = OUTPUT_MAPS[/** @type {keyof typeof OUTPUT_MAPS} */ (kid.name)];
      const value = child(kid, 'Value');
      if (!out[name]) out[name] = {};
      out[name][child(kid, key)?.text ?? ''] = value ? toJs(value, action) : '';
    } else if (kid.name === 'QueueUrl' && (action === 'ListQueues' || action === 'ListDeadLetterSourceQueues')) {
      listOf(action === 'ListQueues' ? 'QueueUrls' : 'queueUrls').push(kid.text);
    } else if (kid.name === 'SenderFault') {
      out.SenderFault = kid.text === 'true';
    } else {
      out[kid.name] = toJs(kid, action);
    }
  }
  return out;
}

/** @type {Codec} */
export const QUERY_CODEC = {
  name: 'query',
  headers: () => 'Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n',
  body: queryBody,
  output(action, text) {
    const response = parseXml(text).kids[0];
    if (!response || response.name !== `${action}Response`) throw new Error(`not a ${action}Response`);
    const result = child(response, `${action}Result`);
    return result ? toJs(result, action) : {};
  },
  error(action, status, text) {
    try {
      const error = child(/** @type {XmlNode} */ (parseXml(text).kids[0]), 'Error');
      if (!error) throw new Error('no Error element');
      return new RequestError(
        action,
        child(error, 'Code')?.text ?? 'UnknownError',
        status,
        child(error, 'Message')?.text ?? '',
      );
    } catch {
      return new RequestError(action, 'UnparsableError', status, text.slice(0, 200));
    }
  },
};

/** @param {'json' | 'query'} protocol */
export function codecOf(protocol) {
  return protocol === 'query' ? QUERY_CODEC : JSON_CODEC;
}
