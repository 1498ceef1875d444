/**
 * A subflow made inside an open subflow (Node-RED's Selection to Subflow, one level down): the new definition joins
 * the flow's `subflows`, the selection inside becomes a use of it wired through its ports, one undo step; and the
 * palette never offers a subflow that would contain itself.
 */
import { describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.js';
import { fromDocument, toDocument } from '../../renderer/src/model/convert.js';
import { subflowUses } from '../../renderer/src/model/subflows.js';
import { createFlowStore } from '../../renderer/src/state/flow-store.js';
import { makeSubflow } from '../../renderer/src/state/subflow-actions.js';
import { useSubflowEdit } from '../../renderer/src/state/subflow-edit.js';
import { contentOf, type Tab } from '../../renderer/src/state/workspace.js';
import { createFlowValidator, expandSubflows, FLOW_FORMAT, type FlowDocument } from '../../src/flow/index.js';

const validator = createFlowValidator(catalog);

/** gen -> [subflow "Pipe": a -> b -> c] -> log. */
const doc: FlowDocument = {
  format: FLOW_FORMAT,
  name: 'nest',
  subflows: [
    {
      id: 'pipe',
      name: 'Pipe',
      nodes: [
        { id: 'a', type: 'transform', position: { x: 0, y: 0 }, config: { expression: 'payload + 1' } },
        { id: 'b', type: 'transform', position: { x: 240, y: 0 }, config: { expression: 'payload * 10' } },
        { id: 'c', type: 'transform', position: { x: 480, y: 0 }, config: { expression: '{"v": payload}' } },
      ],
      edges: [
        { source: '$in', sourcePort: 'in', target: 'a', targetPort: 'in' },
        { source: 'a', sourcePort: 'out', target: 'b', targetPort: 'in' },
        { source: 'b', sourcePort: 'out', target: 'c', targetPort: 'in' },
        { source: 'c', sourcePort: 'out', target: '$out', targetPort: 'out' },
      ],
    },
  ],
  nodes: [
    { id: 'gen', type: 'generate', position: { x: 0, y: 0 }, config: { intervalMs: 1000 } },
    { id: 'p', type: 'subflow:pipe', position: { x: 240, y: 0 }, config: {} },
    { id: 'log', type: 'debug', position: { x: 480, y: 0 }, config: {} },
  ],
  edges: [
    { source: 'gen', sourcePort: 'out', target: 'p', targetPort: 'in' },
    { source: 'p', sourcePort: 'out', target: 'log', targetPort: 'in' },
  ],
};

function openPipe() {
  const store = createFlowStore(fromDocument(doc));
  const tab: Tab = { key: 't1', store, serverId: undefined, revision: undefined, saved: contentOf(store.getState()) };
  expect(useSubflowEdit.getState().open(tab, 'pipe')).toBe(true);
  const inner = useSubflowEdit.getState().editing!.store;
  return { outer: store, inner };
}

describe('making a subflow inside an open subflow', () => {
  it('adds the definition to the flow, puts a use of it inside, keeps the wires through its ports', () => {
    const { outer, inner } = openPipe();
    // Out is selected too: it stands for the open subflow's port and stays.
    inner.getState().selectOnly(['b', 'c', '$out']);
    makeSubflow(inner);
    useSubflowEdit.getState().close();

    const after = toDocument(contentOf(outer.getState()));
    expect(after.subflows?.map((s) => s.id)).toEqual(['pipe', 'subflow-1']);
    const made = after.subflows![1];
    expect(made.name).toBe('Subflow 2');
    expect(made.nodes.map((n) => n.id)).toEqual(['b', 'c']);
    expect(made.inputs).toEqual(['in']);
    expect(made.outputs).toEqual(['out']);
    const pipe = after.subflows![0];
    expect(pipe.nodes.map((n) => [n.id, n.type])).toEqual([
      ['a', 'transform'],
      ['subflow-1-1', 'subflow:subflow-1'],
    ]);
    expect(pipe.edges?.map((e) => `${e.source}.${e.sourcePort}->${e.target}.${e.targetPort}`).sort()).toEqual([
      '$in.in->a.in',
      'a.out->subflow-1-1.in',
      'subflow-1-1.out->$out.out',
    ]);
    // The flow is valid and the engine's expansion runs both levels.
    expect(validator.validate(after).problems.filter((p) => p.severity === 'error')).toEqual([]);
    const flat = expandSubflows(after).flow;
    expect(flat.nodes.map((n) => n.id)).toEqual(['gen', 'p:a', 'p:subflow-1-1:b', 'p:subflow-1-1:c', 'log']);
    expect(flat.edges?.map((e) => `${e.source}->${e.target}`).sort()).toEqual([
      'gen->p:a',
      'p:a->p:subflow-1-1:b',
      'p:subflow-1-1:b->p:subflow-1-1:c',
      'p:subflow-1-1:c->log',
    ]);
  });

  it('is one undo step inside the subflow, and one on the flow', () => {
    const { outer, inner } = openPipe();
    const shape = () =>
      toDocument(contentOf(outer.getState())).subflows?.map((s) => ({ id: s.id, nodes: s.nodes, edges: s.edges }));
    const before = shape();
    inner.getState().selectOnly(['b', 'c']);
    makeSubflow(inner);
    expect(outer.getState().meta.subflows).toHaveLength(2);
    inner.temporal.getState().undo();
    expect(inner.getState().nodes.map((n) => n.id)).toEqual(['a', 'b', 'c', '$in', '$out']);
    expect(shape()).toEqual(before);

    inner.temporal.getState().redo();
    expect(outer.getState().meta.subflows).toHaveLength(2);
    useSubflowEdit.getState().close();
    outer.temporal.getState().undo();
    expect(shape()).toEqual(before);
  });

  it('with only In or Out selected, says to select nodes', () => {
    const { outer, inner } = openPipe();
    inner.getState().selectOnly(['$in']);
    makeSubflow(inner);
    useSubflowEdit.getState().close();
    expect(outer.getState().meta.subflows).toHaveLength(1);
  });
});

describe('a subflow never contains itself', () => {
  it('the palette inside a subflow leaves out itself and those that use it', () => {
    const subflows = [
      { id: 'outer', nodes: [{ id: 'x', type: 'subflow:middle', config: {} }] },
      { id: 'middle', nodes: [{ id: 'y', type: 'subflow:inner', config: {} }] },
      { id: 'inner', nodes: [{ id: 'z', type: 'transform', config: { expression: 'payload' } }] },
    ];
    expect(subflowUses(subflows, 'outer', 'inner')).toBe(true);
    expect(subflowUses(subflows, 'inner', 'inner')).toBe(true);
    expect(subflowUses(subflows, 'inner', 'outer')).toBe(false);
    expect(subflowUses(subflows, 'middle', 'outer')).toBe(false);
  });

  it('validation refuses a cycle between definitions even when no use reaches it, naming the subflows', () => {
    const cyclic: FlowDocument = {
      format: FLOW_FORMAT,
      subflows: [
        { id: 'one', name: 'One', nodes: [{ id: 'u2', type: 'subflow:two', config: {} }] },
        { id: 'two', name: 'Two', nodes: [{ id: 'u1', type: 'subflow:one', config: {} }] },
      ],
      nodes: [{ id: 'gen', type: 'generate', config: { intervalMs: 1000 } }],
    };
    const cycles = validator.validate(cyclic).problems.filter((p) => p.code === 'subflow-cycle');
    expect(cycles.length).toBeGreaterThan(0);
    expect(cycles[0].message).toMatch(/"One" uses itself through "Two"|"Two" uses itself through "One"/);
  });
});
