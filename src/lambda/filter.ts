/**
 * Event filtering as Lambda does it for SQS event source mappings (EventBridge pattern syntax):
 * a record is processed when it matches any of the mapping's patterns; `body` is matched as JSON
 * when it holds a JSON object. Supported: exact values, prefix, suffix, equals-ignore-case,
 * anything-but, numeric ranges, exists.
 */
import type { SqsRecord } from './event.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function numeric(conditions: unknown[], n: number): boolean {
  for (let i = 0; i + 1 < conditions.length; i += 2) {
    const op = conditions[i];
    const bound = Number(conditions[i + 1]);
    const ok =
      op === '='
        ? n === bound
        : op === '<'
          ? n < bound
          : op === '<='
            ? n <= bound
            : op === '>'
              ? n > bound
              : op === '>='
                ? n >= bound
                : false;
    if (!ok) return false;
  }
  return true;
}

function operator(c: Json, value: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  const strings = values.filter((x): x is string => typeof x === 'string');
  if ('exists' in c) return c.exists === (value !== undefined);
  if (value === undefined) return false;
  if (typeof c.prefix === 'string') return strings.some((s) => s.startsWith(c.prefix as string));
  if (typeof c.suffix === 'string') return strings.some((s) => s.endsWith(c.suffix as string));
  if (typeof c['equals-ignore-case'] === 'string') {
    const want = (c['equals-ignore-case'] as string).toLowerCase();
    return strings.some((s) => s.toLowerCase() === want);
  }
  if (Array.isArray(c.numeric)) {
    return values.some((x) => typeof x === 'number' && numeric(c.numeric as unknown[], x));
  }
  if ('anything-but' in c) {
    const but = c['anything-but'];
    if (isObject(but) && typeof but.prefix === 'string')
      return strings.every((s) => !s.startsWith(but.prefix as string));
    const excluded = Array.isArray(but) ? but : [but];
    return values.every((x) => !excluded.includes(x));
  }
  return false;
}

function leaf(conditions: unknown[], value: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  return conditions.some((c) => (isObject(c) ? operator(c, value) : value !== undefined && values.includes(c)));
}

export function matchesPattern(pattern: Json, value: unknown): boolean {
  for (const [key, p] of Object.entries(pattern)) {
    const v = isObject(value) ? value[key] : undefined;
    if (Array.isArray(p)) {
      if (!leaf(p, v)) return false;
    } else if (isObject(p)) {
      if (!isObject(v) || !matchesPattern(p, v)) return false;
    } else {
      return false;
    }
  }
  return true;
}

/** The record as filters see it: a JSON body is matched as data, any other body as a string. */
function filterView(record: SqsRecord): Json {
  let body: unknown = record.body;
  try {
    const parsed: unknown = JSON.parse(record.body);
    if (isObject(parsed)) body = parsed;
  } catch {
    // a plain-text body
  }
  return { ...record, body };
}

export function matchesFilters(filters: readonly unknown[], record: SqsRecord): boolean {
  if (filters.length === 0) return true;
  const view = filterView(record);
  return filters.some((f) => isObject(f) && matchesPattern(f, view));
}
