/**
 * Messages that reached debug nodes. Memory is bounded (newest MAX_ENTRIES kept) and the view updates at most
 * five times a second, however fast messages arrive. Pausing freezes the view; the flow keeps running.
 */
import { create } from 'zustand';
import type { DebugEntry } from '../api/types.js';

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
  filter: string | undefined;
  setPaused(paused: boolean): void;
  setFilter(nodeId: string | undefined): void;
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
  setPaused: (paused) => {
    arrivedAtPause = arrived;
    set({ paused, pending: 0 });
    if (!paused) flush();
  },
  setFilter: (filter) => set({ filter }),
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

/** Identifies an entry across the live feed and a debug node's snapshot. */
const entryKey = (e: DebugEntry) => `${e.flowId ?? ''}:${e.nodeId}:${e.seq}`;

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
