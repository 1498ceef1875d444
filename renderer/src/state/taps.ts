/**
 * Watched wires ("watch this wire"), per running flow: a double-click on an edge, or a click on an output handle,
 * watches that output; the runtime sends sampled copies (about 20 a second per wire) to the debug panel. A deploy or
 * stop ends the watching (a new engine watches nothing).
 */
import { create } from 'zustand';
import type { TapEntry } from '../../../src/server/protocol.js';
import { request } from '../api/client.js';
import type { DebugEntry } from '../api/types.js';
import { pushDebug } from './debug-store.js';
import { useUi } from './ui-store.js';

export const tapKey = (nodeId: string, port: string) => `${nodeId}\u0000${port}`;

interface TapsState {
  /** Watched outputs per flow id, as tapKey()s. */
  byFlow: Record<string, string[]>;
  clear(flowId: string): void;
}

export const useTaps = create<TapsState>()((set, get) => ({
  byFlow: {},
  clear: (flowId) => {
    const byFlow = { ...get().byFlow };
    delete byFlow[flowId];
    set({ byFlow });
  },
}));

/** Watch (or stop watching) output `port` of `nodeId` in running flow `flowId`. */
export async function toggleTap(flowId: string, nodeId: string, port: string): Promise<void> {
  const current = useTaps.getState().byFlow[flowId] ?? [];
  const key = tapKey(nodeId, port);
  const next = current.includes(key) ? current.filter((k) => k !== key) : [...current, key];
  try {
    await request('PUT', `/api/runtime/flows/${encodeURIComponent(flowId)}/taps`, {
      taps: next.map((k) => {
        const [n, p] = k.split('\u0000');
        return { nodeId: n, port: p };
      }),
    });
    useTaps.setState({ byFlow: { ...useTaps.getState().byFlow, [flowId]: next } });
    useUi
      .getState()
      .notify(
        'info',
        next.includes(key)
          ? `Watching the wire from ${nodeId} (${port}): its messages appear in the debug panel, sampled`
          : `Stopped watching the wire from ${nodeId} (${port})`,
      );
  } catch (e) {
    useUi.getState().notify('error', `Cannot watch this wire: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export type { TapEntry };

/** A sample from a watched wire: shown in the debug panel at the node it left. */
export function pushTap(flowId: string, e: TapEntry): void {
  const { port, skipped, ...rest } = e;
  const entry: DebugEntry = { ...rest, flowId, tap: { port, skipped } };
  pushDebug(entry);
}
