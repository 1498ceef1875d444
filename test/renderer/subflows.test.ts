/** Subflows in the editor's model: selection to subflow, a subflow's own canvas, problems shown on its uses. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.js';
import { fromDocument, toDocument } from '../../renderer/src/model/convert.js';
import { makeFragment, parseFragment, pasteFragment } from '../../renderer/src/model/fragment.js';
import { selectionToSubflow } from '../../renderer/src/model/make-subflow.js';
import { portsOf } from '../../renderer/src/model/ports.js';
import { attributeSubflowProblems, problemsInsideSubflow } from '../../renderer/src/model/subflow-problems.js';
import { runtimeOfUse } from '../../renderer/src/model/subflow-runtime.js';
import {
  expandedNodeLabel,
  subflowContent,
  subflowFromContent,
  withoutSubflow,
} from '../../renderer/src/model/subflows.js';
import { createFlowStore } from '../../renderer/src/state/flow-store.js';
import { createFlowValidator, expandSubflows, FLOW_FORMAT, type FlowDocument } from '../../src/flow/index.js';

const validator = createFlowValidator(catalog);

/** generate -> upper -> tag -> debug, and generate -> debug. */
const chain: FlowDocument = {
  format: FLOW_FORMAT,
  name: 'chain',
  nodes: [
    { id: 'gen', type: 'generate', position: { x: 0, y: 0 }, config: { intervalMs: 1000, payload: `{"n": $seq}` } },
    { id: 'upper', type: 'transform', position: { x: 240, y: 0 }, config: { expression: 'payload' } },
    { id: 'tag', type: 'transform', position: { x: 480, y: 40 }, config: { expression: 'payload' } },
    { id: 'log', type: 'debug', position: { x: 720, y: 0 }, config: {} },
  ],
  edges: [
    { source: 'gen', sourcePort: 'out', target: 'upper', targetPort: 'in' },
    { source: 'upper', sourcePort: 'out', target: 'tag', targetPort: 'in' },
    { source: 'tag', sourcePort: 'out', target: 'log', targetPort: 'in' },
    { source: 'tag', sourcePort: 'error', target: 'log', targetPort: 'in' },
    { source: 'gen', sourcePort: 'out', target: 'log', targetPort: 'in' },
  ],
};

const wires = (doc: FlowDocument) =>
  (doc.edges ?? []).map((e) => `${e.source}.${e.sourcePort}->${e.target}.${e.targetPort}`).sort();

describe('make subflow', () => {
  it('turns the selection into a definition with $in/$out edges and one use wired where the nodes were', () => {
    const made = selectionToSubflow(fromDocument(chain), ['upper', 'tag'], 'Shape');
    if (typeof made === 'string') throw new Error(made);
    const doc = toDocument(made.content);
    expect(made.subflowId).toBe('shape-1');
    expect(doc.subflows).toEqual([
      {
        id: 'shape-1',
        name: 'Shape',
        inputs: ['in'],
        outputs: ['out', 'errors'],
        nodes: [
          { ...chain.nodes[1], position: { x: 240, y: 0 } },
          { ...chain.nodes[2], position: { x: 480, y: 40 } },
        ],
        edges: [
          { source: '$in', sourcePort: 'in', target: 'upper', targetPort: 'in' },
          { source: 'upper', sourcePort: 'out', target: 'tag', targetPort: 'in' },
          { source: 'tag', sourcePort: 'out', target: '$out', targetPort: 'out' },
          { source: 'tag', sourcePort: 'error', target: '$out', targetPort: 'errors' },
        ],
      },
    ]);
    expect(doc.nodes.map((n) => `${n.id}:${n.type}`)).toEqual([
      'gen:generate',
      'log:debug',
      'shape-1-1:subflow:shape-1',
    ]);
    expect(wires(doc)).toEqual(
      ['gen.out->shape-1-1.in', 'shape-1-1.out->log.in', 'shape-1-1.errors->log.in', 'gen.out->log.in'].sort(),
    );
    // The engine runs the same graph as before (ids of the copies carry the use's id).
    const expanded = expandSubflows(doc);
    expect(expanded.problems).toEqual([]);
    expect(wires(expanded.flow)).toEqual(
      wires(chain)
        .map((w) => w.replace(/\b(upper|tag)\./g, 'shape-1-1:$1.'))
        .sort(),
    );
    expect(validator.validate(doc).problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('refuses a selection with an outside node between selected nodes', () => {
    const made = selectionToSubflow(fromDocument(chain), ['upper', 'log']);
    expect(made).toMatch(/between selected nodes/);
    expect(selectionToSubflow(fromDocument(chain), [])).toMatch(/Select the nodes/);
  });

  it('is one undo step in the store, and the use has the ports of its definition', () => {
    const s = createFlowStore(fromDocument(chain));
    s.getState().selectOnly(['upper', 'tag']);
    const made = s.getState().makeSubflow();
    if (typeof made === 'string') throw new Error(made);
    const use = s.getState().nodes.find((n) => n.id === made.useId)!;
    const ports = portsOf(use.data.type, use.data.config, s.getState().meta.subflows);
    expect(ports.inputs.map((p) => p.name)).toEqual(['in']);
    expect(ports.outputs.map((p) => p.name)).toEqual(['out', 'errors', 'error']);
    expect(s.getState().meta.subflows?.[0].name).toBe('Subflow 1');
    s.temporal.getState().undo();
    expect(s.getState().meta.subflows).toBeUndefined();
    expect(s.getState().nodes.map((n) => n.id)).toEqual(['gen', 'upper', 'tag', 'log']);
  });
});

describe("a subflow's own canvas", () => {
  const example = JSON.parse(
    readFileSync(new URL('../../examples/mqtt-subflow-to-postgres.json', import.meta.url), 'utf8'),
  ) as FlowDocument;
  const def = example.subflows![0];

  it('shows In and Out nodes whose ports are the subflow’s, and gives back the same definition', () => {
    const content = subflowContent(def, fromDocument(example));
    const ids = content.nodes.map((n) => n.id);
    expect(ids).toEqual(['to-row', 'range', '$in', '$out']);
    const at = (id: string) => content.nodes.find((n) => n.id === id)!;
    expect(portsOf(at('$in').data.type, at('$in').data.config).outputs.map((p) => p.name)).toEqual(['in']);
    expect(portsOf(at('$out').data.type, at('$out').data.config).inputs.map((p) => p.name)).toEqual([
      'out',
      'implausible',
    ]);
    expect(subflowFromContent(content, def)).toEqual(def);
  });

  it('edits go back into the definition: name, parameters, an output port removed with its edges', () => {
    const s = createFlowStore(subflowContent(def, fromDocument(example)));
    s.getState().setMeta({
      name: 'Range check',
      subflow: { id: def.id, parameters: { ...def.parameters, unit: { type: 'string', default: 'C' } } },
    });
    s.getState().updateNode('$out', { config: { ports: ['out'] } });
    const next = subflowFromContent(s.getState(), def);
    expect(next.name).toBe('Range check');
    expect(next.outputs).toEqual(['out']);
    expect(next.parameters?.unit).toEqual({ type: 'string', default: 'C' });
    expect(next.edges?.some((e) => e.targetPort === 'implausible')).toBe(false);
  });

  it('keeps its In and Out nodes when everything is deleted', () => {
    const s = createFlowStore(subflowContent(def, fromDocument(example)));
    s.getState().selectAll();
    s.getState().deleteSelection();
    expect(s.getState().nodes.map((n) => n.id)).toEqual(['$in', '$out']);
    const next = subflowFromContent(s.getState(), def);
    expect(next.nodes).toEqual([]);
    expect(next.inputs).toEqual(['in']);
  });
});

describe('problems inside a subflow', () => {
  it('show on the use they came through, with the subflow and node names, and on the subflow canvas once', () => {
    const doc = structuredClone(chain);
    const made = selectionToSubflow(fromDocument(doc), ['upper', 'tag'], 'Shape');
    if (typeof made === 'string') throw new Error(made);
    const flow = toDocument(made.content);
    flow.subflows![0].nodes[1].config = { expression: 'payload +' };
    flow.subflows![0].nodes[1].name = 'Tag it';
    const raw = validator.validate(flow).problems.filter((p) => p.severity === 'error');
    expect(raw.length).toBeGreaterThan(0);
    const shown = attributeSubflowProblems(raw, flow);
    expect(shown.map((p) => p.nodeId)).toEqual(raw.map(() => made.useId));
    expect(shown[0].message).toMatch(/^in subflow "Shape", node "Tag it": /);
    const inside = problemsInsideSubflow(shown, 0, flow.subflows![0]);
    expect(inside.map((p) => [p.nodeId, p.path.slice(0, 17)])).toContainEqual(['tag', '/nodes/1/config/e']);
    expect(inside[0].message).not.toMatch(/in subflow/);
  });
});

describe('copy and paste of a subflow use', () => {
  const example = JSON.parse(
    readFileSync(new URL('../../examples/mqtt-subflow-to-postgres.json', import.meta.url), 'utf8'),
  ) as FlowDocument;

  it('takes the definition into another flow, reuses an identical one, renames a clashing one', () => {
    const fragment = parseFragment(JSON.stringify(makeFragment(fromDocument(example), new Set(['north']))))!;
    expect(fragment.subflows?.map((s) => s.id)).toEqual(['plausible']);

    const empty = createFlowStore(fromDocument({ format: FLOW_FORMAT, nodes: [] }));
    empty.getState().insert(pasteFragment(empty.getState(), fragment));
    expect(empty.getState().meta.subflows).toEqual(example.subflows);
    expect(empty.getState().nodes.map((n) => [n.id, n.data.type])).toEqual([['north', 'subflow:plausible']]);

    const same = createFlowStore(fromDocument(example));
    same.getState().insert(pasteFragment(same.getState(), fragment));
    expect(same.getState().meta.subflows).toHaveLength(1);
    expect(same.getState().nodes.at(-1)?.id).toBe('plausible-1');

    const other = structuredClone(example);
    other.subflows![0].name = 'Something else';
    const clash = createFlowStore(fromDocument(other));
    clash.getState().insert(pasteFragment(clash.getState(), fragment));
    expect(clash.getState().meta.subflows?.map((s) => s.id)).toEqual(['plausible', 'plausible-1']);
    expect(clash.getState().nodes.at(-1)?.data.type).toBe('subflow:plausible-1');
    expect(validator.validate(toDocument(clash.getState())).problems.filter((p) => p.code.includes('subflow'))).toEqual(
      [],
    );
  });
});

describe('names of nodes inside subflows, as the runtime reports them', () => {
  it('names `use:node` by the use and the node inside, nested uses too', () => {
    const example = JSON.parse(
      readFileSync(new URL('../../examples/mqtt-subflow-to-postgres.json', import.meta.url), 'utf8'),
    ) as FlowDocument;
    const title = (type: string) => catalog.nodes.find((d) => d.type === type)?.title;
    expect(expandedNodeLabel('north:range', example.nodes, example.subflows, title)).toBe('North site › Within range');
    expect(expandedNodeLabel('store', example.nodes, example.subflows, title)).toBeUndefined();
    const outer = { id: 'outer', nodes: [{ id: 'inner-use', type: 'subflow:plausible', config: {} }] };
    const subflows = [...example.subflows!, outer];
    const nodes = [{ id: 'x', type: 'subflow:outer', name: 'Outer' }];
    expect(expandedNodeLabel('x:inner-use:to-row', nodes, subflows, title)).toBe(
      'Outer › Plausible reading › Reading to row',
    );
  });
});

describe('a use while the flow runs', () => {
  it('sums its nodes: in at the nodes its inputs feed, out at those feeding its outputs, the worst status', () => {
    const example = JSON.parse(
      readFileSync(new URL('../../examples/mqtt-subflow-to-postgres.json', import.meta.url), 'utf8'),
    ) as FlowDocument;
    const c = (n: number, failed = 0) => ({ in: n, out: n - failed, failed, dropped: 0, inFlight: 0 });
    const r = runtimeOfUse(
      'north',
      example.subflows![0],
      { 'north:to-row': { state: 'running' }, 'north:range': { state: 'error', reason: 'bad' } },
      { 'north:to-row': c(10, 2), 'north:range': c(8), 'south:range': c(99) },
    );
    expect(r).toEqual({ in: 10, out: 8, failed: 2, dropped: 0, seen: true, state: 'error', reason: 'bad' });
    expect(runtimeOfUse('west', example.subflows![0], {}, {}).seen).toBe(false);
  });
});

describe('deleting a subflow', () => {
  it('takes its definition, its uses and their edges', () => {
    const example = JSON.parse(
      readFileSync(new URL('../../examples/mqtt-subflow-to-postgres.json', import.meta.url), 'utf8'),
    ) as FlowDocument;
    const doc = toDocument(withoutSubflow(fromDocument(example), 'plausible'));
    expect(doc.subflows).toBeUndefined();
    expect(doc.nodes.map((n) => n.id)).toEqual(['north-in', 'south-in', 'store', 'implausible']);
    expect(doc.edges).toEqual([]);
  });
});
