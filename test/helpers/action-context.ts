/**
 * The ActionContext of the action unit tests: the fake store, move tasks kept in memory, an
 * injected clock, and helpers to read the SqsError an action rejects with.
 */
import type { ActionContext, ActionMoves } from '../../src/actions/context.js';
import { type Config, DEFAULTS } from '../../src/config.js';
import type { QueueRef } from '../../src/domain.js';
import { SqsError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { DrainResult, MoveTask, MoveTaskChange } from '../../src/store/moves.js';
import { Notifier } from '../../src/store/notifier.js';
import { FakeStore, keyOf } from './fake-store.js';

/** Move tasks kept in memory; drains are recorded and move nothing (redrive is the store tests' job). */
export class FakeMoves implements ActionMoves {
  /** Queue key -> task id -> task. */
  readonly tasks = new Map<string, Map<string, MoveTask>>();
  readonly drained: QueueRef[] = [];
  drainError: Error | undefined;

  constructor(private readonly store: FakeStore) {}

  async drainOutbox(q: QueueRef): Promise<DrainResult> {
    this.drained.push(q);
    if (this.drainError) throw this.drainError;
    return { moved: 0, returned: 0, unroutable: [], missing: [], batches: [] };
  }

  async startTask(q: QueueRef, _now: number, taskId: string, task: MoveTask): Promise<MoveTask | 'busy' | undefined> {
    if (!this.store.queue(q)) return undefined;
    const tasks = this.tasks.get(keyOf(q)) ?? new Map<string, MoveTask>();
    if ([...tasks.values()].some((t) => t.Status === 'RUNNING' || t.Status === 'CANCELLING')) return 'busy';
    tasks.set(taskId, { ...task });
    this.tasks.set(keyOf(q), tasks);
    return task;
  }

  async updateTask(
    q: QueueRef,
    taskId: string,
    change: MoveTaskChange,
  ): Promise<MoveTask | 'wrong-status' | undefined> {
    const task = this.tasks.get(keyOf(q))?.get(taskId);
    if (!task) return undefined;
    if (change.requireStatus && task.Status !== change.requireStatus) return 'wrong-status';
    task.ApproximateNumberOfMessagesMoved += change.moved ?? 0;
    if (change.status) task.Status = change.status;
    return { ...task };
  }

  async listTasks(q: QueueRef): Promise<MoveTask[]> {
    return [...(this.tasks.get(keyOf(q))?.values() ?? [])].sort((a, b) => b.StartedTimestamp - a.StartedTimestamp);
  }
}

export interface TestContext {
  ctx: ActionContext;
  store: FakeStore;
  moves: FakeMoves;
  /** Moves the injected clock forward. */
  advance(ms: number): void;
  /** Lines the actions logged at warn level. */
  warnings: string[];
  /** Aborts the context's signal, as when a long-polling client goes away. */
  abort(): void;
  url(name: string): string;
}

export const BASE_URL = 'http://localhost:9324';
export const START_MS = 1_700_000_000_123;

export function testContext(config: Partial<Config> = {}): TestContext {
  let now = START_MS;
  const clock = () => now;
  const store = new FakeStore();
  const moves = new FakeMoves(store);
  const warnings: string[] = [];
  const log: Logger = {
    debugEnabled: false,
    debug: () => undefined,
    info: () => undefined,
    warn: (m) => warnings.push(m),
    error: () => undefined,
  };
  const controller = new AbortController();
  const cfg: Config = { ...DEFAULTS, ...config };
  // Without a subscriber the real Notifier is in-memory; no linger, so no timers are left behind.
  const notifier = new Notifier(undefined, clock, 0);
  store.announce = (channel) => notifier.announce(channel, 0, 0);
  const ctx: ActionContext = {
    store,
    config: cfg,
    longPolls: notifier,
    moves,
    log,
    now: clock,
    baseUrl: BASE_URL,
    signal: controller.signal,
    account: cfg.accountId,
  };
  return {
    ctx,
    store,
    moves,
    advance: (ms) => {
      now += ms;
    },
    warnings,
    abort: () => controller.abort(),
    url: (name) => `${BASE_URL}/${cfg.accountId}/${name}`,
  };
}

/** The SqsError a promise rejects with; fails the test if it resolves or rejects with anything else. */
export async function sqsError(promise: Promise<unknown>): Promise<SqsError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof SqsError) return err;
    throw err;
  }
  throw new Error('expected an SqsError, but the action succeeded');
}

/** Code and message of the SqsError a promise rejects with, for one toEqual. */
export async function actionError(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const err = await sqsError(promise);
  return { code: err.code, message: err.message };
}
