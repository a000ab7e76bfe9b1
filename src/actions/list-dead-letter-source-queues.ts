import type { ListDeadLetterSourceQueuesRequest, ListDeadLetterSourceQueuesResult } from '@aws-sdk/client-sqs';
import { LIST_RESULTS } from '../sqs/limits.js';
import { type ActionContext, queueOf, requireQueue, urlOf } from './context.js';
import { checkMaxResults, decodeToken, encodeToken } from './list-queues.js';

/** Queues whose RedrivePolicy names this queue as its dead-letter queue, in name order. */
export async function listDeadLetterSourceQueues(
  input: ListDeadLetterSourceQueuesRequest,
  ctx: ActionContext,
): Promise<ListDeadLetterSourceQueuesResult> {
  const dlq = await queueOf(ctx, input.QueueUrl ?? '');
  checkMaxResults(input.MaxResults);
  await requireQueue(ctx, dlq);
  const after = input.NextToken ? decodeToken(input.NextToken) : undefined;
  const sources = (await ctx.store.deadLetterSources(dlq)).filter((name) => after === undefined || name > after);
  const limit = input.MaxResults ?? LIST_RESULTS.max;
  const page = sources.slice(0, limit);
  // A source is in its dead-letter queue's account (redrive-check.ts), the caller's or not.
  const { account } = dlq;
  const out: ListDeadLetterSourceQueuesResult = { queueUrls: page.map((name) => urlOf(ctx, { account, name })) };
  if (input.MaxResults !== undefined && sources.length > limit) {
    out.NextToken = encodeToken(page[page.length - 1] as string);
  }
  return out;
}
