/**
 * Event-loop lag by timer drift: a timer due every `intervalMs` that fires late measures how long the loop was busy.
 * `/healthz` reports the largest lag seen over the last `windowMs` (a blocked loop answers nothing at all; once it
 * answers again, the stall it just had stays visible for a window, long enough for a liveness probe to see it).
 */
/** `/healthz` is unhealthy beyond this lag by default (ms): far above GC pauses, well below a probe's timeout. */
export const DEFAULT_MAX_LAG_MS = 1000;

export interface LagOptions {
  intervalMs?: number;
  windowMs?: number;
}

export class LagSampler {
  private readonly intervalMs: number;
  private readonly windowMs: number;
  private readonly samples: Array<{ at: number; lagMs: number }> = [];
  private last = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(options: LagOptions = {}) {
    this.intervalMs = options.intervalMs ?? 100;
    this.windowMs = options.windowMs ?? 5_000;
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  /** The largest lag (ms) over the last window, including the stall going on now (time since the last tick). */
  maxLagMs(): number {
    const now = performance.now();
    this.prune(now);
    let max = Math.max(0, now - this.last - this.intervalMs);
    for (const s of this.samples) if (s.lagMs > max) max = s.lagMs;
    return Math.round(max);
  }

  get window(): number {
    return this.windowMs;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    const now = performance.now();
    this.samples.push({ at: now, lagMs: Math.max(0, now - this.last - this.intervalMs) });
    this.last = now;
    this.prune(now);
  }

  private prune(now: number): void {
    while (this.samples.length > 0 && now - this.samples[0].at > this.windowMs) this.samples.shift();
  }
}
