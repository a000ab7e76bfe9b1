/**
 * RedrivePolicy (on a source queue) and RedriveAllowPolicy (on a dead-letter queue): parsing,
 * validation with SQS's rules and messages, and the normalized JSON SQS stores.
 */
import { invalidValue, type SqsError } from '../errors.js';
import { MAX_RECEIVE_COUNT, MAX_REDRIVE_SOURCES } from './limits.js';
import { checkRange } from './ranges.js';

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export type RedrivePermission = 'allowAll' | 'denyAll' | 'byQueue';

export interface RedriveAllowPolicy {
  redrivePermission: RedrivePermission;
  sourceQueueArns?: string[];
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const badPolicy = (value: string, reason: string): SqsError => invalidValue('RedrivePolicy', value, reason);

export function parseRedrivePolicy(text: string): RedrivePolicy {
  const v = parseObject(text);
  if (!v) throw badPolicy(text, 'Redrive policy is not a valid JSON map.');
  for (const key of ['deadLetterTargetArn', 'maxReceiveCount']) {
    if (v[key] === undefined) throw badPolicy(text, `Redrive policy does not contain mandatory attribute: ${key}.`);
  }
  for (const key of Object.keys(v)) {
    if (key !== 'deadLetterTargetArn' && key !== 'maxReceiveCount') {
      throw badPolicy(text, `Redrive policy contains an unknown attribute: ${key}.`);
    }
  }
  const arn = v.deadLetterTargetArn;
  if (typeof arn !== 'string' || arn === '') throw badPolicy(text, 'Invalid value for deadLetterTargetArn.');
  const raw = v.maxReceiveCount;
  const count = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  checkRange(count, MAX_RECEIVE_COUNT, (_, r) =>
    badPolicy(
      text,
      `Invalid value for maxReceiveCount: ${String(raw)}, valid values are from ${r.min} to ${r.max} both inclusive.`,
    ),
  );
  return { deadLetterTargetArn: arn, maxReceiveCount: count };
}

export function formatRedrivePolicy(p: RedrivePolicy): string {
  return JSON.stringify({ deadLetterTargetArn: p.deadLetterTargetArn, maxReceiveCount: p.maxReceiveCount });
}

const badAllow = (value: string, reason: string): SqsError => invalidValue('RedriveAllowPolicy', value, reason);

export function parseRedriveAllowPolicy(text: string): RedriveAllowPolicy {
  const v = parseObject(text);
  if (!v) throw badAllow(text, 'Redrive allow policy is not a valid JSON map.');
  const permission = v.redrivePermission;
  if (permission !== 'allowAll' && permission !== 'denyAll' && permission !== 'byQueue') {
    throw badAllow(text, 'redrivePermission must be one of allowAll, denyAll, byQueue.');
  }
  const sources = v.sourceQueueArns;
  if (permission !== 'byQueue') {
    if (sources !== undefined)
      throw badAllow(text, `sourceQueueArns is only allowed when redrivePermission is byQueue.`);
    return { redrivePermission: permission };
  }
  if (!Array.isArray(sources) || sources.length === 0 || !sources.every((s) => typeof s === 'string')) {
    throw badAllow(text, 'sourceQueueArns must list at least one queue ARN when redrivePermission is byQueue.');
  }
  if (sources.length > MAX_REDRIVE_SOURCES) {
    throw badAllow(text, `sourceQueueArns can list at most ${MAX_REDRIVE_SOURCES} queues.`);
  }
  return { redrivePermission: permission, sourceQueueArns: sources as string[] };
}

export function formatRedriveAllowPolicy(p: RedriveAllowPolicy): string {
  return JSON.stringify(p);
}

/** Whether a dead-letter queue with this allow policy (absent: allowAll) accepts the source. */
export function allowsSource(policyText: string | undefined, sourceArn: string): boolean {
  if (!policyText) return true;
  const p = parseRedriveAllowPolicy(policyText);
  if (p.redrivePermission === 'allowAll') return true;
  if (p.redrivePermission === 'denyAll') return false;
  return p.sourceQueueArns?.includes(sourceArn) ?? false;
}
