import type { SendMessageResult } from '@aws-sdk/client-sqs';
import type { SendEntryInput } from '../sqs/messages.js';
import { type ActionContext, found, queueOf } from './context.js';
import { outcomeResult, prepareMessage } from './send-common.js';

export interface SendMessageInput extends SendEntryInput {
  QueueUrl?: string;
}

export async function sendMessage(input: SendMessageInput, ctx: ActionContext): Promise<SendMessageResult> {
  const q = await queueOf(ctx, input.QueueUrl ?? '');
  const now = ctx.now();
  const message = prepareMessage(input, q, ctx, now);
  const result = found(await ctx.store.sendMessages(q, [message], now));
  const outcome = result.outcomes[0];
  const out = outcomeResult(message, outcome, result.maxSize, q);
  return out;
}
