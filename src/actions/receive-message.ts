import { performance } from 'node:perf_hooks';
import type { Message, ReceiveMessageRequest, ReceiveMessageResult } from '@aws-sdk/client-sqs';
import type { QueueRef } from '../domain.js';
import { SqsError } from '../errors.js';
import { checkFifoId } from '../sqs/fifo.js';
import { MAX_INFLIGHT_MESSAGES, RECEIVE_MESSAGES, VISIBILITY_SECONDS, WAIT_SECONDS } from '../sqs/limits.js';
import { checkRange, parameterError, RANGE_REASONS } from '../sqs/ranges.js';
import { buildReceivedMessage, checkSystemAttributeNames } from '../sqs/received-message.js';
import type { StoreReceiveResult } from '../store/store.js';
import { type ActionContext, found, queueOf } from './context.js';

// The range errors of ReceiveMessage's parameters, made once (not per request).
const MAX_MESSAGES_ERROR = parameterError('MaxNumberOfMessages', RANGE_REASONS.betweenIfProvided);
const VISIBILITY_TIMEOUT_ERROR = parameterError('VisibilityTimeout', RANGE_REASONS.boundsIfProvided);
const WAIT_SECONDS_ERROR = parameterError('WaitTimeSeconds', RANGE_REASONS.boundsIfProvided);

export async function receiveMessage(input: ReceiveMessageRequest, ctx: ActionContext): Promise<ReceiveMessageResult> {
  const q = await queueOf(ctx, input.QueueUrl ?? '');
  const max = input.MaxNumberOfMessages ?? 1;
  checkRange(max, RECEIVE_MESSAGES, MAX_MESSAGES_ERROR);
  checkRange(input.VisibilityTimeout, VISIBILITY_SECONDS, VISIBILITY_TIMEOUT_ERROR);
  checkRange(input.WaitTimeSeconds, WAIT_SECONDS, WAIT_SECONDS_ERROR);
  const systemNames = checkSystemAttributeNames([
    ...(input.AttributeNames ?? []),
    ...(input.MessageSystemAttributeNames ?? []),
  ]);
  const messageAttributeNames = input.MessageAttributeNames ?? [];
  const attemptId = input.ReceiveRequestAttemptId;
  if (attemptId !== undefined) checkFifoId('ReceiveRequestAttemptId', attemptId);

  const attempt = async (): Promise<StoreReceiveResult | undefined> => {
    const r = await ctx.store.receiveMessages(q, {
      max,
      ...(input.VisibilityTimeout !== undefined ? { visibilityMs: input.VisibilityTimeout * 1000 } : {}),
      now: ctx.now(),
      inflightLimit: MAX_INFLIGHT_MESSAGES,
      ...(attemptId !== undefined ? { attemptId } : {}),
    });
    if ((r?.status === 'ok' || r?.status === 'empty') && r.moved > 0) await redriveNow(ctx, q);
    return r;
  };

  const result = await poll(ctx, q, input.WaitTimeSeconds, attempt);
  if (result.status !== 'ok') return {};
  const Messages: Message[] = result.messages.map((m) =>
    buildReceivedMessage(q, m, systemNames, messageAttributeNames),
  );
  return { Messages };
}

/**
 * Messages past maxReceiveCount wait in the queue's outbox; move them to the dead-letter queue
 * now. If that fails the sweeper finishes the move later, so the receive still succeeds.
 */
async function redriveNow(ctx: ActionContext, q: QueueRef): Promise<void> {
  try {
    await ctx.moves.drainOutbox(q, ctx.now());
  } catch (err) {
    ctx.log.warn(`redrive from ${q.name} deferred: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Past MAX_INFLIGHT_MESSAGES a standard queue's ReceiveMessage fails with OverLimit; a FIFO queue's
 * returns no messages (the store decides which).
 */
function settle(answer: StoreReceiveResult | undefined): StoreReceiveResult {
  const r = found(answer);
  if (r.status === 'over-limit') {
    throw new SqsError('OverLimit', `Too many messages in flight: the limit of ${MAX_INFLIGHT_MESSAGES} is reached.`);
  }
  return r;
}

/**
 * Short poll: one attempt. Long poll: attempts until a message arrives or the wait ends, sleeping
 * between them until a send wakes us (this or another instance) or the next delayed or in-flight
 * message is due. No send may slip between an attempt and the sleep after it unnoticed, so each
 * sleep follows an attempt made while the queue's channel was already listening, its version noted
 * before the attempt: when this instance already listens (other long polls on the queue, or a
 * subscription still lingering) the first look is such an attempt; otherwise the channel is joined
 * after an empty first look and the queue looked at again. A poll whose client went away stops
 * before its next attempt, so it does not take a message nobody will read.
 */
async function poll(
  ctx: ActionContext,
  q: QueueRef,
  waitSeconds: number | undefined,
  attempt: () => Promise<StoreReceiveResult | undefined>,
): Promise<StoreReceiveResult> {
  const started = performance.now();
  const polls = ctx.longPolls;
  const channel = ctx.store.wakeChannel(q);
  // Joining a channel that already listens costs nothing (no round trip); a short poll never joins.
  let joined = waitSeconds !== 0 && polls.isListening(channel);
  if (joined) void polls.acquire(channel);
  try {
    let seen = polls.version(channel);
    let looked = joined;
    // A first look costs one round trip, and is all it takes when messages are ready. An empty
    // result also carries the queue's ReceiveMessageWaitTimeSeconds.
    const first = settle(await attempt());
    if (first.status !== 'empty') return first;
    const waitMs = waitSeconds === undefined ? first.queueWaitSeconds * 1000 : waitSeconds * 1000;
    if (waitMs <= 0) return first;
    if (!joined) {
      joined = true;
      // Without the subscription (Redis unreachable) the poll still ends on time: timers are the fallback.
      const subscribed = polls.acquire(channel).catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([subscribed, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
    }
    let r = first;
    for (;;) {
      if (ctx.signal.aborted) return first;
      if (!looked) {
        seen = polls.version(channel);
        const next = settle(await attempt());
        if (next.status !== 'empty') return next;
        r = next;
      }
      looked = false;
      const remaining = waitMs - (performance.now() - started);
      if (remaining <= 0 || polls.isClosed) return r;
      const untilDue = r.nextVisibleMs === undefined || polls.clockFrozen ? remaining : r.nextVisibleMs - ctx.now() + 1;
      await polls.wait(channel, seen, Math.max(1, Math.min(remaining, untilDue)), ctx.signal);
    }
  } finally {
    if (joined) polls.release(channel);
  }
}
