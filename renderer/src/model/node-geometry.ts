/**
 * Where a node's handles are and how big it is before the browser has measured it, from the same constants the node
 * component lays itself out with (canvas/FlowNode.tsx, FlowNode.module.css, the handle rules in styles/global.css).
 *
 * Why: React Flow draws every node it has not measured, wherever it is, so that it can measure it. A large flow opened
 * zoomed in would mount all its nodes once. A node that declares its handles and size counts as measured enough:
 * React Flow culls it when it is out of view and routes edges to it. The declaration lasts until the browser measures
 * the node (flow-store drops it then), so a layout change in CSS can make an unseen endpoint a pixel off, never a
 * drawn node.
 */
import { type NodeHandle, Position } from '@xyflow/react';
import type { FlowSubflow } from '../../../src/flow/index.js';
import { type NodePorts, portsKey, portsOf } from './ports.js';

export const NODE_WIDTH = 180;
export const NODE_BORDER = 1;
export const HEADER = 44;
export const ROW = 18;
export const PAD = 4;
/** Handles: 10 px boxes (border-box) hanging 5 px outside the node's padding box. */
const HANDLE = 10;

/** Top of the i-th port row's handle centre, inside the node's padding box. */
export function handleTop(i: number): number {
  return HEADER + PAD + i * ROW + ROW / 2;
}

export function nodeHeight(ports: NodePorts): number {
  const rows = Math.max(ports.inputs.length, ports.outputs.length, 1);
  return 2 * NODE_BORDER + HEADER + 2 * PAD + rows * ROW;
}

export interface DeclaredGeometry {
  handles: NodeHandle[];
  initialWidth: number;
  initialHeight: number;
  /**
   * As if measured: React Flow runs a fitView (Fit view, revealing a node) only once every node is measured, and a
   * node out of view never is. The browser's measurement replaces it when the node is drawn.
   */
  measured: { width: number; height: number };
}

/**
 * One declaration per layout of ports, shared by the nodes that have it (a 5,000-node flow has a handful): React Flow
 * and the flow store replace these objects, never change them.
 */
const byLayout = new Map<string, DeclaredGeometry>();

/** `subflows`: the document's, so that a subflow's use declares the ports of its definition. */
export function declaredGeometry(
  type: string,
  config: Record<string, unknown>,
  subflows?: readonly FlowSubflow[],
): DeclaredGeometry {
  const ports = portsOf(type, config, subflows);
  const key = portsKey(ports);
  let geometry = byLayout.get(key);
  if (!geometry) {
    // Switch rules name ports as the user types: forget old layouts now and then rather than keep every one.
    if (byLayout.size >= 500) byLayout.clear();
    geometry = geometryOf(ports);
    byLayout.set(key, geometry);
  }
  return geometry;
}

function geometryOf(ports: NodePorts): DeclaredGeometry {
  const y = (i: number) => NODE_BORDER + handleTop(i) - HANDLE / 2;
  const handles: NodeHandle[] = [
    ...ports.inputs.map((p, i) => ({
      id: p.name,
      type: 'target' as const,
      position: Position.Left,
      x: NODE_BORDER - HANDLE / 2,
      y: y(i),
      width: HANDLE,
      height: HANDLE,
    })),
    ...ports.outputs.map((p, i) => ({
      id: p.name,
      type: 'source' as const,
      position: Position.Right,
      x: NODE_WIDTH - NODE_BORDER + HANDLE / 2 - HANDLE,
      y: y(i),
      width: HANDLE,
      height: HANDLE,
    })),
  ];
  const height = nodeHeight(ports);
  return { handles, initialWidth: NODE_WIDTH, initialHeight: height, measured: { width: NODE_WIDTH, height } };
}
