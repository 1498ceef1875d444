/** What the runtime reports: the deployed flow, each node's status and counters (pushed over the WebSocket). */
import { create } from 'zustand';
import type { NodeStatus } from '../../../src/spec/index.js';
import type { Counters, RuntimeInfo } from '../api/types.js';

export type LinkState = 'connecting' | 'open' | 'closed';

export interface RuntimeState {
  link: LinkState;
  flowId: string | undefined;
  state: string | undefined;
  statuses: Record<string, NodeStatus>;
  counters: Record<string, Counters>;
  setLink(link: LinkState): void;
  reset(info: RuntimeInfo): void;
  deployed(flowId: string): void;
  stopped(): void;
  status(nodeId: string, status: NodeStatus): void;
  setCounters(flowId: string | null, counters: Record<string, Counters>): void;
}

export const useRuntime = create<RuntimeState>()((set, get) => ({
  link: 'connecting',
  flowId: undefined,
  state: undefined,
  statuses: {},
  counters: {},
  setLink: (link) => set({ link }),
  reset: (info) =>
    set({
      // A stopped flow keeps its id on the server; the editor shows status and counters only while it runs.
      flowId: info.state === 'running' ? (info.flowId ?? undefined) : undefined,
      state: info.state,
      statuses: info.statuses ?? {},
      counters: info.counters ?? {},
    }),
  deployed: (flowId) =>
    set({ flowId, state: 'running', statuses: get().flowId === flowId ? get().statuses : {}, counters: {} }),
  stopped: () => set({ state: 'stopped', flowId: undefined, statuses: {}, counters: {} }),
  status: (nodeId, status) => set({ statuses: { ...get().statuses, [nodeId]: status } }),
  setCounters: (flowId, counters) => {
    // Counters name their flow: a late message from a flow that was just replaced must not show on the new one.
    if (flowId === null || get().flowId !== flowId) return;
    set({ counters });
  },
}));
