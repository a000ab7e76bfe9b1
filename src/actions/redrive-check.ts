/**
 * RedrivePolicy and RedriveAllowPolicy as CreateQueue and SetQueueAttributes accept them: the
 * dead-letter queue must exist, be of the same type and allow the source. Returns the normalized
 * attributes plus the internal fields the receive scripts read (store/redrive-fields.ts).
 */
import type { QueueAttributes, QueueRef } from '../domain.js';
import { invalidValue } from '../errors.js';
import { isFifoName, parseAnyQueueArn, queueArn } from '../sqs/queue-names.js';
import {
  allowsSource,
  formatRedriveAllowPolicy,
  formatRedrivePolicy,
  parseRedriveAllowPolicy,
  parseRedrivePolicy,
} from '../sqs/redrive.js';
import { encodeRedrive } from '../store/redrive-fields.js';
import type { ActionContext } from './context.js';

export interface RedriveCheck {
  attributes: QueueAttributes;
  /** The dead-letter queue the policy names, when one is set. */
  deadLetterQueue?: QueueRef;
}

export async function checkRedrive(
  ctx: ActionContext,
  source: QueueRef,
  attrs: QueueAttributes,
): Promise<RedriveCheck> {
  const out: QueueAttributes = { ...attrs };
  let deadLetterQueue: QueueRef | undefined;
  if (attrs.RedriveAllowPolicy)
    out.RedriveAllowPolicy = formatRedriveAllowPolicy(parseRedriveAllowPolicy(attrs.RedriveAllowPolicy));
  const text = attrs.RedrivePolicy;
  if (text === '') {
    Object.assign(out, encodeRedrive(undefined));
  } else if (text !== undefined) {
    const policy = parseRedrivePolicy(text);
    const { region } = ctx.config;
    const dlq = parseAnyQueueArn(policy.deadLetterTargetArn, region);
    if (dlq && dlq.account !== source.account) {
      // "You must use the same AWS account to create the dead-letter queue and the other queues
      // that send messages to the dead-letter queue" (botocore SQS model, SetQueueAttributes docs).
      throw invalidValue('RedrivePolicy', text, 'The dead-letter queue must be in the account of the source queue.');
    }
    const state = dlq ? await ctx.store.getQueue(dlq, ctx.now()) : undefined;
    if (!dlq || !state) throw invalidValue('RedrivePolicy', text, 'Dead letter target does not exist.');
    if (isFifoName(dlq.name) !== isFifoName(source.name)) {
      throw invalidValue('RedrivePolicy', text, 'Dead-letter queue must be same type of queue as the source.');
    }
    if (!allowsSource(state.attributes.RedriveAllowPolicy, queueArn(region, source))) {
      throw invalidValue(
        'RedrivePolicy',
        text,
        `The RedriveAllowPolicy of ${policy.deadLetterTargetArn} does not allow this queue as a source queue.`,
      );
    }
    out.RedrivePolicy = formatRedrivePolicy(policy);
    Object.assign(out, encodeRedrive({ maxReceiveCount: policy.maxReceiveCount, deadLetterQueue: dlq.name }));
    deadLetterQueue = dlq;
  }
  return deadLetterQueue ? { attributes: out, deadLetterQueue } : { attributes: out };
}

/**
 * Runs `write`, the store call that keeps the source's attributes, and records the source in its
 * dead-letter queue's index (ListDeadLetterSourceQueues) both before and after it. Before: a crash
 * after the write then leaves the source listed, and a crash before it leaves a name whose policy
 * does not name the queue, which every read skips (and drops). After: such a read, made between the
 * two steps, may have dropped the name just recorded. (KEYS.md, "Two steps".)
 */
export async function withDeadLetterSource<T>(
  ctx: ActionContext,
  check: RedriveCheck,
  source: QueueRef,
  write: () => Promise<T>,
): Promise<T> {
  const dlq = check.deadLetterQueue;
  if (!dlq) return write();
  await ctx.store.recordDeadLetterSource(dlq, source.name);
  const result = await write();
  await ctx.store.recordDeadLetterSource(dlq, source.name);
  return result;
}
