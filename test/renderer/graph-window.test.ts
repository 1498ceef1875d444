/**
 * The window of a large flow (renderer/src/canvas/graph-window.ts): what React Flow is given around the view. Nothing
 * the user can see may be missing (nodes in view, wires crossing it, the far ends of wires leaving it) and nothing
 * they act on (a selection reaching out of view); the rest stays out; the window follows the view only when it must.
 */
import type { Edge, Node } from '@xyflow/react';
import { describe, expect, it } from 'vitest';
import { visibleRect, windowAround, windowedGraph, windowServes } from '../../renderer/src/canvas/graph-window.js';

const node = (id: string, x: number, y: number, extra: Partial<Node> = {}): Node => ({
  id,
  position: { x, y },
  data: {},
  measured: { width: 180, height: 72 },
  ...extra,
});
const edge = (source: string, target: string, extra: Partial<Edge> = {}): Edge => ({
  id: `${source}->${target}`,
  source,
  target,
  ...extra,
});

/** A 100 x 100 grid of nodes 300 px apart: 10,000 nodes, a wire from each to its right neighbour. */
function grid(): { nodes: Node[]; edges: Edge[] } {
  const nodes: Node[] = [];
  const edges: Edge[] = [];
  for (let r = 0; r < 100; r++)
    for (let c = 0; c < 100; c++) {
      nodes.push(node(`n${r}-${c}`, c * 300, r * 300));
      if (c > 0) edges.push(edge(`n${r}-${c - 1}`, `n${r}-${c}`));
    }
  return { nodes, edges };
}

describe('the window of a large flow', () => {
  const view = visibleRect([-3000, -3000, 1], 1200, 900); // flow area x 3000..4200, y 3000..3900
  const win = windowAround(view);

  it('is the view and one view around it, in flow coordinates', () => {
    expect(view).toEqual({ x: 3000, y: 3000, width: 1200, height: 900 });
    expect(win).toEqual({ x: 1800, y: 2100, width: 3600, height: 2700 });
    expect(visibleRect([-1000, 200, 0.5], 1200, 900)).toEqual({ x: 2000, y: -400, width: 2400, height: 1800 });
  });

  it('gives React Flow every node in view, a few hundred in all instead of 10,000', () => {
    const { nodes, edges } = grid();
    const shown = windowedGraph(nodes, edges, win);
    const ids = new Set(shown.nodes.map((n) => n.id));
    const inView = nodes.filter(
      (n) =>
        n.position.x < view.x + view.width &&
        n.position.x + 180 > view.x &&
        n.position.y < view.y + view.height &&
        n.position.y + 72 > view.y,
    );
    expect(inView.length).toBeGreaterThan(0);
    for (const n of inView) expect(ids.has(n.id)).toBe(true);
    expect(shown.nodes.length).toBeLessThan(250);
    expect(ids.has('n0-0')).toBe(false);
    // Every edge given has both its ends given; every wire between nodes in view is there.
    for (const e of shown.edges) expect(ids.has(e.source) && ids.has(e.target)).toBe(true);
    expect(shown.edges.map((e) => e.id)).toContain('n10-10->n10-11');
  });

  it('keeps the drawing order of the nodes', () => {
    const { nodes, edges } = grid();
    const shown = windowedGraph(nodes, edges, win).nodes.map((n) => nodes.indexOf(n));
    expect(shown).toEqual([...shown].sort((a, b) => a - b));
  });

  it('keeps a long wire crossing the view, and the far ends of wires leaving it', () => {
    const nodes = [
      node('west', -20_000, 3400),
      node('east', 20_000, 3400),
      node('here', 3500, 3400),
      node('far', 50_000, 0),
    ];
    const edges = [edge('west', 'east'), edge('here', 'far')];
    const shown = windowedGraph(nodes, edges, win);
    expect(shown.edges.map((e) => e.id)).toEqual(['west->east', 'here->far']);
    expect(shown.nodes.map((n) => n.id)).toEqual(['west', 'east', 'here', 'far']);
  });

  it('keeps what is selected or dragged wherever it is, so that moving or deleting a selection takes all of it', () => {
    const nodes = [node('away', 90_000, 90_000, { selected: true }), node('gone', 80_000, 80_000, { dragging: true })];
    const edges = [edge('a', 'b', { selected: true })];
    const withEnds = [...nodes, node('a', -9e4, 0), node('b', -8e4, 0), node('out', -7e4, 0)];
    const shown = windowedGraph(withEnds, edges, win);
    expect(shown.nodes.map((n) => n.id)).toEqual(['away', 'gone', 'a', 'b']);
    expect(shown.edges).toHaveLength(1);
  });

  it('moves with the view only near its edge, on zooming out, or on zooming well in', () => {
    expect(windowServes(win, view)).toBe(true);
    // Panned by a quarter view: still served.
    expect(windowServes(win, { ...view, x: view.x + 300 })).toBe(true);
    // Panned by most of a view: half a view beyond the view would be outside.
    expect(windowServes(win, { ...view, x: view.x + 900 })).toBe(false);
    // Zoomed out 2x about the centre.
    expect(windowServes(win, { x: 2400, y: 2550, width: 2400, height: 1800 })).toBe(false);
    // Zoomed in 4x about the centre: the window would be twelve views wide.
    expect(windowServes(win, { x: 3450, y: 3337.5, width: 300, height: 225 })).toBe(false);
    expect(windowServes(win, { x: 3300, y: 3225, width: 600, height: 450 })).toBe(true);
  });
});
