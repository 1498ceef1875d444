/** The last "Try it" run: the sample message, what every node emitted, and per-node summaries for the canvas. */
import { create } from 'zustand';
import type { TryStep } from '../api/types';

export interface TryNodeSummary {
  emitted: number;
  ports: string[];
  failed: boolean;
}

export interface TryState {
  nodeId: string | undefined;
  running: boolean;
  steps: TryStep[];
  error: string | undefined;
  byNode: Record<string, TryNodeSummary>;
  started(nodeId: string): void;
  finished(steps: TryStep[], error: string | undefined, errorNode?: string): void;
  clear(): void;
}

function summarise(steps: TryStep[], errorNode: string | undefined): Record<string, TryNodeSummary> {
  const out: Record<string, TryNodeSummary> = {};
  for (const s of steps) {
    const cur = (out[s.nodeId] ??= { emitted: 0, ports: [], failed: false });
    cur.emitted++;
    if (!cur.ports.includes(s.port)) cur.ports.push(s.port);
    if (s.port === 'error') cur.failed = true;
  }
  if (errorNode) (out[errorNode] ??= { emitted: 0, ports: [], failed: true }).failed = true;
  return out;
}

export const useTry = create<TryState>()((set) => ({
  nodeId: undefined,
  running: false,
  steps: [],
  error: undefined,
  byNode: {},
  started: (nodeId) => set({ nodeId, running: true, error: undefined }),
  finished: (steps, error, errorNode) => set({ running: false, steps, error, byNode: summarise(steps, errorNode) }),
  clear: () => set({ nodeId: undefined, running: false, steps: [], error: undefined, byNode: {} }),
}));
