/**
 * How the canvas fits nodes into view (on open, Fit view, after a layout, revealing a node). `includeHiddenNodes`:
 * React Flow otherwise fits only nodes it has measured, and a large flow draws (so measures) only the nodes in view;
 * with it, the nodes' declared sizes (model/node-geometry.ts) count too. The flow has no hidden nodes otherwise.
 */
import type { FitViewOptions } from '@xyflow/react';

export const FIT_VIEW: FitViewOptions = { padding: 0.15, maxZoom: 1.2, includeHiddenNodes: true };
