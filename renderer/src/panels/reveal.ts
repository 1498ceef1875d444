/** Select a node and bring it into view (from a problem, a debug entry or a try-it step). */
import { useCallback } from 'react';
import { useFitFlow } from '../canvas/fit.js';
import { useFlowStore } from '../state/flow-context.js';

export function useRevealNode(): (nodeId: string) => void {
  const store = useFlowStore();
  const fitView = useFitFlow(store);
  return useCallback(
    (nodeId: string) => {
      const node = store.getState().nodes.find((n) => n.id === nodeId);
      if (!node) return;
      store.getState().selectOnly([nodeId]);
      fitView({ nodeIds: [nodeId], padding: 0.8, duration: 250 });
    },
    [store, fitView],
  );
}
