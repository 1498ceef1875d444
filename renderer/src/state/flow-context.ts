/** The open flow's store, for the components that show it (canvas nodes, panels). */
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { FlowState, FlowStore } from './flow-store.js';

export const FlowStoreContext = createContext<FlowStore | undefined>(undefined);

export function useFlowStore(): FlowStore {
  const store = useContext(FlowStoreContext);
  if (!store) throw new Error('useFlowStore outside a FlowStoreContext');
  return store;
}

export function useFlow<T>(selector: (s: FlowState) => T): T {
  return useStore(useFlowStore(), selector);
}

/** The runtime's id of this canvas's flow while the runtime runs it (status dots and counters show then only). */
export const LiveContext = createContext<string | undefined>(undefined);
