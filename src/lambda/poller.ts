/**
 * One event source mapping: up to MaximumConcurrency workers, each collecting a batch (BatchSize,
 * MaximumBatchingWindowInSeconds), filtering it, invoking the handler and deleting what succeeded.
 * Messages that are not deleted come back after the queue's visibility timeout, and the queue's
 * RedrivePolicy sends them to its dead-letter queue, as with Lambda.
 */
import type { Message, SQS } from '@aws-sdk/client-sqs';
import { type Clock, untilTime } from '../clock.js';
import type { Logger } from '../log.js';
import { MAX_BATCH_ENTRIES, RECEIVE_MESSAGES, WAIT_SECONDS } from '../sqs/limits.js';
import type { PollerActivity } from './activity.js';
import { batchOutcome, keepGroupOrder } from './batch-response.js';
import type { FunctionSpec, MappingSpec } from './config.js';
import { lambdaContext, type SqsRecord, toRecord } from './event.js';
import { matchesFilters } from './filter.js';
import { type Handler, invoke } from './handler.js';

export interface PollerOptions {
  sqs: SQS;
  mapping: MappingSpec;
  fn: FunctionSpec;
  handler: Handler;
  queueUrl: string;
  queueArn: string;
  region: string;
  account: string;
  log: Logger;
  /** Batching windows and function timeouts run on it (redsqs's clock for local pollers). */
  clock: Clock;
  /** Where the poller reports its start, invocations and filtered-out messages. */
  activity?: PollerActivity;
}

const LONG_POLL_SECONDS = WAIT_SECONDS.max;
const WINDOW_ENDED = Symbol('window ended');

export class MappingPoller {
  private readonly stopper = new AbortController();
  private workers: Promise<void>[] = [];
  /** One worker fills a batch at a time, so batches fill up; invocations still run concurrently. */
  private collecting: Promise<unknown> = Promise.resolve();
  /** A receive still open when the window of the batch it was for ended: it starts the next batch. */
  private pending: Promise<Message[] | Error> | undefined;

  constructor(private readonly o: PollerOptions) {}

  start(): void {
    const { mapping } = this.o;
    this.o.log.info(
      `poller: ${mapping.FunctionName} <- ${mapping.QueueName} (batch ${mapping.BatchSize}, window ${mapping.MaximumBatchingWindowInSeconds} s, concurrency ${mapping.MaximumConcurrency})`,
    );
    this.o.activity?.mappingStarted({
      function: mapping.FunctionName,
      queue: mapping.QueueName,
      queueArn: this.o.queueArn,
      batchSize: mapping.BatchSize,
      windowSeconds: mapping.MaximumBatchingWindowInSeconds,
      concurrency: mapping.MaximumConcurrency,
      reportBatchItemFailures: mapping.ReportBatchItemFailures,
    });
    for (let i = 0; i < mapping.MaximumConcurrency; i++) this.workers.push(this.work());
  }

  async stop(): Promise<void> {
    this.stopper.abort();
    await Promise.all(this.workers);
  }

  private get stopping(): boolean {
    return this.stopper.signal.aborted;
  }

  private async work(): Promise<void> {
    while (!this.stopping) {
      try {
        const turn = this.collecting.then(() => this.collect());
        this.collecting = turn.catch(() => undefined);
        const batch = await turn;
        if (batch.length > 0) await this.process(batch);
      } catch (err) {
        if (this.stopping) return;
        this.o.log.warn(`poller: ${this.o.mapping.QueueName}: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  /** Receives until BatchSize messages or the batching window ends (at once when the window is 0). */
  private async collect(): Promise<Message[]> {
    const { mapping, clock } = this.o;
    const windowMs = mapping.MaximumBatchingWindowInSeconds * 1000;
    const batch: Message[] = [];
    let firstAt = 0;
    while (batch.length < mapping.BatchSize && !this.stopping) {
      let wait = LONG_POLL_SECONDS;
      if (batch.length > 0) {
        // The clock went back (a reset to real time): the window does not grow by the jump.
        firstAt = Math.min(firstAt, clock.now());
        const left = windowMs - (clock.now() - firstAt);
        if (left <= 0) break;
        wait = Math.min(LONG_POLL_SECONDS, Math.ceil(left / 1000));
      }
      const receive = this.pending ?? this.receive(wait, mapping.BatchSize - batch.length);
      this.pending = receive;
      const got = batch.length > 0 ? await this.untilWindowEnds(receive, firstAt + windowMs) : await receive;
      if (got === WINDOW_ENDED) break;
      this.pending = undefined;
      if (got instanceof Error) throw got;
      if (got.length > 0 && batch.length === 0) firstAt = clock.now();
      batch.push(...got);
      if (windowMs === 0 && batch.length > 0) break;
    }
    return batch;
  }

  /**
   * The receive's messages, or WINDOW_ENDED when the window ends first on the clock (which a move of
   * the clock can do at once). The receive then stays open, its messages the start of the next
   * batch: ending it instead could lose the messages it takes as the clock moves (they would stay in
   * flight, unseen, until their visibility timeout).
   */
  private async untilWindowEnds(
    receive: Promise<Message[] | Error>,
    endsAt: number,
  ): Promise<Message[] | Error | typeof WINDOW_ENDED> {
    const done = new AbortController();
    try {
      return await Promise.race([
        receive,
        untilTime(this.o.clock, endsAt, done.signal).then((): typeof WINDOW_ENDED => WINDOW_ENDED),
      ]);
    } finally {
      done.abort();
    }
  }

  /** One long poll; a failure is returned, so that a receive nobody awaits yet cannot reject unhandled. */
  private async receive(waitSeconds: number, max: number): Promise<Message[] | Error> {
    const { sqs, queueUrl } = this.o;
    const ended = new AbortController();
    const stop = (): void => ended.abort();
    this.stopper.signal.addEventListener('abort', stop);
    try {
      const { Messages = [] } = await sqs.receiveMessage(
        {
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(RECEIVE_MESSAGES.max, max),
          WaitTimeSeconds: waitSeconds,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        },
        { abortSignal: ended.signal },
      );
      return Messages;
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    } finally {
      this.stopper.signal.removeEventListener('abort', stop);
    }
  }

  private async process(batch: Message[]): Promise<void> {
    const { mapping, fn, log } = this.o;
    const records = batch.map((m) => toRecord(m, this.o.queueArn, this.o.region));
    const matching = records.filter((r) => matchesFilters(mapping.filters, r));
    const filteredOut = records.filter((r) => !matching.includes(r));
    // As with Lambda, messages that match no filter are deleted without invoking the function.
    if (filteredOut.length > 0) {
      await this.delete(filteredOut);
      this.o.activity?.filtered({ function: fn.FunctionName, queue: mapping.QueueName, records: filteredOut.length });
      log.debug(
        `poller: ${fn.FunctionName} <- ${mapping.QueueName}: ${filteredOut.length} message(s) matched no filter, deleted without invoking`,
        {
          function: fn.FunctionName,
          queue: mapping.QueueName,
          records: filteredOut.length,
          messageIds: filteredOut.map((r) => r.messageId),
        },
      );
    }
    if (matching.length === 0) return;

    const context = lambdaContext(fn.FunctionName, this.o.region, this.o.account, fn.Timeout * 1000, this.o.clock);
    const started = Date.now();
    const report = {
      function: fn.FunctionName,
      queue: mapping.QueueName,
      invocationId: context.awsRequestId,
      at: started,
    };
    const inv = await invoke(
      this.o.handler,
      { Records: matching },
      context,
      fn.Timeout * 1000,
      this.o.clock,
      context.deadlineMs,
      log,
    );
    const ms = Date.now() - started;
    const ids = new Set(matching.map((r) => r.messageId));
    const outcome = batchOutcome(inv, mapping.ReportBatchItemFailures, ids);
    const what = `${fn.FunctionName}: ${matching.length} message(s) from ${mapping.QueueName}`;
    const fields = {
      function: fn.FunctionName,
      queue: mapping.QueueName,
      invocation: context.awsRequestId,
      records: matching.length,
      durationMs: ms,
    };
    if (outcome.kind === 'failure') {
      log.warn(`invoke ${what}: failed in ${ms} ms (${outcome.reason}); the batch will be retried`, {
        ...fields,
        outcome: 'failed',
      });
      this.o.activity?.invoked({
        ...report,
        records: matching.length,
        outcome: 'failed',
        retried: matching.length,
        durationMs: ms,
        error: outcome.reason,
      });
      return;
    }
    let kept = new Set<string>();
    if (outcome.kind === 'partial') {
      const fifo = mapping.QueueName.endsWith('.fifo');
      kept = fifo
        ? keepGroupOrder(
            matching.map((r) => ({
              id: r.messageId,
              ...(r.attributes.MessageGroupId ? { group: r.attributes.MessageGroupId } : {}),
            })),
            outcome.failed,
          )
        : outcome.failed;
    }
    await this.delete(matching.filter((r) => !kept.has(r.messageId)));
    const result =
      kept.size === 0
        ? 'succeeded'
        : kept.size === matching.length
          ? `reported every message as failed (${kept.size} to retry)`
          : `partly succeeded (${kept.size} to retry)`;
    log.info(`invoke ${what}: ${result} in ${ms} ms`, {
      ...fields,
      outcome: kept.size === 0 ? 'ok' : 'partial',
      retried: kept.size,
    });
    this.o.activity?.invoked({
      ...report,
      records: matching.length,
      outcome: kept.size === 0 ? 'ok' : 'partial',
      retried: kept.size,
      durationMs: ms,
    });
  }

  private async delete(records: SqsRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += MAX_BATCH_ENTRIES) {
      const Entries = records
        .slice(i, i + MAX_BATCH_ENTRIES)
        .map((r, k) => ({ Id: String(k), ReceiptHandle: r.receiptHandle }));
      const { Failed = [] } = await this.o.sqs.deleteMessageBatch({ QueueUrl: this.o.queueUrl, Entries });
      for (const f of Failed) this.o.log.warn(`poller: delete failed: ${f.Code} ${f.Message}`);
    }
  }
}
