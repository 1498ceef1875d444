/**
 * Lineage of one ingested message: counts the copies and derived messages still in flight so the source
 * settles exactly once, when the last of them is delivered, dropped on purpose or taken by an error route.
 */
import type { Outcome, Settle } from '../spec/runtime-contract.js';

export interface SourceWindow {
  /** The source node's id. */
  source?: string;
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
  /** A transient failure (see spec/failure.ts) no route took: the source must redeliver. Else a failure is dropped. */
  retry = false;
  /** Must be redelivered whatever the flow's onError says: a held input given back at stop (see held.ts). */
  redeliver = false;
  settled = false;
  /** Nodes told of the outcome before the source (see Output.onSettled); absent until one asks. */
  listeners: Array<(outcome: Outcome) => void> | undefined = undefined;
  /** performance.now() at ingest, only while an observer wants settle latencies (else 0). */
  at = 0;
  /** The engine's list of open lineages this one is in (LiveLineages), and its neighbours there. */
  list: LiveLineages | undefined = undefined;
  prev: Lineage | undefined = undefined;
  next: Lineage | undefined = undefined;

  constructor(
    readonly window: SourceWindow,
    readonly settle: Settle | undefined,
  ) {}
}

/**
 * The engine's open lineages: a list threaded through the lineages themselves. A Set did the same, but every
 * message's add and delete grows and shrinks its hash table, and each new table, held by a long-lived Set, outlives
 * young-generation GC (Set and Map growth showed among what a busy flow promoted, in an allocation profile).
 */
export class LiveLineages {
  private head: Lineage | undefined;
  size = 0;

  add(lin: Lineage): void {
    if (lin.list) lin.list.delete(lin);
    lin.list = this;
    lin.prev = undefined;
    lin.next = this.head;
    if (this.head) this.head.prev = lin;
    this.head = lin;
    this.size++;
  }

  /** Remove `lin`; nothing happens if it is not in this list (e.g. a lineage of a flow that was replaced). */
  delete(lin: Lineage): void {
    if (lin.list !== this) return;
    if (lin.prev) lin.prev.next = lin.next;
    else this.head = lin.next;
    if (lin.next) lin.next.prev = lin.prev;
    lin.list = undefined;
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
