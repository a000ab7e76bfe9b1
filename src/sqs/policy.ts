/**
 * The queue Policy as AddPermission and RemovePermission edit it: one statement per label, as
 * SQS generates them ("SQS:<Action>" actions, account root principals).
 */
import { invalidValue, SqsError } from '../errors.js';
import { MAX_PERMISSION_ACTIONS, MAX_PERMISSION_LABEL_LENGTH } from './limits.js';

export const PERMISSION_ACTIONS = new Set([
  '*',
  'SendMessage',
  'ReceiveMessage',
  'DeleteMessage',
  'ChangeMessageVisibility',
  'GetQueueAttributes',
  'GetQueueUrl',
  'ListDeadLetterSourceQueues',
  'PurgeQueue',
  'ListQueueTags',
]);
const LABEL = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_PERMISSION_LABEL_LENGTH}}$`);

interface Statement {
  Sid?: string;
  [k: string]: unknown;
}
interface Policy {
  Version?: string;
  Id?: string;
  Statement?: Statement[];
  [k: string]: unknown;
}

function parse(text: string, queueArn: string): Policy {
  // The policy AddPermission starts, as SQS writes it (recorded against SQS; LocalStack's
  // SqsQueue.add_permission): the 2008-10-17 policy language, keys in this order.
  if (!text) return { Version: '2008-10-17', Id: `${queueArn}/SQSDefaultPolicy`, Statement: [] };
  const policy = JSON.parse(text) as Policy;
  if (!Array.isArray(policy.Statement)) policy.Statement = policy.Statement ? [policy.Statement] : [];
  return policy;
}

export function validatePermission(label: string, accounts: string[], actions: string[]): void {
  if (!LABEL.test(label)) {
    throw invalidValue(
      'Label',
      label,
      `Can only include alphanumeric characters, hyphens, or underscores. 1 to ${MAX_PERMISSION_LABEL_LENGTH} in length`,
    );
  }
  if (accounts.length === 0) throw invalidValue('AWSAccountIds', '[]', 'At least one account id is required.');
  for (const a of accounts)
    if (!/^\d{12}$/.test(a)) throw invalidValue('AWSAccountIds', a, 'Must be a 12-digit account id.');
  if (actions.length === 0) throw invalidValue('Actions', '[]', 'At least one action is required.');
  if (actions.length > MAX_PERMISSION_ACTIONS) {
    throw new SqsError(
      'OverLimit',
      `${actions.length} actions were found, maximum allowed is ${MAX_PERMISSION_ACTIONS}.`,
    );
  }
  for (const a of actions) if (!PERMISSION_ACTIONS.has(a)) throw invalidValue('Actions', a, 'Unknown action.');
}

const one = <T>(items: T[]): T | T[] => (items.length === 1 ? (items[0] as T) : items);

export function addStatement(
  current: string,
  queueArn: string,
  label: string,
  accounts: string[],
  actions: string[],
): string {
  const policy = parse(current, queueArn);
  const statements = policy.Statement ?? [];
  if (statements.some((s) => s.Sid === label)) throw invalidValue('Label', label, 'Already exists.');
  statements.push({
    Sid: label,
    Effect: 'Allow',
    Principal: { AWS: one(accounts.map((a) => `arn:aws:iam::${a}:root`)) },
    Action: one(actions.map((a) => `SQS:${a}`)),
    Resource: queueArn,
  });
  policy.Statement = statements;
  return JSON.stringify(policy);
}

/** The policy without the label's statement; '' when no statement is left. */
export function removeStatement(current: string, queueArn: string, label: string): string {
  const policy = parse(current, queueArn);
  const statements = policy.Statement ?? [];
  const kept = statements.filter((s) => s.Sid !== label);
  if (kept.length === statements.length) {
    throw invalidValue('Label', label, "can't find label.");
  }
  if (kept.length === 0) return '';
  policy.Statement = kept;
  return JSON.stringify(policy);
}
