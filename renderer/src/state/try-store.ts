/**
 * "Try it" runs, one per open flow (tab): what every node emitted, what sinks received, and how each path ended
 * (delivered, dropped by a filter, failed), with per-node summaries for the canvas. Switching tabs shows that tab's
 * run; a new or imported flow starts with none; deploying or stopping the flow clears it.
 */
import { create } from 'zustand';
import type { TryStep } from '../api/types.js';
import { useWorkspace } from './workspace.js';

export interface TryNodeSummary {
  emitted: number;
  ports: string[];
  failed: boolean;
  /** The message reached this node and it emitted nothing: dropped on purpose (a filter said no). */
  dropped: boolean;
}

export interface TryRun {
  nodeId: string | undefined;
  running: boolean;
  steps: TryStep[];
  delivered: TryStep[];
  error: string | undefined;
  /** Nodes where a path ended without output or delivery (dropped). */
  droppedAt: string[];
  byNode: Record<string, TryNodeSummary>;
}

const NONE: TryRun = {
  nodeId: undefined,
  running: false,
  steps: [],
  delivered: [],
  error: undefined,
  droppedAt: [],
  byNode: {},
};

export interface TryState {
  runs: Record<string, TryRun>;
  started(tabKey: string, nodeId: string): void;
  finished(tabKey: string, run: Pick<TryRun, 'steps' | 'delivered' | 'error' | 'droppedAt'>): void;
  clear(tabKey: string): void;
}

function summarise(steps: TryStep[], droppedAt: string[]): Record<string, TryNodeSummary> {
  const out: Record<string, TryNodeSummary> = {};
  for (const s of steps) {
    if (!out[s.nodeId]) out[s.nodeId] = { emitted: 0, ports: [], failed: false, dropped: false };
    const cur = out[s.nodeId];
    cur.emitted++;
    if (!cur.ports.includes(s.port)) cur.ports.push(s.port);
    if (s.port === 'error') cur.failed = true;
  }
  for (const id of droppedAt) out[id] ??= { emitted: 0, ports: [], failed: false, dropped: true };
  return out;
}

/**
 * Where paths ended without output: every node a step was sent to (along `edges`), and the start node, that
 * emitted nothing and received nothing as a sink or debug node.
 */
export function droppedNodes(
  start: string,
  steps: TryStep[],
  delivered: TryStep[],
  edges: Array<{ source: string; sourceHandle?: string | null; target: string }>,
): string[] {
  const reached = new Set<string>([start]);
  for (const s of steps) {
    for (const e of edges) if (e.source === s.nodeId && (e.sourceHandle ?? 'out') === s.port) reached.add(e.target);
  }
  const emitted = new Set(steps.map((s) => s.nodeId));
  const received = new Set(delivered.map((s) => s.nodeId));
  return [...reached].filter((id) => !emitted.has(id) && !received.has(id));
}

export const useTry = create<TryState>()((set, get) => ({
  runs: {},
  started: (tabKey, nodeId) =>
    set({
      runs: { ...get().runs, [tabKey]: { ...(get().runs[tabKey] ?? NONE), nodeId, running: true, error: undefined } },
    }),
  finished: (tabKey, run) =>
    set({
      runs: {
        ...get().runs,
        [tabKey]: {
          ...(get().runs[tabKey] ?? NONE),
          ...run,
          running: false,
          byNode: summarise(run.steps, run.droppedAt),
        },
      },
    }),
  clear: (tabKey) => {
    const runs = { ...get().runs };
    delete runs[tabKey];
    set({ runs });
  },
}));

/** The open tab's try-it run. */
export function useTryRun<T>(select: (run: TryRun) => T): T {
  const key = useWorkspace((s) => s.activeKey);
  return useTry((s) => select((key && s.runs[key]) || NONE));
}
