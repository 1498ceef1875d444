/**
 * Timeouts for many operations that all wait the same time (a publish waiting for its acknowledgement): a list in
 * start order, which is deadline order, and one timer armed for the oldest. Adding and removing cost a few field
 * writes instead of a timer each, and an operation still fails at its own deadline, not at the next sweep.
 */

/** An entry of a Deadlines list; operations extend it. */
export class Deadline {
  prev: Deadline | undefined;
  next: Deadline | undefined;
  /** `performance.now()` at which the operation expires, set by `add`. */
  deadline = 0;
}

export class Deadlines<T extends Deadline> {
  private head: T | undefined;
  private tail: T | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly ms: number,
    /** Called for an entry whose deadline passed, after it was removed. */
    private readonly expired: (entry: T) => void,
  ) {}

  /** Start the clock for `entry` (not already in a list). */
  add(entry: T): void {
    entry.deadline = performance.now() + this.ms;
    entry.prev = this.tail;
    entry.next = undefined;
    if (this.tail) this.tail.next = entry;
    else this.head = entry;
    this.tail = entry;
    // The list was empty: the new entry is the oldest.
    this.timer ??= setTimeout(this.fire, this.ms);
  }

  /** Stop the clock for `entry`; nothing happens if it is not in the list (done, or already expired). */
  remove(entry: T): void {
    if (entry.prev) entry.prev.next = entry.next;
    else if (this.head === entry) this.head = entry.next as T | undefined;
    else return;
    if (entry.next) entry.next.prev = entry.prev;
    else this.tail = entry.prev as T | undefined;
    entry.prev = undefined;
    entry.next = undefined;
    // Nothing left to watch: no timer keeps the process alive.
    if (!this.head && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    const now = performance.now();
    for (let e = this.head; e && e.deadline <= now; e = this.head) {
      this.remove(e);
      this.expired(e);
    }
    // Re-armed for the oldest left (even if an `expired` callback added an entry and armed it for a later one).
    if (this.timer) clearTimeout(this.timer);
    this.timer = this.head ? setTimeout(this.fire, Math.max(1, Math.ceil(this.head.deadline - now))) : undefined;
  };
}
