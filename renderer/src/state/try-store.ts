/** The last "Try it" run: what every node emitted and what sinks received, with per-node summaries for the canvas. */
import { create } from 'zustand';
import type { TryStep } from '../api/types.js';

export interface TryNodeSummary {
  emitted: number;
  ports: string[];
  failed: boolean;
}

export interface TryState {
  nodeId: string | undefined;
  running: boolean;
  steps: TryStep[];
  delivered: TryStep[];
  error: string | undefined;
  byNode: Record<string, TryNodeSummary>;
  started(nodeId: string): void;
  finished(steps: TryStep[], delivered: TryStep[], error: string | undefined): void;
  clear(): void;
}

function summarise(steps: TryStep[]): Record<string, TryNodeSummary> {
  const out: Record<string, TryNodeSummary> = {};
  for (const s of steps) {
    if (!out[s.nodeId]) out[s.nodeId] = { emitted: 0, ports: [], failed: false };
    const cur = out[s.nodeId];
    cur.emitted++;
    if (!cur.ports.includes(s.port)) cur.ports.push(s.port);
    if (s.port === 'error') cur.failed = true;
  }
  return out;
}

export const useTry = create<TryState>()((set) => ({
  nodeId: undefined,
  running: false,
  steps: [],
  delivered: [],
  error: undefined,
  byNode: {},
  started: (nodeId) => set({ nodeId, running: true, error: undefined }),
  finished: (steps, delivered, error) => set({ running: false, steps, delivered, error, byNode: summarise(steps) }),
  clear: () => set({ nodeId: undefined, running: false, steps: [], delivered: [], error: undefined, byNode: {} }),
}));
