/**
 * CPU and resident memory of this process over a measured interval: `process.cpuUsage()` (user + system) between
 * `start` and `stop`, the largest `process.memoryUsage.rss()` seen by `sample()` (call it from the run's poll
 * loop; it costs a few microseconds, so a call every 10 ms is noise), and the main-thread time spent in garbage
 * collection pauses (`gc` performance entries).
 */
import { type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';

export interface ResourceUse {
  /** User + system CPU time of this process, microseconds. */
  cpuUs: number;
  /** Largest resident set size sampled, bytes. */
  maxRss: number;
  /** Resident set size at `start`, bytes. */
  rssAtStart: number;
  /** Main-thread garbage collection pauses, milliseconds. */
  gcMs: number;
}

export class ResourceSampler {
  private cpu0 = process.cpuUsage();
  private rss0 = process.memoryUsage.rss();
  private max = this.rss0;
  private lastSample = 0;
  private gcMs = 0;
  private observer: PerformanceObserver | undefined;

  constructor(private readonly everyMs = 10) {}

  start(): this {
    this.gcMs = 0;
    this.observer?.disconnect();
    this.observer = new PerformanceObserver((list) => this.addGc(list.getEntries()));
    this.observer.observe({ entryTypes: ['gc'] });
    this.rss0 = process.memoryUsage.rss();
    this.max = this.rss0;
    this.cpu0 = process.cpuUsage();
    return this;
  }

  /** Samples RSS when `everyMs` has passed since the last sample. */
  sample(): void {
    const t = performance.now();
    if (t - this.lastSample < this.everyMs) return;
    this.lastSample = t;
    const rss = process.memoryUsage.rss();
    if (rss > this.max) this.max = rss;
  }

  stop(): ResourceUse {
    const cpu = process.cpuUsage(this.cpu0);
    this.lastSample = 0;
    this.sample();
    if (this.observer) {
      this.addGc(this.observer.takeRecords());
      this.observer.disconnect();
      this.observer = undefined;
    }
    return { cpuUs: cpu.user + cpu.system, maxRss: this.max, rssAtStart: this.rss0, gcMs: this.gcMs };
  }

  private addGc(entries: PerformanceEntry[]): void {
    for (const e of entries) this.gcMs += e.duration;
  }
}
