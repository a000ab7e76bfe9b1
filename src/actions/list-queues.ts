import type { ListQueuesRequest, ListQueuesResult } from '@aws-sdk/client-sqs';
import { invalidParameter } from '../errors.js';
import { LIST_RESULTS } from '../sqs/limits.js';
import { checkRange, parameterError, RANGE_REASONS } from '../sqs/ranges.js';
import { type ActionContext, urlOf } from './context.js';

export function encodeToken(last: string): string {
  return Buffer.from(JSON.stringify({ after: last }), 'utf8').toString('base64');
}

export function decodeToken(token: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'after' in parsed && typeof parsed.after === 'string') {
      return parsed.after;
    }
  } catch {
    // fall through
  }
  throw invalidParameter('Invalid NextToken value.');
}

/** ListQueues' and ListDeadLetterSourceQueues' MaxResults. */
export function checkMaxResults(maxResults: number | undefined): void {
  checkRange(maxResults, LIST_RESULTS, parameterError('MaxResults', RANGE_REASONS.maxResults));
}

export async function listQueues(input: ListQueuesRequest, ctx: ActionContext): Promise<ListQueuesResult> {
  checkMaxResults(input.MaxResults);
  const after = input.NextToken ? decodeToken(input.NextToken) : undefined;
  const limit = input.MaxResults ?? LIST_RESULTS.max;
  // Cross-account permissions do not apply to ListQueues: the caller's own queues only.
  const account = ctx.account;
  const names = await ctx.store.listQueues(account, input.QueueNamePrefix ?? '', after, limit + 1);
  const page = names.slice(0, limit);
  const out: ListQueuesResult = {};
  if (page.length > 0) out.QueueUrls = page.map((name) => urlOf(ctx, { account, name }));
  // As in SQS, a NextToken is returned only to callers that paginate with MaxResults.
  if (input.MaxResults !== undefined && names.length > limit)
    out.NextToken = encodeToken(page[page.length - 1] as string);
  return out;
}
