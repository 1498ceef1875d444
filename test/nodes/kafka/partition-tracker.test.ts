import { describe, expect, it } from 'vitest';
import { PartitionTracker } from '../../../src/connectors/kafka/partition-tracker.js';

describe('PartitionTracker: what may be committed', () => {
  it('commits only the prefix that settled, whatever order settles come in', () => {
    const t = new PartitionTracker('t', 0);
    const [a, b, c] = [t.take(10n), t.take(11n), t.take(12n)];
    expect(t.settle(c, true)).toBe('none');
    expect(t.commitCandidate()).toBeUndefined();
    expect(t.settle(b, true)).toBe('none');
    expect(t.commitCandidate()).toBeUndefined();
    expect(t.settle(a, true)).toBe('advanced');
    expect(t.commitCandidate()).toBe(13n);
    t.markCommitted(13n);
    expect(t.commitCandidate()).toBeUndefined();
  });

  it('follows the taken order across offset gaps (compaction, transaction markers)', () => {
    const t = new PartitionTracker('t', 0);
    const a = t.take(5n);
    const b = t.take(9n);
    t.settle(a, true);
    expect(t.commitCandidate()).toBe(6n);
    t.settle(b, true);
    expect(t.commitCandidate()).toBe(10n);
  });

  it('never commits past a nack, drops what was taken after it and asks to re-read from it', () => {
    const t = new PartitionTracker('t', 0);
    const [a, b, c, d] = [t.take(0n), t.take(1n), t.take(2n), t.take(3n)];
    t.settle(d, true);
    expect(t.settle(b, false)).toBe('rewind');
    expect(t.rewindTo).toBe(1n);
    expect(t.next).toBe(1n);
    // c and d were dropped: their settles no longer count.
    expect(t.settle(c, true)).toBe('none');
    expect(t.settle(a, true)).toBe('advanced');
    expect(t.commitCandidate()).toBe(1n);
    // Re-read from 1: the same offsets are taken again and can now complete.
    const [b2, c2] = [t.take(1n), t.take(2n)];
    t.settle(c2, true);
    t.settle(b2, true);
    expect(t.commitCandidate()).toBe(3n);
  });

  it('a second nack lower down moves the rewind point down', () => {
    const t = new PartitionTracker('t', 0);
    const [a, b, c] = [t.take(0n), t.take(1n), t.take(2n)];
    t.settle(c, false);
    t.settle(a, false);
    expect(t.rewindTo).toBe(0n);
    expect(t.settle(b, true)).toBe('none');
    expect(t.commitCandidate()).toBeUndefined();
  });

  it('stays small over a long run', () => {
    const t = new PartitionTracker('t', 0);
    for (let i = 0n; i < 10_000n; i++) t.settle(t.take(i), true);
    expect(t.inFlight).toBe(0);
    expect(t.commitCandidate()).toBe(10_000n);
  });
});
