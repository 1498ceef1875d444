import { describe, expect, it } from 'vitest';
import { Ring } from '../../src/kit/ring.js';

describe('Ring', () => {
  it('keeps first-in first-out order across wrap-around and growth', () => {
    const ring = new Ring<number>(4);
    const model: number[] = [];
    let next = 0;
    // Interleave pushes and shifts so the start moves around the ring while it grows from 4 slots.
    for (let round = 0; round < 200; round++) {
      const pushes = (round * 7) % 11;
      for (let i = 0; i < pushes; i++) {
        ring.push(next);
        model.push(next++);
      }
      const shifts = (round * 5) % 9;
      for (let i = 0; i < shifts; i++) expect(ring.shift()).toBe(model.shift());
      expect(ring.size).toBe(model.length);
      expect(ring.peek()).toBe(model[0]);
    }
  });

  it('is empty after clear and works on', () => {
    const ring = new Ring<string>(2);
    for (const s of ['a', 'b', 'c']) ring.push(s);
    ring.clear();
    expect(ring.size).toBe(0);
    expect(ring.peek()).toBeUndefined();
    expect(ring.shift()).toBeUndefined();
    ring.push('d');
    expect(ring.shift()).toBe('d');
  });
});
