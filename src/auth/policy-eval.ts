/**
 * Queue policies as redsqs enforces them on calls from another account. A policy is parsed and
 * checked once (when it is written, and when the gate first meets its text), into matchers that each
 * request is then run through: an explicit Deny wins, then an Allow, else the implicit deny (SQS
 * Developer Guide, "Amazon SQS Access Policy Language Evaluation Logic"). Pure functions: no storage,
 * no clock, no SQS errors (a bad policy is a PolicyError whose message says what is wrong; the
 * caller turns it into the SQS error of its context).
 *
 * What a caller is: an account (in unsigned mode a 12-digit access key id names it; with
 * credentials, the verified key's account), standing for that account's root. So principals match
 * by account: "*", {"AWS":"*"}, {"AWS":"<account>"} and {"AWS":"arn:aws:iam::<account>:root"}. IAM
 * user and role ARNs and service principals are valid but match no caller. Conditions: only
 * aws:SourceArn and aws:SourceAccount, which only a service acting for one of its resources
 * carries; a direct call carries neither, so a statement that requires them does not match it.
 */

/** A policy that cannot be accepted; the message says why. */
export class PolicyError extends Error {}

/** What a request asks of a queue, for its policy. */
export interface AccessRequest {
  /** The caller's account. */
  readonly account: string;
  /** The permission it needs, without the `sqs:` prefix, e.g. SendMessage. */
  readonly action: string;
  /** The queue's ARN. */
  readonly resource: string;
  /** aws:SourceArn: the resource a service acts for (undefined for a direct call). */
  readonly sourceArn?: string | undefined;
  /** aws:SourceAccount: the account of that resource (undefined for a direct call). */
  readonly sourceAccount?: string | undefined;
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

type Test<T> = (value: T) => boolean;

interface Statement {
  readonly effect: 'Allow' | 'Deny';
  readonly principal: Test<string>;
  readonly action: Test<string>;
  readonly resource: Test<string>;
  readonly condition: Test<AccessRequest>;
}

/** A parsed policy: its statements as matchers. */
export interface Policy {
  readonly statements: readonly Statement[];
}

/** The condition keys redsqs evaluates (lower case: IAM key names are case-insensitive). */
export const CONDITION_KEYS: ReadonlyMap<string, 'sourceArn' | 'sourceAccount'> = new Map([
  ['aws:sourcearn', 'sourceArn'],
  ['aws:sourceaccount', 'sourceAccount'],
]);

/** Explicit Deny first, then Allow, else the implicit deny. */
export function evaluate(policy: Policy, request: AccessRequest): Decision {
  let allowed = false;
  for (const s of policy.statements) {
    if (!s.principal(request.account) || !s.action(request.action) || !s.resource(request.resource)) continue;
    if (!s.condition(request)) continue;
    if (s.effect === 'Deny') return 'explicit-deny';
    allowed = true;
  }
  return allowed ? 'allow' : 'implicit-deny';
}

const TOP_LEVEL = new Set(['Version', 'Id', 'Statement']);
/** The two versions of the policy language (IAM JSON policy elements: Version). */
const VERSIONS = new Set(['2008-10-17', '2012-10-17']);
/** A statement's elements: Sid, Effect, Condition, and Principal, Action and Resource or their Not forms. */
const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Condition',
  ...['Principal', 'Action', 'Resource'].flatMap((e) => [e, `Not${e}`]),
]);

/** Parses and checks a policy's text; throws a PolicyError saying what is wrong. */
export function parsePolicy(text: string): Policy {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new PolicyError('Policy is not valid JSON.');
  }
  if (!isObject(doc)) throw new PolicyError('Policy must be a JSON object.');
  for (const key of Object.keys(doc)) if (!TOP_LEVEL.has(key)) throw new PolicyError(`Unknown policy element ${key}.`);
  if (doc.Version !== undefined && !VERSIONS.has(doc.Version as string)) {
    throw new PolicyError(`Version must be 2012-10-17 or 2008-10-17, not ${JSON.stringify(doc.Version)}.`);
  }
  if (doc.Id !== undefined && typeof doc.Id !== 'string') throw new PolicyError('Id must be a string.');
  const raw = doc.Statement;
  if (raw === undefined) throw new PolicyError('Policy must contain a Statement.');
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  return { statements: list.map((s, i) => parseStatement(s, i)) };
}

function parseStatement(raw: unknown, index: number): Statement {
  if (!isObject(raw)) throw new PolicyError(`Statement ${index + 1} must be a JSON object.`);
  const where = `Statement ${typeof raw.Sid === 'string' && raw.Sid !== '' ? raw.Sid : index + 1}`;
  for (const key of Object.keys(raw)) {
    if (!STATEMENT_KEYS.has(key)) throw new PolicyError(`${where}: unknown element ${key}.`);
  }
  if (raw.Sid !== undefined && typeof raw.Sid !== 'string') throw new PolicyError(`${where}: Sid must be a string.`);
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') throw new PolicyError(`${where}: Effect must be Allow or Deny.`);
  return {
    effect: raw.Effect,
    principal: either(raw, 'Principal', where, true, parsePrincipal),
    action: either(raw, 'Action', where, true, parseActions),
    resource: either(raw, 'Resource', where, false, parseResources),
    condition: raw.Condition === undefined ? () => true : parseCondition(raw.Condition, where),
  };
}

/**
 * An element or its Not form (one of the two; `required`: one must be there): NotX matches what X
 * would not. Neither, when allowed (Resource: the queue the policy is attached to), matches all.
 */
function either<T>(
  raw: Record<string, unknown>,
  element: string,
  where: string,
  required: boolean,
  parse: (value: unknown, where: string) => Test<T>,
): Test<T> {
  const plain = raw[element];
  const not = raw[`Not${element}`];
  if (plain !== undefined && not !== undefined) {
    throw new PolicyError(`${where}: ${element} and Not${element} cannot be used together.`);
  }
  if (plain !== undefined) return parse(plain, `${where} ${element}`);
  if (not !== undefined) {
    const test = parse(not, `${where} Not${element}`);
    return (v) => !test(v);
  }
  if (required) throw new PolicyError(`${where}: ${element} or Not${element} is required.`);
  return () => true;
}

const ACCOUNT_ID = /^\d{12}$/;
const ROOT_ARN = /^arn:aws:iam::(\d{12}):root$/;
/** IAM users, roles and sessions: valid principals, but no caller here is one. */
const IDENTITY_ARN = /^arn:aws:(iam|sts)::\d{12}:[\w+=,.@/-]+$/;
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);

/** A principal element as a test of the caller's account. */
function parsePrincipal(value: unknown, where: string): Test<string> {
  if (value === '*') return () => true;
  if (!isObject(value)) throw new PolicyError(`${where} must be "*" or an object such as {"AWS": "<account id>"}.`);
  let anyone = false;
  const accounts = new Set<string>();
  for (const [type, v] of Object.entries(value)) {
    if (!PRINCIPAL_TYPES.has(type)) throw new PolicyError(`${where}: unknown principal type ${type}.`);
    const names = strings(v, `${where} ${type}`);
    if (type !== 'AWS') continue;
    for (const p of names) {
      const root = ROOT_ARN.exec(p)?.[1];
      if (p === '*') anyone = true;
      else if (ACCOUNT_ID.test(p)) accounts.add(p);
      else if (root !== undefined) accounts.add(root);
      else if (!IDENTITY_ARN.test(p)) throw new PolicyError(`${where}: invalid principal ${p}.`);
    }
  }
  return anyone ? () => true : (account) => accounts.has(account);
}

const SQS_ACTION = /^sqs:([A-Za-z*?]+)$/i;

/** An action element ("*", "sqs:SendMessage", "SQS:*", "sqs:Get*"; case-insensitive) as a test of a permission. */
function parseActions(value: unknown, where: string): Test<string> {
  const patterns = strings(value, where).map((a) => {
    if (a === '*') return '*';
    const name = SQS_ACTION.exec(a)?.[1];
    if (name === undefined) throw new PolicyError(`${where}: ${a} is not an SQS action (sqs:<Action> or *).`);
    return name;
  });
  const re = new RegExp(`^(?:${patterns.map((p) => globSource(p, '.')).join('|')})$`, 'i');
  return (permission) => re.test(permission);
}

/** A resource element ("*" or ARNs, with * and ? wildcards) as a test of the queue's ARN. */
function parseResources(value: unknown, where: string): Test<string> {
  const patterns = strings(value, where).map((r) => {
    if (r !== '*' && !r.startsWith('arn:')) throw new PolicyError(`${where}: ${r} is not an ARN or *.`);
    return r === '*' ? '.*' : arnSource(r);
  });
  const re = new RegExp(`^(?:${patterns.join('|')})$`);
  return (arn) => re.test(arn);
}

/** A condition operator for string and ARN keys: what one expected value makes of the actual one. */
type Operator = { compile: (expected: string) => Test<string>; negated: boolean };

const exact =
  (e: string): Test<string> =>
  (a) =>
    a === e;
const ignoreCase = (e: string): Test<string> => {
  const lower = e.toLowerCase();
  return (a) => a.toLowerCase() === lower;
};
const like = (e: string): Test<string> => {
  const re = new RegExp(`^${globSource(e, '.')}$`, 's');
  return (a) => re.test(a);
};
const arnLike = (e: string): Test<string> => {
  const re = new RegExp(`^${arnSource(e)}$`);
  return (a) => re.test(a);
};

/** The condition operators for string and ARN keys (IAM JSON policy elements: Condition operators). */
const OPERATORS: Record<string, Operator> = {
  StringEquals: { compile: exact, negated: false },
  StringNotEquals: { compile: exact, negated: true },
  StringEqualsIgnoreCase: { compile: ignoreCase, negated: false },
  StringNotEqualsIgnoreCase: { compile: ignoreCase, negated: true },
  StringLike: { compile: like, negated: false },
  StringNotLike: { compile: like, negated: true },
  // ArnEquals and ArnLike behave alike: both take wildcards in each of the ARN's components.
  ArnEquals: { compile: arnLike, negated: false },
  ArnLike: { compile: arnLike, negated: false },
  ArnNotEquals: { compile: arnLike, negated: true },
  ArnNotLike: { compile: arnLike, negated: true },
};

const SUPPORTED = 'only aws:SourceArn and aws:SourceAccount are evaluated';

/**
 * A Condition element: every operator, and every key under it, must hold (AND); a key holds when
 * one of its values matches (OR), for a negated operator when none does. A key the request does
 * not carry fails the test, except for negated operators, ...IfExists and Null (IAM's rule for
 * missing keys). Anything else is refused rather than silently ignored.
 */
function parseCondition(value: unknown, where: string): Test<AccessRequest> {
  if (!isObject(value)) throw new PolicyError(`${where}: Condition must be a JSON object.`);
  const tests: Test<AccessRequest>[] = [];
  for (const [opName, keys] of Object.entries(value)) {
    if (!isObject(keys)) throw new PolicyError(`${where}: Condition ${opName} must map keys to values.`);
    for (const [keyName, raw] of Object.entries(keys)) {
      const key = CONDITION_KEYS.get(keyName.toLowerCase());
      if (key === undefined) {
        throw new PolicyError(`${where}: condition key ${keyName} is not supported (${SUPPORTED}).`);
      }
      const values = strings(raw, `${where} Condition ${opName} ${keyName}`);
      tests.push(conditionTest(opName, values, key, where));
    }
  }
  return (request) => tests.every((t) => t(request));
}

function conditionTest(
  opName: string,
  values: string[],
  key: 'sourceArn' | 'sourceAccount',
  where: string,
): Test<AccessRequest> {
  if (opName === 'Null') {
    if (!values.every((v) => v === 'true' || v === 'false')) {
      throw new PolicyError(`${where}: Null takes "true" or "false".`);
    }
    return (r) => values.some((v) => (v === 'true') === (r[key] === undefined));
  }
  const ifExists = opName.endsWith('IfExists');
  const op = OPERATORS[ifExists ? opName.slice(0, -'IfExists'.length) : opName];
  if (op === undefined) {
    throw new PolicyError(
      `${where}: condition operator ${opName} is not supported (String and Arn operators and Null are; ${SUPPORTED}).`,
    );
  }
  const matchers = values.map(op.compile);
  return (r) => {
    const actual = r[key];
    if (actual === undefined) return ifExists || op.negated;
    const matched = matchers.some((m) => m(actual));
    return op.negated ? !matched : matched;
  };
}

/** One string or a non-empty list of them (numbers and booleans count as their text, as in IAM). */
function strings(value: unknown, where: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new PolicyError(`${where} must not be empty.`);
  return list.map((v) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new PolicyError(`${where} must be a string or a list of strings.`);
  });
}

/** A wildcard pattern (* any run, ? one character) as regex source; `any` is what they may match. */
function globSource(pattern: string, any: string): string {
  let out = '';
  for (const ch of pattern) {
    if (ch === '*') out += `${any}*`;
    else if (ch === '?') out += any;
    else out += ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return out;
}

/**
 * An ARN pattern as regex source: wildcards stay within their colon-separated component, except
 * in the last one (a queue's name, or whatever rest the pattern gives), which may span colons.
 */
function arnSource(pattern: string): string {
  const parts = pattern.split(':');
  const head = parts.slice(0, Math.min(parts.length - 1, 5));
  const rest = parts.slice(head.length).join(':');
  return [...head.map((p) => globSource(p, '[^:]')), globSource(rest, '.')].join(':');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
