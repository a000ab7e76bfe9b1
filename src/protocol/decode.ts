/**
 * Wire -> one plain input object, the same for both protocols. The shapes of the model drive the
 * narrowing of `unknown` (JSON) or of flattened `Name.N.Member` parameters (query) into typed
 * input; anything of the wrong type or missing is an AWS-shaped 4xx error.
 */

import { dict } from '../dict.js';
import { invalidParameter, missingParameter, type SqsError } from '../errors.js';
import type { Shape, StructShape } from './shapes.js';

export type Plain = string | number | boolean | Buffer | Plain[] | { [k: string]: Plain };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const INTEGER = /^[+-]?\d+$/;

function decodeBase64(text: string, path: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (compact.length % 4 === 1 || !BASE64.test(compact)) {
    throw invalidParameter(`Value for parameter ${path} is not valid base64.`);
  }
  return Buffer.from(compact, 'base64');
}

function wrongType(path: string, expected: string): SqsError {
  return invalidParameter(`Value for parameter ${path} is invalid. Reason: Must be ${expected}.`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

// ---------------------------------------------------------------- JSON

function fromJson(shape: Shape, v: unknown, path: string): Plain {
  switch (shape.t) {
    case 'string':
      if (typeof v !== 'string') throw wrongType(path, 'a string');
      return v;
    case 'int':
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw wrongType(path, 'an integer');
      return v;
    case 'bool':
      if (typeof v !== 'boolean') throw wrongType(path, 'a boolean');
      return v;
    case 'blob':
      if (typeof v !== 'string') throw wrongType(path, 'a base64-encoded string');
      return decodeBase64(v, path);
    case 'list':
      if (!Array.isArray(v)) throw wrongType(path, 'a list');
      return v.map((item, i) => fromJson(shape.member, item, `${path}.${i + 1}`));
    case 'map': {
      if (!isRecord(v)) throw wrongType(path, 'a map');
      const out = dict<Plain>();
      for (const [k, item] of Object.entries(v)) out[k] = fromJson(shape.value, item, `${path}.${k}`);
      return out;
    }
    case 'struct':
      return structFromJson(shape, v, path);
  }
}

function structFromJson(shape: StructShape, v: unknown, path: string): Record<string, Plain> {
  if (!isRecord(v)) throw wrongType(path || 'request body', 'an object');
  const out: Record<string, Plain> = {};
  for (const [name, m] of Object.entries(shape.members)) {
    const item = v[name];
    const where = path ? `${path}.${name}` : name;
    if (item === undefined || item === null) {
      if (m.required) throw missingParameter(where);
      continue;
    }
    out[name] = fromJson(m.shape, item, where);
  }
  return out;
}

export function decodeJsonInput(shape: StructShape, body: unknown): Record<string, Plain> {
  return structFromJson(shape, body ?? {}, '');
}

// ---------------------------------------------------------------- query

/** Flattened `A.1.B=v` parameters as a tree; a scalar that also has children sits under ''. */
interface Tree {
  [k: string]: Tree | string;
}

/**
 * Nodes have no prototype: parameter names are client input, and `__proto__.x=1` or
 * `constructor.prototype.x=1` must not reach Object.prototype or any other built-in.
 */
function emptyNode(): Tree {
  return Object.create(null) as Tree;
}

export function paramsToTree(params: Iterable<[string, string]>): Tree {
  const root = emptyNode();
  for (const [key, value] of params) {
    const parts = key.split('.');
    let node = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const p = parts[i] as string;
      let next = node[p];
      if (typeof next === 'string') {
        const wrapped = emptyNode();
        wrapped[''] = next;
        next = wrapped;
      }
      if (next === undefined) next = emptyNode();
      node[p] = next;
      node = next;
    }
    const last = parts[parts.length - 1] as string;
    const existing = node[last];
    if (existing !== undefined && typeof existing !== 'string') existing[''] = value;
    else node[last] = value;
  }
  return root;
}

function scalarOf(node: Tree | string): string | undefined {
  return typeof node === 'string' ? node : (node[''] as string | undefined);
}

/** Children of a flattened list node in index order: `X.1`, `X.2`, ... */
function indexed(node: Tree | string, path: string): (Tree | string)[] {
  // Query clients send an empty list as `Name=` with no members.
  if (typeof node === 'string') return node === '' ? [] : [node];
  const keys = Object.keys(node).filter((k) => k !== '');
  for (const k of keys) {
    if (!INTEGER.test(k) || Number(k) < 1) {
      throw invalidParameter(`Parameter ${path}.${k} is not a valid list index.`);
    }
  }
  return keys.sort((a, b) => Number(a) - Number(b)).map((k) => node[k] as Tree | string);
}

function fromQuery(shape: Shape, node: Tree | string, path: string): Plain {
  switch (shape.t) {
    case 'string':
    case 'int':
    case 'bool':
    case 'blob': {
      const s = scalarOf(node);
      if (s === undefined) throw wrongType(path, 'a single value');
      if (shape.t === 'string') return s;
      if (shape.t === 'blob') return decodeBase64(s, path);
      if (shape.t === 'bool') {
        if (s !== 'true' && s !== 'false') throw wrongType(path, 'true or false');
        return s === 'true';
      }
      if (!INTEGER.test(s) || !Number.isSafeInteger(Number(s))) {
        throw invalidParameter(`Value ${s} for parameter ${path} is invalid. Reason: Must be an integer.`);
      }
      return Number(s);
    }
    case 'list':
      return indexed(node, path).map((item, i) => fromQuery(shape.member, item, `${path}.${i + 1}`));
    case 'map': {
      const out = dict<Plain>();
      for (const [i, entry] of indexed(node, path).entries()) {
        const where = `${path}.${i + 1}`;
        if (typeof entry === 'string') throw wrongType(where, `a ${shape.k} and a Value`);
        const key = entry[shape.k];
        if (key === undefined || typeof key !== 'string') throw missingParameter(`${where}.${shape.k}`);
        const value = entry.Value;
        if (value === undefined) throw missingParameter(`${where}.Value`);
        out[key] = fromQuery(shape.value, value, `${where}.Value`);
      }
      return out;
    }
    case 'struct':
      if (typeof node === 'string') throw wrongType(path, 'a structure');
      return structFromQuery(shape, node, path);
  }
}

function structFromQuery(shape: StructShape, node: Tree, path: string): Record<string, Plain> {
  const out: Record<string, Plain> = {};
  for (const [name, m] of Object.entries(shape.members)) {
    const wire = m.q ?? name;
    const where = path ? `${path}.${wire}` : wire;
    const item = node[wire] ?? (m.q ? node[name] : undefined);
    if (item === undefined) {
      if (m.required) throw missingParameter(path ? `${path}.${name}` : name);
      continue;
    }
    out[name] = fromQuery(m.shape, item, where);
  }
  return out;
}

export function decodeQueryInput(shape: StructShape, params: Iterable<[string, string]>): Record<string, Plain> {
  return structFromQuery(shape, paramsToTree(params), '');
}
