/**
 * /metrics with `--workers N`: a scrape reaches one worker, which answers with the counters of
 * every worker summed and with the gauges it reads from Redis itself (once: they are the same from
 * every worker). The summing is prom-client's AggregatorRegistry: the worker asks the primary over
 * the cluster's IPC channel; the primary asks every worker for its counting registry as JSON
 * (prom-client's own messages), sums them, and adds its own counters (the pollers run there).
 */
import cluster, { type Worker } from 'node:cluster';
import type { Registry } from 'prom-client';
import type { PollerActivity } from '../lambda/activity.js';
import { PollerCounters } from './poller-metrics.js';

type Ask = { redsqsMetrics: 'ask'; id: number };
type Answer = { redsqsMetrics: 'answer'; id: number; text?: string; error?: string };

const isAsk = (m: unknown): m is Ask =>
  typeof m === 'object' && m !== null && (m as { redsqsMetrics?: unknown }).redsqsMetrics === 'ask';
const isAnswer = (m: unknown): m is Answer =>
  typeof m === 'object' && m !== null && (m as { redsqsMetrics?: unknown }).redsqsMetrics === 'answer';

/** prom-client gives up on a worker's answer after 5 s; a little more here. */
const ANSWER_TIMEOUT_MS = 6_000;

/** A worker's side. */
export interface MetricsCluster {
  /** Answers the primary's requests with `registry` (before the worker listens: none goes unanswered). */
  share(registry: Registry): Promise<void>;
  /** Every worker's counting registry summed, and the primary's: rejects when the primary does not answer. */
  collect(): Promise<string>;
  close(): void;
}

export function workerMetrics(): MetricsCluster {
  let next = 0;
  const waiting = new Map<number, { done(a: Answer): void }>();
  const onMessage = (message: unknown): void => {
    if (isAnswer(message)) waiting.get(message.id)?.done(message);
  };
  process.on('message', onMessage);
  return {
    async share(registry) {
      const { AggregatorRegistry } = await import('prom-client');
      AggregatorRegistry.setRegistries([registry]);
      // Its constructor starts prom-client's answering of the primary's requests, in a worker.
      new AggregatorRegistry();
    },
    collect() {
      return new Promise((resolve, reject) => {
        const id = next++;
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error('the primary did not answer'));
        }, ANSWER_TIMEOUT_MS);
        waiting.set(id, {
          done(a) {
            clearTimeout(timer);
            waiting.delete(id);
            if (a.text !== undefined) resolve(a.text);
            else reject(new Error(a.error ?? 'no metrics'));
          },
        });
        const ask: Ask = { redsqsMetrics: 'ask', id };
        try {
          process.send?.(ask);
        } catch (err) {
          waiting.get(id)?.done({ redsqsMetrics: 'answer', id, error: String(err) });
        }
      });
    },
    close() {
      process.off('message', onMessage);
      for (const [id, w] of waiting) w.done({ redsqsMetrics: 'answer', id, error: 'closing' });
    },
  };
}

/**
 * The primary's side: answers the workers' requests. The pollers' counters start now; prom-client
 * loads on the first request.
 */
export function serveWorkerMetrics(activity?: PollerActivity): { close(): void } {
  const pollers = new PollerCounters();
  const unobserve = activity?.observe(pollers);
  let registries: Promise<{ workers: { clusterMetrics(): Promise<string> }; own: Registry }> | undefined;
  const load = () => {
    registries ??= import('prom-client').then(({ AggregatorRegistry, Registry }) => {
      const own = new Registry();
      // Only when there are pollers: a family with no series would still print its HELP and TYPE.
      if (activity) pollers.register(own);
      return { workers: new AggregatorRegistry(), own };
    });
    return registries;
  };
  const onMessage = (worker: Worker, message: unknown): void => {
    if (!isAsk(message)) return;
    const answer = (a: Omit<Answer, 'redsqsMetrics' | 'id'>): void => {
      try {
        worker.send({ redsqsMetrics: 'answer', id: message.id, ...a } satisfies Answer);
      } catch {
        // its channel is gone: it is exiting
      }
    };
    load()
      .then(async ({ workers, own }) => {
        const [summed, mine] = await Promise.all([workers.clusterMetrics(), own.metrics()]);
        answer({ text: summed + mine });
      })
      .catch((err: unknown) => answer({ error: err instanceof Error ? err.message : String(err) }));
  };
  cluster.on('message', onMessage);
  return {
    close() {
      cluster.off('message', onMessage);
      unobserve?.();
    },
  };
}
