import { describe, expect, it } from 'vitest';
import { Lru } from '../../src/kit/lru.js';
import { rng } from '../support/chaos-nodes.js';

/** The obvious model: an array in recency order. */
class Model {
  order: Array<[string, number]> = [];
  evicted = 0;
  constructor(readonly max: number) {}
  get(k: string, touch: boolean) {
    const i = this.order.findIndex(([x]) => x === k);
    if (i < 0) return undefined;
    const e = this.order[i];
    if (touch) this.order.push(...this.order.splice(i, 1));
    return e[1];
  }
  set(k: string, v: number) {
    this.delete(k);
    this.order.push([k, v]);
    if (this.order.length > this.max) {
      this.order.shift();
      this.evicted++;
    }
  }
  delete(k: string) {
    const i = this.order.findIndex(([x]) => x === k);
    if (i >= 0) this.order.splice(i, 1);
  }
}

describe('Lru', () => {
  it('behaves like the model over random gets, touches, sets and deletes', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const r = rng(seed);
      const max = r.int(1, 8);
      const lru = new Lru<number>(max);
      const model = new Model(max);
      for (let i = 0; i < 2000; i++) {
        const k = `k${r.int(0, 12)}`;
        const op = r.int(0, 3);
        if (op === 0) expect(lru.get(k), `seed ${seed} op ${i}`).toBe(model.get(k, false));
        else if (op === 1) expect(lru.get(k, true)).toBe(model.get(k, true));
        else if (op === 2) {
          lru.set(k, i);
          model.set(k, i);
        } else {
          lru.delete(k);
          model.delete(k);
        }
        expect(lru.size).toBe(model.order.length);
      }
      expect(lru.evicted, `seed ${seed}`).toBe(model.evicted);
    }
  });

  it('keeps the newest max keys of a long stream of new keys', () => {
    const lru = new Lru<number>(1000);
    for (let i = 0; i < 200_000; i++) lru.set(`k${i}`, i);
    expect(lru.size).toBe(1000);
    expect(lru.evicted).toBe(199_000);
    expect(lru.get('k198999')).toBeUndefined();
    expect(lru.get('k199000')).toBe(199_000);
  });

  it('tells each entry it forgets at the bound, not those deleted, and lists entries oldest first', () => {
    const forgotten: Array<[string, number]> = [];
    const lru = new Lru<number>(2, (k, v) => forgotten.push([k, v]));
    lru.set('a', 1);
    lru.set('b', 2);
    lru.get('a', true);
    lru.set('c', 3); // b is the least recently used
    lru.delete('a');
    lru.set('d', 4);
    expect(forgotten).toEqual([['b', 2]]);
    expect([...lru.entries()]).toEqual([
      ['c', 3],
      ['d', 4],
    ]);
  });
});
