/** What the runtime reports, per flow: its state, each node's status and counters (pushed over the WebSocket). */
import { create } from 'zustand';
import type { NodeStatus } from '../../../src/spec/index.js';
import type { Counters, FlowRunState, LastFailure, RuntimeInfo } from '../api/types.js';

export type LinkState = 'connecting' | 'open' | 'closed';

export interface FlowRun {
  state: FlowRunState;
  revision: number | null;
  name?: string;
  error?: string;
  statuses: Record<string, NodeStatus>;
  counters: Record<string, Counters>;
  /** Each node's most recent failure. */
  lastFailures: Record<string, LastFailure>;
}

export interface RuntimeState {
  link: LinkState;
  /** Every flow the runtime knows, by flow id (its store id). */
  flows: Record<string, FlowRun>;
  setLink(link: LinkState): void;
  reset(info: RuntimeInfo): void;
  flowState(flowId: string, state: FlowRunState, revision: number | null, error?: string): void;
  status(flowId: string, nodeId: string, status: NodeStatus): void;
  setCounters(flowId: string, counters: Record<string, Counters>, lastFailures?: Record<string, LastFailure>): void;
}

const EMPTY: FlowRun = { state: 'stopped', revision: null, statuses: {}, counters: {}, lastFailures: {} };

/** True while the runtime has an engine for the flow (running, or on its way up or down). */
export function isActive(run: Pick<FlowRun, 'state'> | undefined): boolean {
  return run !== undefined && (run.state === 'running' || run.state === 'starting' || run.state === 'stopping');
}

export const useRuntime = create<RuntimeState>()((set, get) => ({
  link: 'connecting',
  flows: {},
  setLink: (link) => set({ link }),
  reset: (info) => {
    const flows: Record<string, FlowRun> = {};
    for (const f of info.flows ?? []) {
      flows[f.flowId] = {
        state: f.state,
        revision: f.revision,
        ...(f.name === undefined ? {} : { name: f.name }),
        ...(f.error === undefined ? {} : { error: f.error }),
        statuses: f.statuses ?? {},
        counters: f.counters ?? {},
        lastFailures: f.lastFailures ?? {},
      };
    }
    set({ flows });
  },
  flowState: (flowId, state, revision, error) => {
    const prev = get().flows[flowId] ?? EMPTY;
    // A start is a new engine: the previous run's statuses and counters are not this one's.
    const fresh = state === 'starting';
    const next: FlowRun = {
      ...prev,
      state,
      revision,
      statuses: fresh ? {} : prev.statuses,
      counters: fresh ? {} : prev.counters,
      lastFailures: fresh ? {} : prev.lastFailures,
    };
    if (error === undefined) delete next.error;
    else next.error = error;
    set({ flows: { ...get().flows, [flowId]: next } });
  },
  status: (flowId, nodeId, status) => {
    const prev = get().flows[flowId] ?? EMPTY;
    set({ flows: { ...get().flows, [flowId]: { ...prev, statuses: { ...prev.statuses, [nodeId]: status } } } });
  },
  setCounters: (flowId, counters, lastFailures) => {
    const prev = get().flows[flowId] ?? EMPTY;
    const next = { ...prev, counters, lastFailures: lastFailures ?? prev.lastFailures };
    set({ flows: { ...get().flows, [flowId]: next } });
  },
}));
