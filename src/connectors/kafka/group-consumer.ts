/**
 * kafka-in's intake: a consumer group member that feeds records into the flow and commits only what settled.
 *
 * - Commits: per partition, the position after the longest prefix of taken records that all settled ok
 *   (PartitionTracker), every `commitIntervalMs`, once more on stop. Never auto-commit, so a crash or a stop loses
 *   nothing: the group re-reads from the last commit (and may deliver some records again: at-least-once).
 * - Back pressure: when the flow's in-flight window is full (`ingest` returns a promise) every partition is paused.
 *   The batch in hand waits a moment (heartbeating) so that a short stall costs no fetch round trip; a longer one
 *   returns the batch (the rest is fetched again after resume, from the last record taken).
 * - Nack: the partition is paused, and after `rewindDelayMs` re-read from the failed record (a seek). Commits stop
 *   below it. Records taken after it are dropped and read again, so they may reach sinks twice.
 * - Rebalance (any re-join): fetching restarts at the committed offsets, so trackers start afresh and settles of
 *   records taken before are ignored for commits (they were never committed, so they are read again).
 * - A crash the library does not restart from is restarted here with backoff.
 */
import { finishedWithin } from '../../kit/bounded.js';
import { backoffDelay, sleep } from '../../kit/retry.js';
import type { Message } from '../../spec/message.js';
import type { Logger, NodeStatus, Outcome, Settle } from '../../spec/runtime-contract.js';
import type { Codec } from './codec.js';
import type { BatchControl, ConsumerDriver, InBatch, TopicPartition } from './driver.js';
import { OffsetCommitter } from './offset-committer.js';
import { PartitionTracker, type Taken } from './partition-tracker.js';
import { inboundMessage } from './records.js';

/** How long a batch in hand waits for room in the flow before it is handed back (and the consumer stays paused). */
const HOLD_MS = 1_000;
const HOLD_SLICE_MS = 100;
/** Bounds on stop: a final commit and a group leave must not hang a shutdown when the cluster is away. */
const FINAL_COMMIT_MS = 5_000;
const DISCONNECT_MS = 10_000;

export interface GroupConsumerOptions {
  /** A fresh library consumer, for the first start and every restart. */
  createDriver(): ConsumerDriver;
  topics: string[];
  codec: Codec;
  commitIntervalMs: number;
  rewindDelayMs: number;
  restartDelayMs: number;
  restartMaxDelayMs: number;
  ingest(msg: Message, settle: Settle): undefined | Promise<void>;
  ingestFailed(msg: Message, reason: string, settle: Settle): undefined | Promise<void>;
  status(s: NodeStatus): void;
  log: Logger;
}

const keyOf = (topic: string, partition: number) => `${topic}:${partition}`;

export class GroupConsumer {
  private driver: ConsumerDriver | undefined;
  private trackers = new Map<string, PartitionTracker>();
  private readonly rewinding = new Map<PartitionTracker, NodeJS.Timeout>();
  private taking = true;
  private stopped = false;
  private blocked = false;
  private failures = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly committer: OffsetCommitter;
  private readonly intakeStopped: Promise<void>;
  private stopIntakeNow: () => void = () => {};

  constructor(private readonly o: GroupConsumerOptions) {
    this.intakeStopped = new Promise((resolve) => {
      this.stopIntakeNow = resolve;
    });
    this.committer = new OffsetCommitter({
      intervalMs: o.commitIntervalMs,
      trackers: () => this.trackers.values(),
      commit: (offsets) => (this.driver ? this.driver.commit(offsets) : Promise.resolve()),
      log: o.log,
    });
  }

  /** Connects, subscribes and joins in the background: a cluster that is down delays nothing else in the flow. */
  start(): void {
    this.o.status({ state: 'connecting' });
    void this.launch();
  }

  /** Take no more records; commits go on while the engine drains what is in flight. */
  stopIntake(): void {
    this.taking = false;
    this.stopIntakeNow();
    for (const timer of this.rewinding.values()) clearTimeout(timer);
    this.rewinding.clear();
    this.applyPauses();
  }

  /** Commit what settled, then leave the group. */
  async stop(): Promise<void> {
    this.stopIntake();
    this.stopped = true;
    clearTimeout(this.restartTimer);
    const driver = this.driver;
    if (!driver) return;
    if (!(await finishedWithin(this.committer.final(), FINAL_COMMIT_MS))) {
      this.o.log.warn('kafka: the final offset commit did not finish in time; those records will be read again');
    }
    this.driver = undefined;
    if (
      !(await finishedWithin(
        driver.disconnect().catch(() => undefined),
        DISCONNECT_MS,
      ))
    ) {
      this.o.log.warn('kafka: leaving the consumer group did not finish in time');
    }
  }

  snapshot(): unknown {
    return {
      paused: this.blocked || !this.taking,
      rewinding: this.rewinding.size,
      partitions: [...this.trackers.values()].map((t) => ({
        topic: t.topic,
        partition: t.partition,
        inFlight: t.inFlight,
        committed: t.committed?.toString(),
      })),
    };
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  private async launch(): Promise<void> {
    if (this.stopped) return;
    const driver = this.o.createDriver();
    this.driver = driver;
    try {
      await driver.run((batch, control) => this.onBatch(driver, batch, control), {
        joined: (assignment) => this.onJoined(driver, assignment),
        crashed: (err, restarting) => this.onCrashed(driver, err, restarting),
      });
    } catch (err) {
      this.onCrashed(driver, err instanceof Error ? err : new Error(String(err)), false);
    }
  }

  private onJoined(driver: ConsumerDriver, assignment: TopicPartition[]): void {
    if (driver !== this.driver) return;
    for (const timer of this.rewinding.values()) clearTimeout(timer);
    this.rewinding.clear();
    const fresh = new Map<string, PartitionTracker>();
    for (const tp of assignment) fresh.set(keyOf(tp.topic, tp.partition), new PartitionTracker(tp.topic, tp.partition));
    this.trackers = fresh;
    this.failures = 0;
    this.o.log.info({ assignment: assignment.map((tp) => keyOf(tp.topic, tp.partition)) }, 'kafka: joined the group');
    this.o.status({ state: 'connected' });
    this.applyPauses();
  }

  private onCrashed(driver: ConsumerDriver, err: Error, restarting: boolean): void {
    if (driver !== this.driver || this.stopped) return;
    this.o.status({ state: 'error', reason: err.message });
    if (restarting) return;
    const delay = backoffDelay(++this.failures, this.o.restartDelayMs, this.o.restartMaxDelayMs);
    this.o.log.warn({ err: err.message, retryInMs: delay }, 'kafka consumer failed; restarting');
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(async () => {
      await finishedWithin(
        driver.disconnect().catch(() => undefined),
        DISCONNECT_MS,
      );
      if (this.stopped || driver !== this.driver) return;
      this.o.status({ state: 'connecting' });
      await this.launch();
    }, delay);
  }

  // ---- intake ---------------------------------------------------------------------------------

  private async onBatch(driver: ConsumerDriver, batch: InBatch, control: BatchControl): Promise<void> {
    if (driver !== this.driver || !this.taking || this.blocked) return;
    const key = keyOf(batch.topic, batch.partition);
    let tracker = this.trackers.get(key);
    if (!tracker) {
      tracker = new PartitionTracker(batch.topic, batch.partition);
      this.trackers.set(key, tracker);
    }
    if (!this.seekLanded(tracker, batch, driver)) return;
    for (const r of batch.records) {
      if (!this.taking || tracker.rewindTo !== undefined || !control.usable()) return;
      const offset = BigInt(r.offset);
      if (tracker.next !== undefined && offset < tracker.next) continue;
      const taken = tracker.take(offset);
      const t = tracker;
      const settle = (outcome: Outcome) => this.onSettle(t, taken, outcome);
      const inbound = inboundMessage(batch.topic, batch.partition, r, this.o.codec);
      const wait =
        inbound.failure === undefined
          ? this.o.ingest(inbound.message, settle)
          : this.o.ingestFailed(inbound.message, inbound.failure, settle);
      // Fetch position only: the next fetch of this partition starts after this record.
      control.taken(r.offset);
      if (wait && !(await this.hold(wait, control))) return;
    }
  }

  /**
   * After a rewind, the first batch must start at the failed record: one that starts later was fetched from a
   * position the seek did not reach, and taking it would let commits pass the failed record. Seek again (a few
   * times: if the record is gone, e.g. deleted by retention, the partition goes on from what the broker has).
   */
  private seekLanded(tracker: PartitionTracker, batch: InBatch, driver: ConsumerDriver): boolean {
    const expected = tracker.seekedTo;
    const first = batch.records[0];
    if (expected === undefined || !first) return true;
    if (BigInt(first.offset) === expected || ++tracker.seekChecks > 5) {
      if (BigInt(first.offset) !== expected) {
        this.o.log.warn(
          { topic: batch.topic, partition: batch.partition, expected: String(expected), got: first.offset },
          'kafka: the failed record is no longer on the broker; going on from the next one',
        );
      }
      tracker.seekedTo = undefined;
      tracker.seekChecks = 0;
      return true;
    }
    driver.seek({ topic: batch.topic, partition: batch.partition }, expected.toString());
    return false;
  }

  /** The flow is full: pause everything; wait briefly for room. True when the batch may go on. */
  private async hold(wait: Promise<void>, control: BatchControl): Promise<boolean> {
    let released = false;
    this.blocked = true;
    this.applyPauses();
    void wait.then(() => {
      released = true;
      this.blocked = false;
      this.applyPauses();
    });
    const until = Date.now() + HOLD_MS;
    while (!released && this.taking && Date.now() < until) {
      await Promise.race([wait, sleep(HOLD_SLICE_MS), this.intakeStopped]);
      if (released || !control.usable()) break;
      try {
        await control.heartbeat();
      } catch {
        return false; // the group is rebalancing: hand the batch back
      }
    }
    return released && this.taking && control.usable();
  }

  private applyPauses(): void {
    const driver = this.driver;
    if (!driver) return;
    const topics = this.o.topics.map((topic) => ({ topic }));
    if (!this.taking || this.blocked) {
      driver.pause(topics);
      return;
    }
    driver.resume(topics);
    if (this.rewinding.size === 0) return;
    const byTopic = new Map<string, number[]>();
    for (const t of this.rewinding.keys()) byTopic.set(t.topic, [...(byTopic.get(t.topic) ?? []), t.partition]);
    driver.pause([...byTopic].map(([topic, partitions]) => ({ topic, partitions })));
  }

  // ---- settle and rewind ---------------------------------------------------------------------

  private onSettle(tracker: PartitionTracker, taken: Taken, outcome: Outcome): void {
    // A re-join since it was taken: the group reads it again from the committed offset; this settle is moot.
    if (this.trackers.get(keyOf(tracker.topic, tracker.partition)) !== tracker) return;
    const effect = tracker.settle(taken, outcome.ok);
    if (effect === 'none') return;
    this.committer.schedule();
    if (effect === 'rewind') this.rewind(tracker, outcome.ok ? '' : outcome.reason);
  }

  private rewind(tracker: PartitionTracker, reason: string): void {
    // While stopping, the commit simply stays below the failed record: the next start reads it again.
    if (!this.taking || this.rewinding.has(tracker)) return;
    this.o.log.warn(
      { topic: tracker.topic, partition: tracker.partition, offset: String(tracker.rewindTo), reason },
      `kafka: a record failed; reading the partition again from it in ${this.o.rewindDelayMs} ms`,
    );
    const timer = setTimeout(() => {
      this.rewinding.delete(tracker);
      const to = tracker.rewindTo;
      if (!this.taking || this.trackers.get(keyOf(tracker.topic, tracker.partition)) !== tracker || to === undefined)
        return;
      tracker.rewindTo = undefined;
      tracker.seekedTo = to;
      this.driver?.seek({ topic: tracker.topic, partition: tracker.partition }, to.toString());
      this.applyPauses();
    }, this.o.rewindDelayMs);
    this.rewinding.set(tracker, timer);
    this.applyPauses();
  }
}
