/**
 * "Try it" runs, one per open flow (tab) and one per subflow opened in it: what every node emitted, what sinks
 * received, and how each path ended (delivered, dropped by a filter, failed, reached the subflow's output), with
 * per-node summaries for the canvas. Switching tabs, opening a subflow or going back to the flow shows that canvas's
 * run; a new or imported flow starts with none; deploying or stopping the flow clears its runs and its subflows'.
 */
import { create } from 'zustand';
import { SUBFLOW_OUT } from '../../../src/flow/index.js';
import type { TryStep } from '../api/types.js';
import { canvasNodeOf } from '../model/subflow-try.js';
import { useSubflowEdit } from './subflow-edit.js';
import { useWorkspace } from './workspace.js';

export interface TryNodeSummary {
  emitted: number;
  ports: string[];
  failed: boolean;
  /** The message reached this node and it emitted nothing: dropped on purpose (a filter said no). */
  dropped: boolean;
  /** On a subflow's Out node: the outputs the message reached. */
  reached?: string[];
}

export interface TryRun {
  nodeId: string | undefined;
  running: boolean;
  steps: TryStep[];
  delivered: TryStep[];
  error: string | undefined;
  /** Nodes where a path ended without output or delivery (dropped). */
  droppedAt: string[];
  /** What the run assumed, in words (inside a subflow: the parameter values it ran with). */
  note?: string;
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
  /**
   * `canvasIds`: the nodes on the canvas it ran on; a step of a node copied out of a subflow use (`use:x`) is
   * marked on the use.
   */
  finished(
    tabKey: string,
    run: Pick<TryRun, 'steps' | 'delivered' | 'error' | 'droppedAt' | 'note'>,
    canvasIds?: ReadonlySet<string>,
  ): void;
  /** Clears the run of `key` and, for a tab's key, those of the subflows opened in it. */
  clear(key: string): void;
}

/** The key of a canvas's run: the tab's, or the tab's and the subflow's while one is open on it. */
export function tryKey(tabKey: string, subflowId?: string): string {
  return subflowId === undefined ? tabKey : `${tabKey}/subflow:${subflowId}`;
}

/** The key of the run the canvas shows now (the active tab, or the subflow open in it). */
export function activeTryKey(): string | undefined {
  const key = useWorkspace.getState().activeKey;
  const editing = useSubflowEdit.getState().editing;
  if (!key) return undefined;
  return tryKey(key, editing?.tabKey === key ? editing.subflowId : undefined);
}

function summarise(
  steps: TryStep[],
  delivered: TryStep[],
  droppedAt: string[],
  canvasIds: ReadonlySet<string> | undefined,
): Record<string, TryNodeSummary> {
  const out: Record<string, TryNodeSummary> = {};
  const entry = (id: string) => {
    out[id] ??= { emitted: 0, ports: [], failed: false, dropped: false };
    return out[id];
  };
  for (const s of steps) {
    const cur = entry(canvasIds ? (canvasNodeOf(s.nodeId, canvasIds) ?? s.nodeId) : s.nodeId);
    cur.emitted++;
    if (!cur.ports.includes(s.port)) cur.ports.push(s.port);
    if (s.port === 'error') cur.failed = true;
  }
  for (const s of delivered) {
    if (s.nodeId !== SUBFLOW_OUT) continue;
    const cur = entry(SUBFLOW_OUT);
    cur.reached ??= [];
    if (!cur.reached.includes(s.port)) cur.reached.push(s.port);
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
  canvasIds?: ReadonlySet<string>,
): string[] {
  const reached = new Set<string>([start]);
  for (const s of steps) {
    for (const e of edges) if (e.source === s.nodeId && (e.sourceHandle ?? 'out') === s.port) reached.add(e.target);
  }
  // A subflow use emitted when a node copied out of it did.
  const onCanvas = (id: string) => (canvasIds ? (canvasNodeOf(id, canvasIds) ?? id) : id);
  const emitted = new Set(steps.map((s) => onCanvas(s.nodeId)));
  const received = new Set(delivered.map((s) => onCanvas(s.nodeId)));
  return [...reached].filter((id) => !emitted.has(id) && !received.has(id));
}

export const useTry = create<TryState>()((set, get) => ({
  runs: {},
  started: (tabKey, nodeId) =>
    set({
      runs: { ...get().runs, [tabKey]: { ...(get().runs[tabKey] ?? NONE), nodeId, running: true, error: undefined } },
    }),
  finished: (tabKey, run, canvasIds) =>
    set({
      runs: {
        ...get().runs,
        [tabKey]: {
          ...(get().runs[tabKey] ?? NONE),
          ...run,
          note: run.note,
          running: false,
          byNode: summarise(run.steps, run.delivered, run.droppedAt, canvasIds),
        },
      },
    }),
  clear: (key) => {
    const runs = { ...get().runs };
    for (const k of Object.keys(runs)) if (k === key || k.startsWith(`${key}/`)) delete runs[k];
    set({ runs });
  },
}));

/** The key of the run the canvas shows (the open tab's, or the subflow's open in it). */
export function useTryKey(): string | undefined {
  const key = useWorkspace((s) => s.activeKey);
  const subflowId = useSubflowEdit((s) => (s.editing && s.editing.tabKey === key ? s.editing.subflowId : undefined));
  return key ? tryKey(key, subflowId) : undefined;
}

/** The try-it run of the canvas on screen. */
export function useTryRun<T>(select: (run: TryRun) => T): T {
  const key = useTryKey();
  return useTry((s) => select((key && s.runs[key]) || NONE));
}
