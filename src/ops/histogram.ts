/**
 * A Prometheus histogram for the message path. prom-client's Histogram validates and hashes the labels on every
 * observe (even through `.labels()`), which cost ~1 us per message in the ops benchmark; a series here is a plain
 * object the caller keeps, and an observe is a short scan and two additions. It registers in a prom-client Registry
 * like any metric (the registry only calls `get()` and, on reset, `reset()`).
 */
import type { Registry } from 'prom-client';

export class HistogramSeries {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && value > b[i]) i++;
    if (i < b.length) this.counts[i]++;
    this.sum += value;
    this.count++;
  }
}

interface Entry {
  labels: Record<string, string>;
  series: HistogramSeries;
}

export class FastHistogram {
  readonly type = 'histogram';
  private readonly series = new Map<string, Entry>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    // Duck-typed: what a Registry reads of a metric (name, help, type, get, reset).
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** The series of these label values (created on first use); keep it and observe on it. */
  child(labels: Record<string, string>): HistogramSeries {
    const key = JSON.stringify(labels);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { labels: { ...labels }, series: new HistogramSeries(this.buckets) };
      this.series.set(key, entry);
    }
    return entry.series;
  }

  remove(labels: Record<string, string>): void {
    this.series.delete(JSON.stringify(labels));
  }

  reset(): void {
    this.series.clear();
  }

  get() {
    const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = [];
    for (const { labels, series } of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += series.counts[i];
        values.push({ labels: { ...labels, le: bound }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { ...labels, le: '+Inf' }, value: series.count, metricName: `${this.name}_bucket` });
      values.push({ labels, value: series.sum, metricName: `${this.name}_sum` });
      values.push({ labels, value: series.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' as const };
  }
}
