/**
 * openapi.yaml must describe the service as it is: structurally valid OpenAPI 3.0, one operation per
 * implemented action (the dispatch table), and request/response schemas equal to the SQS model in
 * src/protocol/model.ts. A change to either side without the other fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { IMPLEMENTED_ACTIONS } from '../../src/actions/dispatch.js';
import { OPERATIONS } from '../../src/protocol/model.js';
import type { Shape, StructShape } from '../../src/protocol/shapes.js';

type Obj = Record<string, unknown>;

const JSON_TYPE = 'application/x-amz-json-1.0';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

const doc = parse(readFileSync(new URL('../../openapi.yaml', import.meta.url), 'utf8')) as unknown;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: unknown, where: string): Obj {
  if (!isObj(v)) throw new Error(`${where} is not an object`);
  return v;
}

const root = obj(doc, 'openapi.yaml');

/** Resolves a local JSON pointer like `#/components/schemas/Foo`; undefined when it leads nowhere. */
function resolvePointer(ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObj(node) && !Array.isArray(node)) return undefined;
    if (!Object.hasOwn(node, key)) return undefined;
    node = (node as Obj)[key];
  }
  return node;
}

/** Follows `$ref` chains to the object they name. */
function deref(v: unknown, where: string): Obj {
  let node = obj(v, where);
  for (let hops = 0; typeof node.$ref === 'string'; hops++) {
    if (hops > 20) throw new Error(`${where}: $ref cycle`);
    node = obj(resolvePointer(node.$ref), `${where} -> ${node.$ref}`);
  }
  return node;
}

interface Op {
  path: string;
  method: string;
  op: Obj;
}

function operations(): Op[] {
  const out: Op[] = [];
  for (const [path, item] of Object.entries(obj(root.paths, 'paths'))) {
    const pathItem = obj(item, path);
    for (const method of METHODS) {
      if (pathItem[method] !== undefined) out.push({ path, method, op: obj(pathItem[method], `${method} ${path}`) });
    }
  }
  return out;
}

function jsonActionOps(): Map<string, Op> {
  const byTarget = new Map<string, Op>();
  for (const o of operations()) {
    const target = o.op['x-amz-target'];
    if (target === undefined) continue;
    if (typeof target !== 'string') throw new Error(`${o.method} ${o.path}: x-amz-target is not a string`);
    if (byTarget.has(target)) throw new Error(`${target} is documented twice`);
    byTarget.set(target, o);
  }
  return byTarget;
}

/** Every difference between a schema and a model shape, as readable lines. */
function shapeDiff(schemaNode: unknown, shape: Shape, where: string, out: string[]): void {
  const s = deref(schemaNode, where);
  /** Blobs are base64 strings (`format: byte`); nothing else may claim that format. */
  const expectType = (type: string, blob = false): void => {
    if (s.type !== type) out.push(`${where}: type is ${String(s.type)}, the model says ${type}`);
    if ((s.format === 'byte') !== blob) out.push(`${where}: format ${String(s.format)} does not fit the model`);
  };
  switch (shape.t) {
    case 'string':
      expectType('string');
      return;
    case 'blob':
      expectType('string', true);
      return;
    case 'int':
      expectType('integer');
      return;
    case 'bool':
      expectType('boolean');
      return;
    case 'list':
      expectType('array');
      if (s.items === undefined) out.push(`${where}: array without items`);
      else shapeDiff(s.items, shape.member, `${where}[]`, out);
      return;
    case 'map':
      expectType('object');
      if (!isObj(s.additionalProperties)) out.push(`${where}: a map needs an additionalProperties schema`);
      else shapeDiff(s.additionalProperties, shape.value, `${where}{}`, out);
      if (isObj(s.properties) && Object.keys(s.properties).length > 0) {
        out.push(`${where}: a map must not list properties`);
      }
      return;
    case 'struct': {
      expectType('object');
      const props = isObj(s.properties) ? s.properties : {};
      const documented = Object.keys(props).sort();
      const modelled = Object.keys(shape.members).sort();
      if (documented.join() !== modelled.join()) {
        out.push(`${where}: properties [${documented.join(', ')}], the model has [${modelled.join(', ')}]`);
      }
      const required = (Array.isArray(s.required) ? s.required.map(String) : []).sort();
      const modelRequired = Object.entries(shape.members)
        .filter(([, m]) => m.required)
        .map(([name]) => name)
        .sort();
      if (required.join() !== modelRequired.join()) {
        out.push(`${where}: required [${required.join(', ')}], the model requires [${modelRequired.join(', ')}]`);
      }
      for (const [name, m] of Object.entries(shape.members)) {
        if (props[name] !== undefined) shapeDiff(props[name], m.shape, `${where}.${name}`, out);
      }
      return;
    }
  }
}

function mediaSchema(content: unknown, type: string, where: string): unknown {
  const media = obj(obj(content, `${where} content`)[type], `${where} ${type}`);
  return media.schema;
}

describe('openapi.yaml is valid OpenAPI 3.0', () => {
  it('has the openapi version and info', () => {
    expect(root.openapi).toMatch(/^3\.0\.\d+$/);
    const info = obj(root.info, 'info');
    expect(typeof info.title === 'string' && info.title.length > 0).toBe(true);
    expect(typeof info.version === 'string' && info.version.length > 0).toBe(true);
  });

  it('has only paths starting with / and operations with responses and unique operationIds', () => {
    const ids = new Set<string>();
    const ops = operations();
    expect(ops.length).toBeGreaterThan(0);
    for (const path of Object.keys(obj(root.paths, 'paths'))) expect(path.startsWith('/'), path).toBe(true);
    for (const { path, method, op } of ops) {
      const where = `${method} ${path}`;
      const responses = obj(op.responses, `${where} responses`);
      expect(Object.keys(responses).length, where).toBeGreaterThan(0);
      for (const [code, response] of Object.entries(responses)) {
        expect(code, where).toMatch(/^([1-5]\d\d|[1-5]XX|default)$/);
        expect(typeof deref(response, `${where} ${code}`).description, `${where} ${code} description`).toBe('string');
      }
      if (op.operationId !== undefined) {
        expect(ids.has(String(op.operationId)), `operationId ${String(op.operationId)} repeats`).toBe(false);
        ids.add(String(op.operationId));
      }
    }
  });

  it('declares every path template parameter', () => {
    for (const { path, method, op } of operations()) {
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const params = (Array.isArray(op.parameters) ? op.parameters : []).map((p) => deref(p, `${method} ${path}`));
      for (const name of templated) {
        const param = params.find((p) => p.in === 'path' && p.name === name);
        expect(param, `${method} ${path} declares {${name}}`).toBeDefined();
        expect(param?.required, `${method} ${path} {${name}} is required`).toBe(true);
      }
    }
  });

  it('resolves every $ref to an existing component', () => {
    const problems: string[] = [];
    const walk = (node: unknown, where: string): void => {
      if (Array.isArray(node)) {
        for (const [i, item] of node.entries()) walk(item, `${where}[${i}]`);
        return;
      }
      if (!isObj(node)) return;
      if ('$ref' in node) {
        const ref = node.$ref;
        if (typeof ref !== 'string' || !ref.startsWith('#/components/')) {
          problems.push(`${where}: $ref ${String(ref)} is not a local component`);
        } else if (resolvePointer(ref) === undefined) {
          problems.push(`${where}: $ref ${ref} does not resolve`);
        }
        // OpenAPI 3.0 ignores the siblings of a $ref, so any would be silently lost documentation.
        const siblings = Object.keys(node).filter((k) => k !== '$ref');
        if (siblings.length > 0) problems.push(`${where}: $ref has ignored siblings ${siblings.join(', ')}`);
      }
      for (const [k, v] of Object.entries(node)) walk(v, `${where}/${k}`);
    };
    walk(root, '#');
    expect(problems).toEqual([]);
  });
});

describe('openapi.yaml matches the code', () => {
  const ops = jsonActionOps();

  it('documents exactly the implemented actions, each once, by x-amz-target', () => {
    const expected = IMPLEMENTED_ACTIONS.map((a) => `AmazonSQS.${a}`).sort();
    expect([...ops.keys()].sort()).toEqual(expected);
  });

  it('gives each action the X-Amz-Target header and its own operationId', () => {
    for (const [target, { path, op }] of ops) {
      const action = target.slice('AmazonSQS.'.length);
      expect(op.operationId, target).toBe(action);
      expect(path.startsWith('/'), target).toBe(true);
      const header = (Array.isArray(op.parameters) ? op.parameters : [])
        .map((p) => deref(p, target))
        .find((p) => p.in === 'header' && String(p.name).toLowerCase() === 'x-amz-target');
      expect(header?.required, `${target} X-Amz-Target header`).toBe(true);
      expect(obj(header?.schema, `${target} header schema`).enum).toEqual([target]);
    }
  });

  it.each(IMPLEMENTED_ACTIONS)('%s request and response schemas equal the model', (action) => {
    const found = ops.get(`AmazonSQS.${action}`);
    if (!found) throw new Error(`${action} is not documented`);
    const { op } = found;
    const model = OPERATIONS[action];
    const problems: string[] = [];
    const body = obj(op.requestBody, `${action} requestBody`);
    shapeDiff(mediaSchema(body.content, JSON_TYPE, action), model.input as StructShape, `${action} request`, problems);
    const ok = deref(obj(op.responses, `${action} responses`)['200'], `${action} 200`);
    shapeDiff(
      mediaSchema(ok.content, JSON_TYPE, `${action} 200`),
      model.output as StructShape,
      `${action} result`,
      problems,
    );
    expect(problems).toEqual([]);
  });

  it('gives each action the request id header and the JSON error responses', () => {
    const error = obj(obj(obj(root.components, 'components').schemas, 'schemas').Error, 'Error schema');
    expect(Object.keys(obj(error.properties, 'Error properties')).sort()).toEqual(['__type', 'message']);
    for (const [target, { op }] of ops) {
      const responses = obj(op.responses, `${target} responses`);
      const ok = deref(responses['200'], `${target} 200`);
      expect(Object.keys(obj(ok.headers, `${target} 200 headers`)), target).toContain('x-amzn-RequestId');
      for (const status of ['400', '403', '404']) {
        const where = `${target} ${status}`;
        const response = deref(responses[status], where);
        expect(deref(mediaSchema(response.content, JSON_TYPE, where), where)).toBe(error);
        expect(Object.keys(obj(response.headers, `${where} headers`)), where).toContain('x-amzn-query-error');
      }
    }
  });

  it('describes the query protocol as XML over POST /, GET / and POST /{accountId}/{queueName}', () => {
    const paths = obj(root.paths, 'paths');
    const query = [
      obj(obj(paths['/'], '/').post, 'POST /'),
      obj(obj(paths['/'], '/').get, 'GET /'),
      obj(obj(paths['/{accountId}/{queueName}'], '/{accountId}/{queueName}').post, 'POST /{accountId}/{queueName}'),
    ];
    for (const op of query) {
      expect(op['x-amz-target']).toBeUndefined();
      const ok = deref(obj(op.responses, 'responses')['200'], 'query 200');
      expect(Object.keys(obj(ok.content, 'query 200 content'))).toEqual(['text/xml']);
    }
    const postBody = obj(query[0]?.requestBody, 'POST / requestBody');
    expect(Object.keys(obj(postBody.content, 'POST / content'))).toEqual(['application/x-www-form-urlencoded']);
  });

  it('describes GET /health with its 200 and 503 answers', () => {
    const health = obj(obj(obj(root.paths, 'paths')['/health'], '/health').get, 'GET /health');
    const responses = obj(health.responses, 'health responses');
    for (const [status, state] of [
      ['200', { status: 'ok', redis: 'up' }],
      ['503', { status: 'unavailable', redis: 'down' }],
    ] as const) {
      const media = obj(obj(deref(responses[status], status).content, 'content')['application/json'], 'json');
      const schema = deref(media.schema, `health ${status}`);
      const props = obj(schema.properties, 'health properties');
      expect(obj(props.status, 'status').enum).toContain(state.status);
      expect(obj(props.redis, 'redis').enum).toContain(state.redis);
      expect(obj(props.pid, 'pid').type).toBe('integer');
      expect(media.example).toEqual({ ...state, version: expect.any(String), pid: expect.any(Number) });
    }
    const media503 = obj(obj(deref(responses['503'], '503').content, 'content')['application/json'], 'json');
    const statuses = obj(obj(deref(media503.schema, 'Health').properties, 'properties').status, 'status').enum;
    expect(statuses).toEqual(expect.arrayContaining(['starting', 'ok', 'unavailable', 'stopping']));
  });

  it('describes the clock and reset routes with the shapes the service answers', () => {
    const paths = obj(root.paths, 'paths');
    const clock = obj(paths['/_redsqs/clock'], '/_redsqs/clock');
    for (const method of ['get', 'post']) {
      const op = obj(clock[method], `${method} clock`);
      const ok = obj(obj(deref(obj(op.responses, 'r')['200'], '200').content, 'c')['application/json'], 'json');
      const props = obj(deref(ok.schema, 'Clock').properties, 'Clock properties');
      expect(Object.keys(props).sort()).toEqual(['frozen', 'now', 'offsetMs']);
    }
    const change = obj(obj(obj(obj(clock.post, 'post').requestBody, 'body').content, 'c')['application/json'], 'j');
    expect(Object.keys(obj(deref(change.schema, 'ClockChange').properties, 'p')).sort()).toEqual([
      'advanceMs',
      'freeze',
      'setMs',
    ]);
    const reset = obj(obj(paths['/_redsqs/reset'], '/_redsqs/reset').post, 'post reset');
    const ok = obj(obj(deref(obj(reset.responses, 'r')['200'], '200').content, 'c')['application/json'], 'json');
    expect(Object.keys(obj(deref(ok.schema, 'reset').properties, 'p'))).toEqual(['deletedQueues']);
  });
});
