/**
 * Lineage of one ingested message: counts the copies and derived messages still in flight so the source
 * settles exactly once, when the last of them is delivered, dropped on purpose or taken by an error route.
 */
import type { Settle } from '../spec/runtime-contract.js';

export interface SourceWindow {
  max: number;
  inFlight: number;
  ingested: number;
  acked: number;
  nacked: number;
  waiters: Array<() => void>;
}

export class Lineage {
  /** Deliveries not yet completed; starts at 1 for the ingest itself. */
  pending = 1;
  failure: string | undefined;
  settled = false;
  /** Neighbours in the engine's list of open lineages (LiveLineages). */
  prev: Lineage | undefined = undefined;
  next: Lineage | undefined = undefined;

  constructor(
    readonly window: SourceWindow,
    readonly settle: Settle | undefined,
  ) {}
}

/**
 * The engine's open lineages: a list threaded through the lineages themselves. A Set did the same, but every
 * message's add and delete grew and shrank its hash table, and the new tables, held by a long-lived Set, outlived
 * young-generation GC: measured as part of what a busy flow promoted to the old generation.
 */
export class LiveLineages {
  private head: Lineage | undefined;
  size = 0;

  add(lin: Lineage): void {
    lin.prev = undefined;
    lin.next = this.head;
    if (this.head) this.head.prev = lin;
    this.head = lin;
    this.size++;
  }

  /** Remove `lin` (which must be in this list). */
  delete(lin: Lineage): void {
    if (lin.prev) lin.prev.next = lin.next;
    else if (this.head === lin) this.head = lin.next;
    else return; // not in the list
    if (lin.next) lin.next.prev = lin.prev;
    lin.prev = undefined;
    lin.next = undefined;
    this.size--;
  }

  toArray(): Lineage[] {
    const out: Lineage[] = [];
    for (let l = this.head; l; l = l.next) out.push(l);
    return out;
  }
}
