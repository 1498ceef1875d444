/**
 * Messages that reached debug nodes, and messages that failed (with reason and node). Memory is bounded (newest MAX_ENTRIES kept) and the view updates at most
 * five times a second, however fast messages arrive. Pausing freezes the view; the flow keeps running.
 */
import { create } from 'zustand';
import type { DebugEntry, FailureEntry } from '../api/types.js';

export const MAX_ENTRIES = 500;
const FLUSH_MS = 200;

export interface DebugState {
  /** Oldest first; what the panel shows (frozen while paused). */
  entries: DebugEntry[];
  paused: boolean;
  /** Arrived while paused (not shown yet). */
  pending: number;
  /** Dropped by the server's rate limit. */
  dropped: number;
  /** A node id, FAILURES_ONLY, or undefined for everything. */
  filter: string | undefined;
  /** The open flow's entries, or every flow's. */
  scope: 'flow' | 'all';
  setPaused(paused: boolean): void;
  setFilter(nodeId: string | undefined): void;
  setScope(scope: 'flow' | 'all'): void;
  clear(): void;
}

let buffer: DebugEntry[] = [];
let arrived = 0;
let arrivedAtPause = 0;
let _timer: ReturnType<typeof setTimeout> | undefined;

export const useDebug = create<DebugState>()((set) => ({
  entries: [],
  paused: false,
  pending: 0,
  dropped: 0,
  filter: undefined,
  scope: 'flow',
  setPaused: (paused) => {
    arrivedAtPause = arrived;
    set({ paused, pending: 0 });
    if (!paused) flush();
  },
  setFilter: (filter) => set({ filter }),
  setScope: (scope) => set({ scope }),
  clear: () => {
    buffer = [];
    arrivedAtPause = arrived;
    set({ entries: [], pending: 0, dropped: 0 });
  },
}));

function flush(): void {
  _timer = undefined;
  if (useDebug.getState().paused) {
    useDebug.setState({ pending: arrived - arrivedAtPause });
    return;
  }
  useDebug.setState({ entries: buffer.slice(), pending: 0 });
}

export function pushDebug(entry: DebugEntry): void {
  arrived++;
  buffer.push(entry);
  // Trim in batches so that a busy stream does not copy the array on every message.
  if (buffer.length > MAX_ENTRIES * 1.2) buffer = buffer.slice(buffer.length - MAX_ENTRIES);
  _timer ??= setTimeout(() => {
    if (buffer.length > MAX_ENTRIES) buffer = buffer.slice(buffer.length - MAX_ENTRIES);
    flush();
  }, FLUSH_MS);
}

/** The filter value that keeps failed messages only. */
export const FAILURES_ONLY = ':failures';

/** Identifies an entry across the live feed and a debug node's snapshot. */
export const entryKey = (e: DebugEntry) =>
  `${e.failure ? 'failed' : e.tap ? 'tap' : ''}:${e.flowId ?? ''}:${e.nodeId}:${e.seq}`;

/** A failed message from the live feed: shown like a debug entry, at the node where it failed, with its reason. */
export function pushFailure(flowId: string, f: FailureEntry): void {
  const { reason, kind, fate, ...rest } = f;
  pushDebug({ ...rest, flowId, failure: { reason, kind, fate } });
}

/**
 * Entries a debug node kept before this editor listened (its snapshot): merged in time order, leaving out those the
 * live feed already brought, so no entry shows twice (or out of order) after a deploy.
 */
export function pushDebugBacklog(entries: DebugEntry[]): void {
  const seen = new Set(buffer.map(entryKey));
  const fresh = entries.filter((e) => !seen.has(entryKey(e)));
  if (fresh.length === 0) return;
  arrived += fresh.length;
  const at = (e: DebugEntry) => new Date(e.time).getTime() || 0;
  buffer = [...fresh, ...buffer].sort((a, b) => at(a) - at(b));
  if (buffer.length > MAX_ENTRIES) buffer = buffer.slice(buffer.length - MAX_ENTRIES);
  _timer ??= setTimeout(flush, FLUSH_MS);
}

export function noteDropped(count: number): void {
  useDebug.setState({ dropped: useDebug.getState().dropped + count });
}
