/** The debug panel's buffer: bounded memory, throttled view updates, pause without losing what arrives. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_ENTRIES, pushDebug, pushDebugBacklog, useDebug } from '../../renderer/src/state/debug-store.js';

const entry = (seq: number) => ({
  seq,
  time: seq,
  nodeId: 'd',
  id: `m${seq}`,
  headers: {},
  truncated: false,
  payload: { seq },
});

describe('debug buffer', () => {
  afterEach(() => {
    vi.useRealTimers();
    useDebug.getState().clear();
    useDebug.getState().setPaused(false);
  });

  it('keeps at most MAX_ENTRIES, the newest', () => {
    vi.useFakeTimers();
    for (let i = 1; i <= 5000; i++) pushDebug(entry(i));
    vi.advanceTimersByTime(500);
    const { entries } = useDebug.getState();
    expect(entries).toHaveLength(MAX_ENTRIES);
    expect(entries.at(-1)?.seq).toBe(5000);
    expect(entries[0].seq).toBe(5000 - MAX_ENTRIES + 1);
  });

  it('freezes the view while paused and counts what arrived', () => {
    vi.useFakeTimers();
    pushDebug(entry(1));
    vi.advanceTimersByTime(500);
    useDebug.getState().setPaused(true);
    for (let i = 2; i <= 4; i++) pushDebug(entry(i));
    vi.advanceTimersByTime(500);
    expect(useDebug.getState().entries.map((e) => e.seq)).toEqual([1]);
    expect(useDebug.getState().pending).toBe(3);
    useDebug.getState().setPaused(false);
    expect(useDebug.getState().entries.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it("merges a debug node's backlog in time order without the entries the live feed already brought", () => {
    vi.useFakeTimers();
    const at = (flowId: string, seq: number) => ({ ...entry(seq), flowId, time: 1000 + seq });
    pushDebug(at('a', 4));
    pushDebug(at('a', 5));
    pushDebug(at('b', 2));
    pushDebugBacklog([at('a', 2), at('a', 3), at('a', 4), at('b', 1)]);
    vi.advanceTimersByTime(500);
    expect(useDebug.getState().entries.map((e) => `${e.flowId}${e.seq}`)).toEqual(['b1', 'a2', 'b2', 'a3', 'a4', 'a5']);
  });
});
