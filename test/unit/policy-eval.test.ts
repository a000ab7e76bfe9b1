/**
 * Queue policies as redsqs evaluates them for calls from another account (src/auth/policy-eval.ts):
 * each element's rule, the order of Deny and Allow (SQS Developer Guide, "Amazon SQS Access Policy
 * Language Evaluation Logic"), IAM's rule for condition keys a request does not carry (IAM User
 * Guide, "Condition operators": a missing key fails the test, except for negated operators,
 * ...IfExists and Null), and what is refused when a policy is written.
 */
import { describe, expect, it } from 'vitest';
import { type AccessRequest, evaluate, PolicyError, parsePolicy } from '../../src/auth/policy-eval.js';
import { addStatement } from '../../src/sqs/policy.js';

const OWNER = '111111111111';
const OTHER = '222222222222';
const THIRD = '333333333333';
const ARN = `arn:aws:sqs:us-east-1:${OWNER}:orders`;

/** A direct call of OTHER's: no aws:SourceArn, no aws:SourceAccount. */
const call = (over: Partial<AccessRequest> = {}): AccessRequest => ({
  account: OTHER,
  action: 'SendMessage',
  resource: ARN,
  ...over,
});

const statement = (s: Record<string, unknown>) => ({
  Effect: 'Allow',
  Principal: { AWS: OTHER },
  Action: 'sqs:SendMessage',
  Resource: ARN,
  ...s,
});

/** The decision of a one-statement (or many-statement) policy for a request. */
function decide(statements: Record<string, unknown> | Record<string, unknown>[], request = call()) {
  return evaluate(parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements })), request);
}

/** The reason a policy is refused with. */
function refusal(policy: unknown): string {
  try {
    parsePolicy(typeof policy === 'string' ? policy : JSON.stringify(policy));
  } catch (err) {
    if (err instanceof PolicyError) return err.message;
    throw err;
  }
  throw new Error('the policy was accepted');
}

describe('Principal', () => {
  it.each([
    ['*', '*'],
    ['{"AWS":"*"}', { AWS: '*' }],
    ['an account id', { AWS: OTHER }],
    ["the account's root ARN", { AWS: `arn:aws:iam::${OTHER}:root` }],
    ['a list with the account', { AWS: [THIRD, `arn:aws:iam::${OTHER}:root`] }],
  ])('%s admits the caller', (_, Principal) => {
    expect(decide(statement({ Principal }))).toBe('allow');
  });

  it('another account, a user or role ARN, or a service does not admit the caller (known by account only)', () => {
    for (const Principal of [
      { AWS: THIRD },
      { AWS: `arn:aws:iam::${THIRD}:root` },
      { AWS: `arn:aws:iam::${OTHER}:role/worker` },
      { AWS: `arn:aws:iam::${OTHER}:user/alice` },
      { Service: 'sns.amazonaws.com' },
    ]) {
      expect(decide(statement({ Principal })), JSON.stringify(Principal)).toBe('implicit-deny');
    }
  });

  it('NotPrincipal admits everyone but the accounts it names', () => {
    expect(decide(statement({ Principal: undefined, NotPrincipal: { AWS: THIRD } }))).toBe('allow');
    expect(decide(statement({ Principal: undefined, NotPrincipal: { AWS: OTHER } }))).toBe('implicit-deny');
  });

  it('refuses a missing principal, both forms at once, an unknown type or a malformed AWS principal', () => {
    expect(refusal({ Statement: statement({ Principal: undefined }) })).toBe(
      'Statement 1: Principal or NotPrincipal is required.',
    );
    expect(refusal({ Statement: statement({ NotPrincipal: { AWS: THIRD } }) })).toBe(
      'Statement 1: Principal and NotPrincipal cannot be used together.',
    );
    expect(refusal({ Statement: statement({ Sid: 'x', Principal: { Group: 'g' } }) })).toBe(
      'Statement x Principal: unknown principal type Group.',
    );
    expect(refusal({ Statement: statement({ Principal: { AWS: 'bob' } }) })).toBe(
      'Statement 1 Principal: invalid principal bob.',
    );
    expect(refusal({ Statement: statement({ Principal: 'everyone' }) })).toMatch(/^Statement 1 Principal must be "\*"/);
  });
});

describe('Action', () => {
  it('matches SQS:*, *, sqs:<Action> case-insensitively, lists and wildcards', () => {
    for (const Action of ['SQS:*', '*', 'sqs:SendMessage', 'SQS:sendmessage', ['sqs:ReceiveMessage', 'sqs:Send*']]) {
      expect(decide(statement({ Action })), JSON.stringify(Action)).toBe('allow');
    }
    for (const Action of ['sqs:ReceiveMessage', 'sqs:SendMessageX', ['sqs:Get*', 'sqs:Delete?essage']]) {
      expect(decide(statement({ Action })), JSON.stringify(Action)).toBe('implicit-deny');
    }
    expect(decide(statement({ Action: 'sqs:Delete?essage' }), call({ action: 'DeleteMessage' }))).toBe('allow');
  });

  it('NotAction matches every action but those listed', () => {
    const s = statement({ Action: undefined, NotAction: 'sqs:ReceiveMessage' });
    expect(decide(s)).toBe('allow');
    expect(decide(s, call({ action: 'ReceiveMessage' }))).toBe('implicit-deny');
  });

  it('refuses an action of another service, and a statement without one', () => {
    expect(refusal({ Statement: statement({ Action: 's3:GetObject' }) })).toBe(
      'Statement 1 Action: s3:GetObject is not an SQS action (sqs:<Action> or *).',
    );
    expect(refusal({ Statement: statement({ Action: [] }) })).toBe('Statement 1 Action must not be empty.');
    expect(refusal({ Statement: statement({ Action: undefined }) })).toBe(
      'Statement 1: Action or NotAction is required.',
    );
  });
});

describe('Resource', () => {
  it('matches the queue ARN, *, lists and * or ? wildcards; no Resource is the queue itself', () => {
    for (const Resource of [
      ARN,
      '*',
      [`arn:aws:sqs:us-east-1:${OWNER}:other`, ARN],
      `arn:aws:sqs:*:${OWNER}:ord*`,
      `arn:aws:sqs:us-east-1:${OWNER}:order?`,
      undefined,
    ]) {
      expect(decide(statement({ Resource })), String(Resource)).toBe('allow');
    }
    for (const Resource of [
      `arn:aws:sqs:us-east-1:${OWNER}:other`,
      `arn:aws:sqs:us-east-1:${OWNER}:Orders`,
      `arn:aws:sqs:eu-west-1:${OWNER}:orders`,
      // A wildcard stays within its component: `*` in the region does not swallow the account.
      'arn:aws:sqs:*:orders',
    ]) {
      expect(decide(statement({ Resource })), Resource).toBe('implicit-deny');
    }
  });

  it('NotResource matches every queue but those listed; a resource must be an ARN or *', () => {
    expect(decide(statement({ Resource: undefined, NotResource: `arn:aws:sqs:us-east-1:${OWNER}:x` }))).toBe('allow');
    expect(decide(statement({ Resource: undefined, NotResource: ARN }))).toBe('implicit-deny');
    expect(refusal({ Statement: statement({ Resource: 'orders' }) })).toBe(
      'Statement 1 Resource: orders is not an ARN or *.',
    );
  });
});

describe('Effect', () => {
  it('an explicit Deny wins over any Allow; with no statement that applies, the implicit deny', () => {
    const deny = statement({ Effect: 'Deny', Action: 'sqs:SendMessage' });
    expect(decide([statement({ Action: 'sqs:*' }), deny])).toBe('explicit-deny');
    expect(decide([deny, statement({ Principal: '*' })])).toBe('explicit-deny');
    expect(decide([statement({ Action: 'sqs:*' }), deny], call({ action: 'GetQueueAttributes' }))).toBe('allow');
    expect(decide([], call())).toBe('implicit-deny');
    expect(decide(statement({ Effect: 'Deny' }), call({ account: THIRD }))).toBe('implicit-deny');
  });

  it('refuses an Effect other than Allow or Deny', () => {
    expect(refusal({ Statement: statement({ Effect: 'allow' }) })).toBe('Statement 1: Effect must be Allow or Deny.');
  });
});

describe('Condition', () => {
  const fromTopic = { ArnEquals: { 'aws:SourceArn': `arn:aws:sns:us-east-1:${OTHER}:topic` } };

  it('aws:SourceArn: a direct call carries none, so the statement does not match it', () => {
    expect(decide(statement({ Condition: fromTopic }))).toBe('implicit-deny');
    const viaTopic = call({ sourceArn: `arn:aws:sns:us-east-1:${OTHER}:topic`, sourceAccount: OTHER });
    expect(decide(statement({ Condition: fromTopic }), viaTopic)).toBe('allow');
    const like = { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:*:top?c' } };
    expect(decide(statement({ Condition: like }), viaTopic)).toBe('allow');
    expect(decide(statement({ Condition: like }), call({ sourceArn: 'arn:aws:sns:us-east-1:x:other' }))).toBe(
      'implicit-deny',
    );
  });

  it('aws:SourceAccount with the String operators; key names are case-insensitive', () => {
    const via = call({ sourceAccount: OTHER });
    expect(decide(statement({ Condition: { StringEquals: { 'aws:SourceAccount': OTHER } } }), via)).toBe('allow');
    expect(decide(statement({ Condition: { StringEquals: { 'AWS:sourceaccount': [THIRD, OTHER] } } }), via)).toBe(
      'allow',
    );
    expect(decide(statement({ Condition: { StringLike: { 'aws:SourceAccount': '2222*' } } }), via)).toBe('allow');
    expect(decide(statement({ Condition: { StringEquals: { 'aws:SourceAccount': THIRD } } }), via)).toBe(
      'implicit-deny',
    );
  });

  it('a missing key: negated operators and ...IfExists hold, Null "true" holds, the others fail', () => {
    const holds = (Condition: object) => decide(statement({ Condition })) === 'allow';
    expect(holds({ ArnNotEquals: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:1:t' } })).toBe(true);
    expect(holds({ StringNotLike: { 'aws:SourceAccount': OTHER } })).toBe(true);
    expect(holds({ StringEqualsIfExists: { 'aws:SourceAccount': OTHER } })).toBe(true);
    expect(holds({ Null: { 'aws:SourceArn': 'true' } })).toBe(true);
    expect(holds({ Null: { 'aws:SourceArn': 'false' } })).toBe(false);
    expect(holds({ StringEquals: { 'aws:SourceAccount': OTHER } })).toBe(false);
    // Every operator must hold (AND).
    expect(holds({ Null: { 'aws:SourceArn': 'true' }, StringEquals: { 'aws:SourceAccount': OTHER } })).toBe(false);
  });

  it('a Deny with a negated condition applies to a direct call (the usual "only from my topic" guard)', () => {
    const guard = statement({ Effect: 'Deny', Principal: '*', Condition: { ArnNotEquals: fromTopic.ArnEquals } });
    expect(decide([statement({}), guard])).toBe('explicit-deny');
  });

  it('refuses other condition keys and operators, naming them, rather than ignoring them', () => {
    expect(refusal({ Statement: statement({ Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }) })).toBe(
      'Statement 1: condition key aws:SourceIp is not supported (only aws:SourceArn and aws:SourceAccount are evaluated).',
    );
    expect(refusal({ Statement: statement({ Condition: { Bool: { 'aws:SecureTransport': 'false' } } }) })).toBe(
      'Statement 1: condition key aws:SecureTransport is not supported (only aws:SourceArn and aws:SourceAccount are evaluated).',
    );
    for (const op of ['NumericLessThan', 'ForAnyValue:StringEquals', 'DateGreaterThan']) {
      expect(refusal({ Statement: statement({ Condition: { [op]: { 'aws:SourceAccount': '1' } } }) })).toBe(
        `Statement 1: condition operator ${op} is not supported (String and Arn operators and Null are; only aws:SourceArn and aws:SourceAccount are evaluated).`,
      );
    }
    expect(refusal({ Statement: statement({ Condition: { Null: { 'aws:SourceArn': 'yes' } } }) })).toBe(
      'Statement 1: Null takes "true" or "false".',
    );
  });
});

describe('the policy document', () => {
  it('refuses what is not a policy', () => {
    expect(refusal('not json')).toBe('Policy is not valid JSON.');
    expect(refusal('[1]')).toBe('Policy must be a JSON object.');
    expect(refusal({ Version: '2012-10-17' })).toBe('Policy must contain a Statement.');
    expect(refusal({ Version: '2020-01-01', Statement: [] })).toBe(
      'Version must be 2012-10-17 or 2008-10-17, not "2020-01-01".',
    );
    expect(refusal({ Statement: [], Extra: 1 })).toBe('Unknown policy element Extra.');
    expect(refusal({ Statement: [1] })).toBe('Statement 1 must be a JSON object.');
    expect(refusal({ Statement: statement({ Sid: 's', Actions: 'sqs:*' }) })).toBe(
      'Statement s: unknown element Actions.',
    );
  });

  it('takes a single statement object, and an empty list (which allows nothing)', () => {
    expect(evaluate(parsePolicy(JSON.stringify({ Statement: statement({}) })), call())).toBe('allow');
    expect(evaluate(parsePolicy('{"Version":"2012-10-17","Statement":[]}'), call())).toBe('implicit-deny');
  });

  it('a policy AddPermission wrote allows its accounts its actions, and nothing else', () => {
    const written = addStatement('', ARN, 'send', [OTHER, THIRD], ['SendMessage', 'GetQueueUrl']);
    const policy = parsePolicy(written);
    expect(evaluate(policy, call())).toBe('allow');
    expect(evaluate(policy, call({ account: THIRD, action: 'GetQueueUrl' }))).toBe('allow');
    expect(evaluate(policy, call({ action: 'ReceiveMessage' }))).toBe('implicit-deny');
    expect(evaluate(policy, call({ account: '444444444444' }))).toBe('implicit-deny');
    expect(evaluate(policy, call({ resource: `arn:aws:sqs:us-east-1:${OWNER}:other` }))).toBe('implicit-deny');
  });
});
