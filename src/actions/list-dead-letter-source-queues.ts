import type { ListDeadLetterSourceQueuesRequest, ListDeadLetterSourceQueuesResult } from '@aws-sdk/client-sqs';
import { queueArn } from '../sqs/queue-names.js';
import { type ActionContext, found, queueOf, urlOf } from './context.js';
import { checkMaxResults, decodeToken, encodeToken } from './list-queues.js';

const PAGE = 1000;

/** Queues whose RedrivePolicy names this queue as its dead-letter queue, in name order. */
export async function listDeadLetterSourceQueues(
  input: ListDeadLetterSourceQueuesRequest,
  ctx: ActionContext,
): Promise<ListDeadLetterSourceQueuesResult> {
  const dlq = queueOf(ctx, input.QueueUrl ?? '');
  checkMaxResults(input.MaxResults);
  found(await ctx.store.queueExists(dlq));
  const target = queueArn(ctx.config.region, dlq);
  const limit = input.MaxResults ?? PAGE;
  const account = ctx.config.accountId;
  const sources: string[] = [];
  let after = input.NextToken ? decodeToken(input.NextToken) : undefined;
  // Scans the registry page by page; fine for the queue counts one deployment has.
  for (;;) {
    const names = await ctx.store.listQueues(account, '', after, PAGE);
    for (const name of names) {
      const state = await ctx.store.getQueue({ account, name }, ctx.now());
      if (state && redriveTarget(state.attributes.RedrivePolicy) === target) sources.push(name);
      if (sources.length > limit) break;
    }
    if (sources.length > limit || names.length < PAGE) break;
    after = names[names.length - 1];
  }
  const page = sources.slice(0, limit);
  const out: ListDeadLetterSourceQueuesResult = { queueUrls: page.map((name) => urlOf(ctx, { account, name })) };
  if (input.MaxResults !== undefined && sources.length > limit)
    out.NextToken = encodeToken(page[page.length - 1] as string);
  return out;
}

function redriveTarget(policy: string | undefined): string | undefined {
  if (!policy) return undefined;
  try {
    const parsed: unknown = JSON.parse(policy);
    if (typeof parsed === 'object' && parsed !== null && 'deadLetterTargetArn' in parsed) {
      return String(parsed.deadLetterTargetArn);
    }
  } catch {
    // a policy that does not parse names no target
  }
  return undefined;
}
