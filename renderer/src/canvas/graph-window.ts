/**
 * The part of a large flow that React Flow is given: the nodes around the view, not all of them. React Flow does work
 * per node and per edge on every change of its nodes or edges, in view or not (for 5,000 nodes and 3,750 edges on
 * opening, ~75 ms building its connection lookup alone, and the garbage that leaves); around the view there are a few
 * hundred. The window is the view grown by one view's size on every side, so panning moves it only now and then.
 * Pure: the canvas (use-graph-window.ts) decides when to move it.
 */
import type { Edge, Node } from '@xyflow/react';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A node React Flow has not measured yet is as big as a one-port flow node (model/node-geometry.ts). */
const UNMEASURED = { width: 180, height: 72 };

/** The flow area the pane shows, in flow coordinates, for React Flow's transform [x, y, zoom]. */
export function visibleRect([x, y, zoom]: readonly [number, number, number], width: number, height: number): Rect {
  return { x: -x / zoom, y: -y / zoom, width: width / zoom, height: height / zoom };
}

function grown(r: Rect, by: number): Rect {
  return {
    x: r.x - r.width * by,
    y: r.y - r.height * by,
    width: r.width * (1 + 2 * by),
    height: r.height * (1 + 2 * by),
  };
}

function inside(inner: Rect, outer: Rect): boolean {
  return (
    inner.x >= outer.x &&
    inner.y >= outer.y &&
    inner.x + inner.width <= outer.x + outer.width &&
    inner.y + inner.height <= outer.y + outer.height
  );
}

/** The window for a view: the view and one view's size around it. */
export function windowAround(visible: Rect): Rect {
  return grown(visible, 1);
}

/**
 * Whether `win` still serves the view: it holds the view and half a view around it, so what a pan brings in next is
 * already there. Zooming in far enough also moves it (a window ten views wide would hold too many nodes).
 */
export function windowServes(win: Rect, visible: Rect): boolean {
  return inside(grown(visible, 0.5), win) && win.width <= visible.width * 6;
}

const widthOf = (n: Node) => n.measured?.width ?? n.width ?? n.initialWidth ?? UNMEASURED.width;
const heightOf = (n: Node) => n.measured?.height ?? n.height ?? n.initialHeight ?? UNMEASURED.height;

/**
 * The nodes and edges React Flow gets for `win`: every node that overlaps it, every edge whose two ends span it (a
 * long wire crossing the view has both ends outside), the ends of those edges (React Flow routes an edge only between
 * nodes it has), and whatever is selected or dragged wherever it is, so that moving or deleting a selection moves all
 * of it. Order is kept (it is the drawing order).
 */
export function windowedGraph<N extends Node, E extends Edge>(
  nodes: readonly N[],
  edges: readonly E[],
  win: Rect,
): { nodes: N[]; edges: E[] } {
  // Called with every change of a 5,000-node flow: no allocation per node or edge.
  const [x0, y0, x1, y1] = [win.x, win.y, win.x + win.width, win.y + win.height];
  const byId = new Map<string, N>();
  const kept = new Set<string>();
  for (const n of nodes) {
    byId.set(n.id, n);
    const { x, y } = n.position;
    if (n.selected || n.dragging || (x < x1 && x + widthOf(n) > x0 && y < y1 && y + heightOf(n) > y0)) kept.add(n.id);
  }
  const keptEdges: E[] = [];
  for (const e of edges) {
    const s = byId.get(e.source);
    const t = byId.get(e.target);
    if (!s || !t) continue;
    const spans =
      Math.min(s.position.x, t.position.x) < x1 &&
      Math.max(s.position.x + widthOf(s), t.position.x + widthOf(t)) > x0 &&
      Math.min(s.position.y, t.position.y) < y1 &&
      Math.max(s.position.y + heightOf(s), t.position.y + heightOf(t)) > y0;
    if (!spans && !e.selected) continue;
    keptEdges.push(e);
    kept.add(s.id);
    kept.add(t.id);
  }
  return { nodes: nodes.filter((n) => kept.has(n.id)), edges: keptEdges };
}
