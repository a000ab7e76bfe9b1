/**
 * Metric families whose values live in plain numbers until a scrape: the request path adds to a
 * field or a bucket (no label hashing, no string building, no allocation), and a scrape turns
 * them into prom-client's metric objects. prom-client's own Counter and Histogram hash their label
 * values on every inc/observe, even through a child (about 200 and 300 ns each, measured): more
 * than everything else metrics add to a request together.
 */
import type { Metric, MetricValueWithName, Registry } from 'prom-client';

export type Labels = Readonly<Record<string, string>>;

/** As the text format names them (prom-client's MetricType enum is numeric in its types only). */
export type FamilyType = 'counter' | 'gauge' | 'histogram';

/** Counts of a histogram: observations per bucket (not cumulative), their sum and their number. */
export class Buckets {
  /** counts[i]: observations in (bounds[i-1], bounds[i]]; the last: above every bound. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const { bounds } = this;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += value;
    this.count++;
  }
}

/** A histogram's series in the Prometheus shape: cumulative `_bucket`s up to +Inf, `_sum`, `_count`. */
export function histogramValues(name: string, labels: Labels, b: Buckets): MetricValueWithName<string>[] {
  const out: MetricValueWithName<string>[] = [];
  let cumulative = 0;
  for (let i = 0; i < b.bounds.length; i++) {
    cumulative += b.counts[i] as number;
    out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: b.bounds[i] as number }, value: cumulative });
  }
  out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: b.count });
  out.push({ metricName: `${name}_sum`, labels, value: b.sum });
  out.push({ metricName: `${name}_count`, labels, value: b.count });
  return out;
}

/**
 * Registers a family whose values `read` gives at scrape time. The registry calls `get()` of each
 * metric synchronously when `metrics()` starts, so a snapshot set just before is what every family sees.
 */
export function registerFamily(
  registry: Registry,
  name: string,
  help: string,
  type: FamilyType,
  read: () => MetricValueWithName<string>[],
): void {
  const family = {
    name,
    help,
    type,
    aggregator: 'sum' as const,
    get: async () => ({ name, help, type, aggregator: 'sum' as const, values: read() }),
    reset: () => undefined,
  };
  // prom-client reads a metric through name, help, type and get(); its Metric union names only its
  // own classes.
  registry.registerMetric(family as unknown as Metric);
}
