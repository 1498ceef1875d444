/**
 * How the canvas fits nodes into view (on open, Fit view, after a layout, revealing a node).
 *
 * `FIT_VIEW` is React Flow's own fit on open. `includeHiddenNodes`: React Flow otherwise fits only nodes it has
 * measured, and a large flow draws (so measures) only the nodes in view; with it, the nodes' declared sizes
 * (model/node-geometry.ts) count too.
 *
 * Every other fit goes through `useFitFlow`, which fits the flow's own nodes: React Flow's fitView fits the nodes it
 * has, and a large flow zoomed in gives it only those around the view (graph-window.ts).
 */
import { type FitViewOptions, getNodesBounds, getViewportForBounds, useReactFlow, useStoreApi } from '@xyflow/react';
import { useCallback } from 'react';
import { organiseNodes } from '../model/organise.js';
import type { FlowStore } from '../state/flow-store.js';

export const FIT_VIEW = { padding: 0.15, maxZoom: 1.2, includeHiddenNodes: true } satisfies FitViewOptions;

export interface FitOptions {
  /** Only these nodes (default: the whole flow, with its comments and group frames). */
  nodeIds?: readonly string[];
  padding?: number;
  /** Animated over this many milliseconds. */
  duration?: number;
}

export type FitFlow = (options?: FitOptions) => void;

export function useFitFlow(store: FlowStore): FitFlow {
  const rf = useReactFlow();
  const view = useStoreApi();
  return useCallback(
    (options = {}) => {
      const s = store.getState();
      const only = options.nodeIds && new Set(options.nodeIds);
      const nodes = only
        ? s.nodes.filter((n) => only.has(n.id))
        : [...organiseNodes(s.nodes, s.meta.comments, s.meta.groups, new Set()), ...s.nodes];
      const { width, height, minZoom } = view.getState();
      if (nodes.length === 0 || width === 0 || height === 0) return;
      const padding = options.padding ?? FIT_VIEW.padding;
      const viewport = getViewportForBounds(getNodesBounds(nodes), width, height, minZoom, FIT_VIEW.maxZoom, padding);
      void rf.setViewport(viewport, options.duration ? { duration: options.duration } : undefined);
    },
    [rf, view, store],
  );
}
