/**
 * kafka-out's delivery path: records are collected into batches (size and linger) and each batch goes out as one
 * produce call; every message's promise settles when the broker acknowledged the batch that holds it.
 *
 * Failures: a retriable one (broker away, leader moving, timeout) retries the whole batch with backoff until the
 * attempts run out, then fails every message in it, so nothing waits without bound. A non-retriable one (a record
 * too large, a topic the client may not write) is some record's own problem: the batch is split in halves until
 * the culprits are found, and only they fail. Records of a failed request may have landed in part: retries can
 * duplicate (at-least-once; the message id header lets consumers de-duplicate).
 */
import { Batcher } from '../../kit/batcher.js';
import type { Settleable } from '../../kit/completion.js';
import { retryOptions, withRetry } from '../../kit/retry.js';
import type { Logger } from '../../spec/runtime-contract.js';
import { DriverError, type OutRecord, type SendOptions } from './driver.js';

export interface SinkOptions {
  send(records: OutRecord[], options: SendOptions): Promise<void>;
  sendOptions: SendOptions;
  batchSize: number;
  lingerMs: number;
  /** Batches in flight at once: one lane each; records with the same key share a lane, which keeps their order. */
  lanes: number;
  attempts: number;
  retryDelayMs: number;
  retryMaxDelayMs: number;
  signal: AbortSignal;
  log: Logger;
}

const retriable = (err: unknown) => err instanceof DriverError && err.retriable;

/** FNV-1a: cheap, and the same key always picks the same lane. */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class KafkaSink {
  private readonly lanes: Batcher<OutRecord>[];
  private next = 0;

  constructor(private readonly o: SinkOptions) {
    // A Batcher sends one batch at a time (its order is kept); several lanes keep several batches in flight.
    this.lanes = Array.from(
      { length: Math.max(1, o.lanes) },
      () =>
        new Batcher<OutRecord>({
          maxSize: o.batchSize,
          lingerMs: o.lingerMs,
          flush: (records) => this.deliver(records),
          flushPartial: (records) => this.deliverPartial(records),
        }),
    );
  }

  /** Resolves when the broker acknowledged the record; rejects with the reason it was not. */
  add(record: OutRecord): Settleable {
    const n = this.lanes.length;
    if (n === 1) return this.lanes[0].add(record);
    if (record.key === null) return this.keylessLane().add(record);
    return this.lanes[hash(`${record.topic}\u0000${record.key}`) % n].add(record);
  }

  /**
   * Keyless records have no order to keep: they fill the lane that is collecting until it is sending or full, then
   * the next idle one. So batches stay as large as the rate allows (spreading records one by one over the lanes
   * made batches n times smaller and produce requests n times more frequent), and a new batch collects while
   * earlier ones await their acknowledgement.
   */
  private keylessLane(): Batcher<OutRecord> {
    const n = this.lanes.length;
    for (let i = 0; i < n; i++) {
      const at = (this.next + i) % n;
      const lane = this.lanes[at];
      if (!lane.sending && lane.size < this.o.batchSize) {
        this.next = at;
        return lane;
      }
    }
    return this.lanes[this.next]; // every lane busy: wait in the current one
  }

  /** Send what is waiting and wait for it (the engine has drained, so this is the tail). */
  async close(): Promise<void> {
    await Promise.all(this.lanes.map((l) => l.close()));
  }

  private deliver(records: OutRecord[]): Promise<void> {
    return withRetry(
      () => this.o.send(records, this.o.sendOptions),
      retryOptions(this.o, {
        signal: this.o.signal,
        retryable: retriable,
        onRetry: (err, attempt, delayMs) =>
          this.o.log.debug(
            { err: String(err), attempt, delayMs, records: records.length },
            'kafka send failed; retrying',
          ),
      }),
    );
  }

  private async deliverPartial(records: OutRecord[]): Promise<Map<number, Error>> {
    const failures = new Map<number, Error>();
    await this.isolate(
      records.map((_, i) => i),
      records,
      failures,
    );
    return failures;
  }

  /** Sends `indexes`; on a non-retriable failure of several records, halves them to find the bad ones. */
  private async isolate(indexes: number[], all: OutRecord[], failures: Map<number, Error>): Promise<void> {
    try {
      await this.deliver(indexes.map((i) => all[i]));
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      if (indexes.length === 1 || retriable(err) || this.o.signal.aborted) {
        for (const i of indexes) failures.set(i, error);
        return;
      }
      const half = Math.ceil(indexes.length / 2);
      await this.isolate(indexes.slice(0, half), all, failures);
      await this.isolate(indexes.slice(half), all, failures);
    }
  }
}
