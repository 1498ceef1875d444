/**
 * Commits the partitions' settled positions (PartitionTracker.commitCandidate) every `intervalMs` after a settle
 * moved one, one commit request at a time, and once more on stop. A failed commit is retried at the next interval.
 */
import type { Logger } from '../../spec/runtime-contract.js';
import type { TopicPartition } from './driver.js';
import type { PartitionTracker } from './partition-tracker.js';

export interface OffsetCommitterOptions {
  intervalMs: number;
  /** The current generation's trackers (a re-join replaces them). */
  trackers(): Iterable<PartitionTracker>;
  commit(offsets: Array<TopicPartition & { offset: string }>): Promise<void>;
  log: Logger;
}

export class OffsetCommitter {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly o: OffsetCommitterOptions) {}

  /** A position moved: commit within the interval. */
  schedule(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // One commit at a time; one that is due meanwhile goes after it.
      if (this.running) this.again = true;
      else void this.run();
    }, this.o.intervalMs);
  }

  /** On stop: no more scheduled commits; after any commit in flight, commit what settled since. */
  async final(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.running) await this.running;
    await this.commit();
  }

  private run(): Promise<void> {
    this.running = this.commit().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.schedule();
      }
    });
    return this.running;
  }

  private async commit(): Promise<void> {
    const due: Array<{ tracker: PartitionTracker; position: bigint }> = [];
    for (const tracker of this.o.trackers()) {
      const position = tracker.commitCandidate();
      if (position !== undefined) due.push({ tracker, position });
    }
    if (due.length === 0) return;
    try {
      await this.o.commit(
        due.map((d) => ({ topic: d.tracker.topic, partition: d.tracker.partition, offset: d.position.toString() })),
      );
      for (const d of due) d.tracker.markCommitted(d.position);
    } catch (err) {
      this.o.log.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'kafka: offset commit failed; retrying',
      );
      this.again = true;
    }
  }
}
