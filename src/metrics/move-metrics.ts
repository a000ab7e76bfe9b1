/**
 * Messages moved between queues. Counted as each drain of an outbox reports them (Moves.observe),
 * by the instance that drained it: to the dead-letter queue after maxReceiveCount receives (a
 * ReceiveMessage drains), and by message move tasks (the instance holding the task's lease).
 * The progress of the active move tasks is read from Redis on scrape instead, the same from every
 * instance: the list of active tasks, then every task at once (one pipeline).
 */
import type { Registry } from 'prom-client';
import type { QueueRef } from '../domain.js';
import type { MovedBatch, MoveObserver, Moves, MoveTaskStatus } from '../store/moves.js';
import { type Labels, registerFamily } from './series.js';

interface Flow {
  readonly source: QueueRef;
  readonly labels: Labels;
  value: number;
}

export class MoveCounters implements MoveObserver {
  /** By source and target: one entry per pair of queues. */
  private readonly redriven = new Map<string, Flow>();
  private readonly byTasks = new Map<string, Flow>();

  moved(batch: MovedBatch): void {
    const { source, target } = batch;
    const dead = batch.kind === 'dead-letter';
    const flows = dead ? this.redriven : this.byTasks;
    const key = `${source.account}/${source.name}\n${target.account}/${target.name}`;
    let f = flows.get(key);
    if (f === undefined) {
      f = {
        source,
        labels: {
          queue: source.name,
          account: source.account,
          [dead ? 'dead_letter_queue' : 'destination']: target.name,
        },
        value: 0,
      };
      flows.set(key, f);
    }
    f.value += batch.messages.length;
  }

  /** A deleted queue's series go, as its other counters do. */
  forget(q: QueueRef): void {
    for (const flows of [this.redriven, this.byTasks]) {
      for (const [key, f] of flows) if (f.source.account === q.account && f.source.name === q.name) flows.delete(key);
    }
  }

  register(r: Registry): void {
    registerFamily(
      r,
      'sqs_dead_letter_messages_moved_total',
      "Messages moved from the queue to its dead-letter queue (RedrivePolicy's maxReceiveCount reached).",
      'counter',
      () => [...this.redriven.values()].map((f) => ({ labels: f.labels, value: f.value })),
    );
    registerFamily(
      r,
      'sqs_move_task_messages_moved_total',
      'Messages moved from the queue by message move tasks, by destination queue.',
      'counter',
      () => [...this.byTasks.values()].map((f) => ({ labels: f.labels, value: f.value })),
    );
  }
}

/** An active move task (RUNNING or CANCELLING), as a scrape reads it. */
export interface MoveTaskRow {
  account: string;
  /** The source queue. */
  queue: string;
  /** The destination queue's name; '' when the messages go back to their source queues. */
  destination: string;
  status: MoveTaskStatus;
  moved: number;
  toMove: number;
}

/** Every instance's active move tasks: the listing, then the tasks together (one pipeline). */
export async function readMoveTasks(moves: Pick<Moves, 'activeTasks' | 'getTask'>): Promise<MoveTaskRow[]> {
  const active = await moves.activeTasks();
  const tasks = await Promise.all(active.map((a) => moves.getTask(a.queue, a.taskId)));
  const rows: MoveTaskRow[] = [];
  tasks.forEach((task, i) => {
    // A listing left behind by a task that has ended (the task runner drops it).
    if (task === undefined || (task.Status !== 'RUNNING' && task.Status !== 'CANCELLING')) return;
    const { queue } = active[i] as { queue: QueueRef };
    rows.push({
      account: queue.account,
      queue: queue.name,
      destination: task.DestinationArn?.split(':').pop() ?? '',
      status: task.Status,
      moved: task.ApproximateNumberOfMessagesMoved,
      toMove: task.ApproximateNumberOfMessagesToMove,
    });
  });
  return rows;
}

export function registerMoveTaskGauges(r: Registry, rows: () => readonly MoveTaskRow[]): void {
  const gauge = (name: string, help: string, field: 'moved' | 'toMove') =>
    registerFamily(r, name, help, 'gauge', () =>
      rows().map((t) => ({
        labels: { queue: t.queue, account: t.account, destination: t.destination, status: t.status },
        value: t[field],
      })),
    );
  gauge(
    'sqs_move_task_approximate_number_of_messages_moved',
    'Messages an active message move task (RUNNING or CANCELLING) has moved so far, read from Redis ' +
      '(ApproximateNumberOfMessagesMoved of ListMessageMoveTasks).',
    'moved',
  );
  gauge(
    'sqs_move_task_approximate_number_of_messages_to_move',
    'Messages an active message move task set out to move, read from Redis (ApproximateNumberOfMessagesToMove).',
    'toMove',
  );
}
