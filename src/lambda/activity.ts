/**
 * What the pollers do, for whoever watches: each mapping as it starts, and the result of every
 * invocation and every batch of filtered-out messages. The pollers report here; metrics, the
 * pollers' stats and the event stream subscribe. Nothing is kept here: a report with no
 * subscriber costs one loop over an empty list.
 */

import type { FilteredReport, InvocationReport, PollerMapping } from '../domain.js';

export type { FilteredReport, InvocationReport } from '../domain.js';

/** One event source mapping, as started. */
export type MappingInfo = PollerMapping;

export interface PollerObserver {
  mappingStarted?(info: MappingInfo): void;
  invoked?(report: InvocationReport): void;
  filtered?(report: FilteredReport): void;
}

export class PollerActivity {
  private observers: PollerObserver[] = [];

  /** Adds an observer; returns the function that removes it. */
  observe(observer: PollerObserver): () => void {
    this.observers = [...this.observers, observer];
    return () => {
      this.observers = this.observers.filter((o) => o !== observer);
    };
  }

  mappingStarted(info: MappingInfo): void {
    for (const o of this.observers) guard(() => o.mappingStarted?.(info));
  }

  invoked(report: InvocationReport): void {
    for (const o of this.observers) guard(() => o.invoked?.(report));
  }

  filtered(report: FilteredReport): void {
    for (const o of this.observers) guard(() => o.filtered?.(report));
  }
}

/** An observer's failure is its own: the poller goes on. */
function guard(report: () => void): void {
  try {
    report();
  } catch {
    // ignored on purpose
  }
}
