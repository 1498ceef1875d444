/** Select a node and bring it into view (from a problem, a debug entry or a try-it step). */
import { useReactFlow } from '@xyflow/react';
import { useCallback } from 'react';
import { FIT_VIEW } from '../canvas/fit.js';
import type { EditorNode } from '../model/types.js';
import { useFlowStore } from '../state/flow-context.js';

export function useRevealNode(): (nodeId: string) => void {
  const store = useFlowStore();
  const rf = useReactFlow<EditorNode>();
  return useCallback(
    (nodeId: string) => {
      const node = store.getState().nodes.find((n) => n.id === nodeId);
      if (!node) return;
      store.getState().selectOnly([nodeId]);
      void rf.fitView({ ...FIT_VIEW, nodes: [{ id: nodeId }], padding: 0.8, duration: 250 });
    },
    [store, rf],
  );
}
