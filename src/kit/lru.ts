/**
 * A bounded map that forgets its least recently used entry past `max` (Map order is the recency: `get` with touch and
 * `set` move a key to the end). Eviction keeps one live iterator over the keys instead of asking `keys().next()`
 * each time: every entry before the iterator's position has been evicted, so the first key it yields is the oldest,
 * and it steps over the deleted entries once in all, not once per eviction (a fresh iterator would rescan them: a
 * full map that evicts on every insert went quadratic that way).
 */
export class Lru<V> {
  private readonly map = new Map<string, V>();
  private oldest: Iterator<string> = this.map.keys();
  /**
   * The most recently used key: touching it again moves nothing. A delete and set per touch leaves a hole in the
   * Map's table each time, and the table is rebuilt every few touches (a follower hearing the same few keys on every
   * message rebuilt it all the time).
   */
  private newest: string | undefined;
  /** Entries forgotten at the bound so far. */
  evicted = 0;

  /** `onEvict`: told each entry forgotten at the bound (not those deleted), e.g. to tidy what refers to it. */
  constructor(
    readonly max: number,
    private readonly onEvict?: (key: string, value: V) => void,
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** The value; `touch` makes the key the most recently used. */
  get(key: string, touch = false): V | undefined {
    const v = this.map.get(key);
    if (touch && v !== undefined && key !== this.newest) {
      this.map.delete(key);
      this.map.set(key, v);
      this.newest = key;
    }
    return v;
  }

  /** Sets the value as the most recently used; forgets the least recently used entry past the bound. */
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    this.newest = key;
    if (this.map.size > this.max) this.evictOne();
  }

  delete(key: string): boolean {
    if (key === this.newest) this.newest = undefined;
    return this.map.delete(key);
  }

  /** The entries from the least to the most recently used. */
  entries(): IterableIterator<[string, V]> {
    return this.map.entries();
  }

  private evictOne(): void {
    let next = this.oldest.next();
    if (next.done) {
      // Only when every key the iterator knew is gone (it cannot see keys added after it finished): start again.
      this.oldest = this.map.keys();
      next = this.oldest.next();
    }
    if (!next.done) {
      const value = this.map.get(next.value) as V;
      this.map.delete(next.value);
      if (next.value === this.newest) this.newest = undefined;
      this.evicted++;
      this.onEvict?.(next.value, value);
    }
  }
}
