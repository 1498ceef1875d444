/**
 * One partition's records between "taken into the flow" and "committed". Records settle out of order (sinks batch,
 * branches differ), but a Kafka commit is a single position: everything below it is done. So the committable
 * position is the offset after the longest prefix of taken records that all settled ok, in the order they were
 * taken (offsets may have gaps: compaction, transaction markers).
 *
 * A nack stops that prefix for good: the failed record and everything taken after it are dropped (their later
 * settles are ignored) and the partition must be re-read from the failed record (`rewindTo`).
 */
const PENDING = 0;
const OK = 1;

export interface Taken {
  readonly offset: bigint;
  state: number;
  /** False once a rewind dropped it: its settle no longer counts. */
  live: boolean;
}

export type SettleEffect = 'none' | 'advanced' | 'rewind';

export class PartitionTracker {
  private queue: Taken[] = [];
  private head = 0;
  /** Offset after the settled prefix: safe to commit. */
  private safe: bigint | undefined;
  /** The last position committed to the group. */
  committed: bigint | undefined;
  /** The next offset to take; records below it were taken already (a re-fetch skips them). */
  next: bigint | undefined;
  /** Set by a nack: the partition must be read again from here. */
  rewindTo: bigint | undefined;
  /** Set when the seek for a rewind was issued: the next batch must start there. */
  seekedTo: bigint | undefined;
  seekChecks = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  /** Taken and not yet settled (or settled but behind an unsettled one). */
  get inFlight(): number {
    return this.queue.length - this.head;
  }

  take(offset: bigint): Taken {
    const t: Taken = { offset, state: PENDING, live: true };
    this.queue.push(t);
    this.next = offset + 1n;
    return t;
  }

  settle(t: Taken, ok: boolean): SettleEffect {
    if (!t.live || t.state !== PENDING) return 'none';
    if (ok) {
      t.state = OK;
      return this.advance() ? 'advanced' : 'none';
    }
    // Drop the failed record and everything after it; they will be taken again after the rewind.
    const at = this.queue.indexOf(t, this.head);
    for (let i = at; i < this.queue.length; i++) this.queue[i].live = false;
    this.queue.length = at;
    this.next = t.offset;
    if (this.rewindTo === undefined || t.offset < this.rewindTo) this.rewindTo = t.offset;
    this.advance();
    return 'rewind';
  }

  /** The position to commit now, if it moved past the last commit. */
  commitCandidate(): bigint | undefined {
    if (this.safe === undefined) return undefined;
    return this.committed === undefined || this.safe > this.committed ? this.safe : undefined;
  }

  markCommitted(position: bigint): void {
    if (this.committed === undefined || position > this.committed) this.committed = position;
  }

  private advance(): boolean {
    let moved = false;
    while (this.head < this.queue.length && this.queue[this.head].state === OK) {
      this.safe = this.queue[this.head].offset + 1n;
      this.head++;
      moved = true;
    }
    // Drop the settled prefix now and then, not on every settle.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return moved;
  }
}
