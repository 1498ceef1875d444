/**
 * The overview of a large zoomed-out flow (renderer/src/canvas/overview-scene.ts): its boxes and wires are where the
 * zoomed-in canvas draws the nodes and their handles, it carries what the user must still see (selection, problems,
 * runtime status, a debug node turned off), and a point finds the node under it.
 */
import { describe, expect, it } from 'vitest';
import {
  buildScene,
  controlOffset,
  isOverview,
  nodeAt,
  nodesWithin,
  OVERVIEW_MAX_ZOOM,
  OVERVIEW_MIN_NODES,
} from '../../renderer/src/canvas/overview-scene.js';
import { fromDocument } from '../../renderer/src/model/convert.js';
import { declaredGeometry } from '../../renderer/src/model/node-geometry.js';
import { organiseNodes } from '../../renderer/src/model/organise.js';
import type { FlowDocument } from '../../src/flow/index.js';

const doc: FlowDocument = {
  format: 'sluice/flow@1',
  id: 'overview',
  name: 'Overview',
  nodes: [
    { id: 'gen', type: 'generate', position: { x: 0, y: 0 }, config: { intervalMs: 1000 } },
    {
      id: 'route',
      type: 'switch',
      name: 'Route by temperature',
      position: { x: 300, y: 0 },
      config: {
        rules: [
          { port: 'hot', condition: 'payload.t > 30' },
          { port: 'cold', condition: 'payload.t < 5' },
        ],
      },
    },
    { id: 'cold-log', type: 'debug', position: { x: 600, y: 100 }, config: { active: false } },
    { id: 'hot-log', type: 'debug', position: { x: 600, y: -100 }, config: {} },
  ],
  edges: [
    { source: 'gen', sourcePort: 'out', target: 'route', targetPort: 'in' },
    { source: 'route', sourcePort: 'cold', target: 'cold-log', targetPort: 'in' },
    { source: 'route', sourcePort: 'hot', target: 'hot-log', targetPort: 'in' },
  ],
  comments: [{ id: 'note', text: 'Readings from the north site\nsecond line', position: { x: 0, y: 200 } }],
  groups: [{ id: 'logs', name: 'Logs', nodes: ['cold-log', 'hot-log'] }],
};

function scene(extra: Partial<Parameters<typeof buildScene>[0]> = {}) {
  const content = fromDocument(doc);
  const nodes = [...organiseNodes(content.nodes, doc.comments, doc.groups, new Set()), ...content.nodes];
  return buildScene({
    nodes,
    edges: content.edges,
    subflows: undefined,
    problemsByNode: {},
    statuses: undefined,
    ...extra,
  });
}

/** Where React Flow puts a handle's centre: the node's position plus the declared handle box's centre. */
function handleCentre(id: string, port: string, type: 'source' | 'target'): [number, number] {
  const node = doc.nodes.find((n) => n.id === id)!;
  const at = node.position ?? { x: 0, y: 0 };
  const h = declaredGeometry(node.type, node.config).handles.find((x) => x.id === port && x.type === type)!;
  return [at.x + h.x + (h.width ?? 0) / 2, at.y + h.y + (h.height ?? 0) / 2];
}

describe('the overview of a large flow', () => {
  it('is used for large flows zoomed out below the point where captions can be read', () => {
    expect(isOverview(OVERVIEW_MAX_ZOOM / 2, OVERVIEW_MIN_NODES)).toBe(true);
    expect(isOverview(OVERVIEW_MAX_ZOOM, OVERVIEW_MIN_NODES)).toBe(false);
    expect(isOverview(0.05, OVERVIEW_MIN_NODES - 1)).toBe(false);
  });

  it('draws group frames under comments and nodes, each node with its caption and colour', () => {
    const s = scene();
    expect(s.nodeCount).toBe(4);
    expect(s.boxes.map((b) => b.kind)).toEqual(['group', 'comment', 'node', 'node', 'node', 'node']);
    const route = s.boxes.find((b) => b.id === 'route')!;
    expect(route.caption).toBe('Route by temperature');
    expect(route.color).toMatch(/^#/);
    // Two rules and the error port: four rows, as the zoomed-in node.
    expect(route.height).toBe(declaredGeometry('switch', doc.nodes[1].config).initialHeight);
    expect(s.boxes.find((b) => b.kind === 'group')?.caption).toBe('Logs');
  });

  it('ends each wire at the handles of the ports it joins', () => {
    const s = scene();
    const wires = Array.from({ length: s.wires.length / 4 }, (_, i) => Array.from(s.wires.subarray(i * 4, i * 4 + 4)));
    const expected = (doc.edges ?? []).map((e) => [
      ...handleCentre(e.source, e.sourcePort, 'source'),
      ...handleCentre(e.target, e.targetPort, 'target'),
    ]);
    // Handles hang half outside the node: the wire starts and ends at the node's edge, on the handle's row.
    for (const [i, w] of wires.entries()) {
      expect(w[1]).toBeCloseTo(expected[i][1]);
      expect(w[3]).toBeCloseTo(expected[i][3]);
      expect(Math.abs(w[0] - expected[i][0])).toBeLessThanOrEqual(5);
      expect(Math.abs(w[2] - expected[i][2])).toBeLessThanOrEqual(5);
    }
    // The "cold" rule is the second output: its wire leaves one row below "hot".
    const [, cold, hot] = wires;
    expect(cold[1] - hot[1]).toBe(18);
  });

  it('shows the selection, problems, runtime status and a debug node turned off', () => {
    const content = fromDocument(doc);
    content.nodes[0] = { ...content.nodes[0], selected: true };
    const s = buildScene({
      nodes: content.nodes,
      edges: content.edges,
      subflows: undefined,
      problemsByNode: { route: [{ severity: 'error', code: 'x', path: '', message: 'broken', nodeId: 'route' }] },
      statuses: { gen: { state: 'running' }, 'hot-log': { state: 'error', reason: 'no' } },
    });
    const box = (id: string) => s.boxes.find((b) => b.id === id)!;
    expect(box('gen')).toMatchObject({ selected: true, status: 'ok', invalid: false });
    expect(box('route')).toMatchObject({ selected: false, invalid: true, status: undefined });
    expect(box('hot-log')).toMatchObject({ status: 'error', muted: false });
    expect(box('cold-log').muted).toBe(true);
  });

  it('finds the node under a point, never a comment or a frame', () => {
    const s = scene();
    expect(nodeAt(s, 310, 10)?.id).toBe('route');
    expect(nodeAt(s, 650, 110)?.id).toBe('cold-log');
    // Inside the group's frame but between its nodes; on the comment.
    expect(nodeAt(s, 650, 40)).toBeUndefined();
    expect(nodeAt(s, 20, 220)).toBeUndefined();
  });

  it('selects with a rectangle the nodes wholly inside it', () => {
    const s = scene();
    // Around both debug nodes (600, -100) and (600, 100), not the switch at (300, 0).
    expect(nodesWithin(s, { x: 590, y: -110, width: 200, height: 300 }).sort()).toEqual(['cold-log', 'hot-log']);
    // Cutting through a node leaves it out.
    expect(nodesWithin(s, { x: 350, y: -110, width: 440, height: 150 })).toEqual(['hot-log']);
  });

  it('bends wires as React Flow does', () => {
    expect(controlOffset(0, 200)).toBe(100);
    // Backwards: curvature 0.25 * 25 * sqrt(distance).
    expect(controlOffset(200, 100)).toBeCloseTo(0.25 * 25 * 10);
  });
});
