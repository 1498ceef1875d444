import { describe, expect, it } from 'vitest';
import { PacketIdTable } from '../../../src/connectors/mqtt/packet-id-table.js';

const entry = (messageId: number, tag = '') => ({ messageId, tag });

describe('PacketIdTable', () => {
  it('finds, replaces and removes entries by packet id', () => {
    const t = new PacketIdTable<ReturnType<typeof entry>>(4); // 8 slots
    const a = entry(3, 'a');
    t.set(a);
    expect(t.get(3)).toBe(a);
    expect(t.get(4)).toBeUndefined();
    const again = entry(3, 'again');
    t.set(again);
    expect(t.get(3)).toBe(again);
    t.delete(a); // no longer the entry of id 3: nothing happens
    expect(t.get(3)).toBe(again);
    t.delete(again);
    expect(t.get(3)).toBeUndefined();
  });

  it('keeps ids that share a slot apart', () => {
    const t = new PacketIdTable<ReturnType<typeof entry>>(4); // 8 slots: 3, 11 and 19 share one
    const [a, b, c] = [entry(3), entry(11), entry(19)];
    for (const e of [a, b, c]) t.set(e);
    expect([t.get(3), t.get(11), t.get(19)]).toEqual([a, b, c]);
    t.delete(a);
    expect([t.get(3), t.get(11), t.get(19)]).toEqual([undefined, b, c]);
    // 11 arrives again while its first entry waits in the overflow: the new one wins wherever it lands.
    const b2 = entry(11, 'again');
    t.set(b2);
    expect(t.get(11)).toBe(b2);
    t.delete(b);
    expect(t.get(11)).toBe(b2);
    t.delete(b2);
    t.delete(c);
    expect([t.get(3), t.get(11), t.get(19)]).toEqual([undefined, undefined, undefined]);
  });

  it('matches a Map over random ids, sets and deletes', () => {
    const t = new PacketIdTable<ReturnType<typeof entry>>(16);
    const model = new Map<number, ReturnType<typeof entry>>();
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    for (let i = 0; i < 20_000; i++) {
      const id = 1 + (next() % 200); // few ids over 32 slots: many collisions
      if (next() % 3 === 0) {
        const e = model.get(id);
        if (e) {
          t.delete(e);
          model.delete(id);
        }
      } else {
        const e = entry(id, String(i));
        t.set(e);
        model.set(id, e);
      }
      if (i % 97 === 0) for (let k = 1; k <= 200; k++) expect(t.get(k)).toBe(model.get(k));
    }
    t.clear();
    for (let k = 1; k <= 200; k++) expect(t.get(k)).toBeUndefined();
  });
});
