/** The flow store: graph-valid actions, undo/redo with zundo, one step per gesture and per burst of typing. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromDocument } from '../../renderer/src/model/convert.js';
import { createFlowStore } from '../../renderer/src/state/flow-store.js';
import type { FlowDocument } from '../../src/flow/index.js';

const demo = JSON.parse(
  readFileSync(new URL('../../examples/sensors-demo.json', import.meta.url), 'utf8'),
) as FlowDocument;

function store() {
  return createFlowStore(fromDocument(demo));
}

describe('flow store', () => {
  it('opened nodes declare their handles and size until the browser measures them or their ports change', () => {
    const s = store();
    const [first, second] = s.getState().nodes;
    // A transform: one input, `out` and `error` outputs; 180 wide, header + two port rows high.
    const transform = s.getState().nodes.find((n) => n.data.type === 'transform')!;
    expect(transform.measured).toEqual({ width: 180, height: 90 });
    expect(transform.handles?.map((h) => `${h.type}:${h.id}@${h.x},${h.y}`)).toEqual([
      'target:in@-4,53',
      'source:out@174,53',
      'source:error@174,71',
    ]);
    s.getState().onNodesChange([
      { id: first.id, type: 'dimensions', dimensions: { width: 180, height: 120 }, setAttributes: true },
    ]);
    expect(s.getState().nodes.find((n) => n.id === first.id)?.handles).toBeUndefined();
    expect(s.getState().nodes.find((n) => n.id === second.id)?.handles).toBeDefined();
    s.getState().updateNode(second.id, { config: { ...second.data.config } });
    expect(s.getState().nodes.find((n) => n.id === second.id)?.handles).toBeUndefined();
  });

  it('adds a node with its schema defaults, selected', () => {
    const s = store();
    const id = s.getState().addNode('filter', { x: 0, y: 0 });
    const node = s.getState().nodes.find((n) => n.id === id)!;
    expect(id).toBe('filter-1');
    expect(node.selected).toBe(true);
    expect(node.data.config).toEqual({ condition: 'payload.temp > 25', timeoutMs: 1000 });
  });

  it("removes a deleted node's edges in the same step, and undo brings both back", () => {
    const s = store();
    s.getState().selectOnly(['not-freezing']);
    s.getState().deleteSelection();
    expect(s.getState().nodes.some((n) => n.id === 'not-freezing')).toBe(false);
    expect(s.getState().edges.some((e) => e.source === 'not-freezing' || e.target === 'not-freezing')).toBe(false);
    s.temporal.getState().undo();
    expect(s.getState().nodes.some((n) => n.id === 'not-freezing')).toBe(true);
    expect(s.getState().edges).toHaveLength(5);
    s.temporal.getState().redo();
    expect(s.getState().edges).toHaveLength(3);
  });

  it('refuses an invalid edge with the reason and adds a valid one', () => {
    const s = store();
    expect(s.getState().connect({ source: 'mild', sourcePort: 'error', target: 'sensors', targetPort: 'in' })).toMatch(
      /source/,
    );
    expect(
      s.getState().connect({ source: 'sensors', sourcePort: 'error', target: 'mild', targetPort: 'in' }),
    ).toBeUndefined();
    expect(s.getState().edges).toHaveLength(6);
  });

  it('selection and measuring are not undo steps', () => {
    const s = store();
    s.getState().selectAll();
    s.getState().onNodesChange([{ type: 'dimensions', id: 'sensors', dimensions: { width: 200, height: 80 } }]);
    expect(s.temporal.getState().pastStates).toHaveLength(0);
  });

  it('records a drag as one step', () => {
    const s = store();
    s.getState().beginGesture();
    for (let x = 1; x <= 20; x++)
      s.getState().onNodesChange([{ type: 'position', id: 'sensors', position: { x, y: 100 }, dragging: true }]);
    s.getState().endGesture();
    expect(s.temporal.getState().pastStates).toHaveLength(1);
    s.temporal.getState().undo();
    expect(s.getState().nodes[0].position).toEqual({ x: 0, y: 100 });
  });

  it('coalesces quick edits of one field into one step', () => {
    const s = store();
    for (const name of ['S', 'Se', 'Sen']) s.getState().updateNode('sensors', { name });
    s.getState().updateNode('to-fahrenheit', { name: 'F' });
    expect(s.temporal.getState().pastStates).toHaveLength(2);
    s.temporal.getState().undo();
    s.temporal.getState().undo();
    expect(s.getState().nodes[0].data.name).toBe('Sensors');
  });

  it('drops the edges of a switch output whose rule was removed', () => {
    const s = store();
    const sw = s.getState().nodes.find((n) => n.id === 'by-band')!;
    s.getState().updateNode('by-band', { config: { ...sw.data.config, rules: [{ port: 'warm', condition: 'true' }] } });
    expect(s.getState().edges.some((e) => e.source === 'by-band' && e.sourceHandle === 'hot')).toBe(false);
    expect(s.getState().edges.some((e) => e.source === 'by-band' && e.sourceHandle === 'otherwise')).toBe(true);
  });

  it('adds, edits and removes connections', () => {
    const s = store();
    const id = s.getState().addConnection('amqp');
    expect(id).toBe('amqp-1');
    expect(s.getState().connections[0].config).toMatchObject({ host: 'localhost' });
    s.getState().updateConnection(id, { name: 'Rabbit' });
    expect(s.getState().connections[0].name).toBe('Rabbit');
    s.getState().removeConnection(id);
    expect(s.getState().connections).toEqual([]);
  });
});
