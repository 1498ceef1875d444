/**
 * Collects items into batches by size and linger time and flushes them one batch at a time (order kept).
 * `add` resolves when the batch holding the item has been flushed (e.g. committed), or rejects with its error:
 * exactly what a sink's `handle` returns, so the engine acks each message only after its batch landed. It returns
 * a Completion rather than a promise: one object per waiting item (see completion.ts).
 */
import { Completion, type Settleable } from './completion.js';
import { currentMeter, enterMeter } from './meter.js';

export interface BatcherOptions<T> {
  maxSize: number;
  lingerMs: number;
  /** Write one batch. Throw to fail every item in it. */
  flush: (items: T[]) => Promise<void>;
  /** Per-item failures: return a map of index -> error to fail only those items (the rest succeed). */
  flushPartial?: (items: T[]) => Promise<Map<number, Error>>;
}

class Entry<T> extends Completion {
  constructor(readonly item: T) {
    super();
  }
}

export class Batcher<T> {
  private pending: Entry<T>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private flushing = false;
  private closed = false;
  /** When the oldest pending item arrived: linger counts from there, not from the last flush. */
  private oldestAt = 0;
  /** The node that created this batcher (see meter.ts): told each batch's size; its retries count there too. */
  private readonly meter = currentMeter();

  constructor(private readonly options: BatcherOptions<T>) {}

  get size(): number {
    return this.pending.length;
  }

  /** A batch is being written (the next one waits for it). */
  get sending(): boolean {
    return this.flushing;
  }

  add(item: T): Settleable {
    if (this.closed) return Completion.rejected(new Error('the sink is closed'));
    const entry = new Entry(item);
    if (this.pending.length === 0) this.oldestAt = Date.now();
    this.pending.push(entry);
    if (this.pending.length >= this.options.maxSize) this.kick();
    else if (!this.timer) this.timer = setTimeout(() => this.kick(), this.options.lingerMs);
    return entry;
  }

  /** Flush what is pending now and wait for every flush to finish. */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.flushing) {
      this.kick();
      await this.running;
    }
  }

  async close(): Promise<void> {
    await this.drain();
    this.closed = true;
  }

  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.flushing || this.pending.length === 0) return;
    this.flushing = true;
    const batch = this.pending.splice(0, this.options.maxSize);
    if (this.pending.length > 0) this.oldestAt = Date.now();
    this.running = this.write(batch).finally(() => {
      this.flushing = false;
      // Items that arrived during the flush go out now if a full batch waits or the oldest has lingered enough.
      if (this.pending.length >= this.options.maxSize) this.kick();
      else if (this.pending.length > 0 && !this.timer) {
        const left = this.options.lingerMs - (Date.now() - this.oldestAt);
        if (left <= 0) this.kick();
        else this.timer = setTimeout(() => this.kick(), left);
      }
    });
  }

  private async write(batch: Entry<T>[]): Promise<void> {
    const items = batch.map((e) => e.item);
    this.meter?.batch(items.length);
    try {
      if (this.options.flushPartial) {
        const failures = await this.asOwner(this.options.flushPartial, items);
        batch.forEach((e, i) => {
          const err = failures.get(i);
          if (err) e.reject(err);
          else e.resolve();
        });
      } else {
        await this.asOwner(this.options.flush, items);
        for (const e of batch) e.resolve();
      }
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      for (const e of batch) e.reject(error);
    }
  }

  /** Starts a flush as the owning node (until its first await), so a withRetry it starts counts for that node. */
  private asOwner<R>(flush: (items: T[]) => Promise<R>, items: T[]): Promise<R> {
    const previous = enterMeter(this.meter);
    try {
      return flush(items);
    } finally {
      enterMeter(previous);
    }
  }
}
