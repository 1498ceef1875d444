/**
 * A first-in first-out queue on a ring of slots that grows (doubling) and never shrinks. For queues that fill and
 * drain all the time, like the MQTT ack gate's: an array emptied with `length = 0` gives its storage back and
 * reallocates it as it refills, and those allocations live long enough to be copied by the young-generation GC.
 */
export class Ring<T> {
  private slots: Array<T | undefined>;
  /** Index of the oldest item. */
  private start = 0;
  private count = 0;

  constructor(initialCapacity = 64) {
    let capacity = 1;
    while (capacity < initialCapacity) capacity *= 2;
    this.slots = new Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** The oldest item, or undefined when empty. */
  peek(): T | undefined {
    return this.count === 0 ? undefined : this.slots[this.start];
  }

  push(item: T): void {
    if (this.count === this.slots.length) this.grow();
    this.slots[(this.start + this.count) & (this.slots.length - 1)] = item;
    this.count++;
  }

  /** Removes and returns the oldest item (its slot no longer keeps it alive). */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.slots[this.start];
    this.slots[this.start] = undefined;
    this.start = (this.start + 1) & (this.slots.length - 1);
    this.count--;
    return item;
  }

  clear(): void {
    while (this.count > 0) this.shift();
    this.start = 0;
  }

  private grow(): void {
    const old = this.slots;
    const slots: Array<T | undefined> = new Array(old.length * 2);
    for (let i = 0; i < this.count; i++) slots[i] = old[(this.start + i) & (old.length - 1)];
    this.slots = slots;
    this.start = 0;
  }
}
