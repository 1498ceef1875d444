import { describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.js';
import type { FlowDocument } from '../../src/flow/document.js';
import { serializeFlow, stripSecrets } from '../../src/flow/serialize.js';
import { expandSubflows } from '../../src/flow/subflow.js';
import { createFlowValidator } from '../../src/flow/validate.js';
import { defineNode, Type } from '../../src/spec/index.js';
import { Secret } from '../../src/spec/schema.js';

const validator = createFlowValidator(catalog);

/** A "scale and keep" subflow: transform by a parameter factor, then a filter; used twice, once inside another. */
function flowWithSubflows(): FlowDocument {
  return {
    format: 'sluice/flow@1',
    subflows: [
      {
        id: 'scale',
        name: 'Scale and keep',
        inputs: ['in'],
        outputs: ['out', 'dropped'],
        parameters: {
          factor: { type: 'number', title: 'Factor', default: 2 },
          label: { type: 'string' },
        },
        nodes: [
          { id: 'mul', type: 'transform', config: { expression: 'payload * ${param:factor}' } },
          { id: 'keep', type: 'switch', config: { rules: [{ condition: 'payload > 10', port: 'big' }] } },
        ],
        edges: [
          { source: '$in', sourcePort: 'in', target: 'mul', targetPort: 'in' },
          { source: 'mul', sourcePort: 'out', target: 'keep', targetPort: 'in' },
          { source: 'keep', sourcePort: 'big', target: '$out', targetPort: 'out' },
          { source: 'keep', sourcePort: 'otherwise', target: '$out', targetPort: 'dropped' },
        ],
      },
    ],
    nodes: [
      { id: 'gen', type: 'generate', config: { intervalMs: 100 } },
      { id: 'a', type: 'subflow:scale', config: { factor: 3, label: 'x' } },
      { id: 'big', type: 'debug', config: {} },
      { id: 'small', type: 'debug', config: {} },
    ],
    edges: [
      { source: 'gen', sourcePort: 'out', target: 'a', targetPort: 'in' },
      { source: 'a', sourcePort: 'out', target: 'big', targetPort: 'in' },
      { source: 'a', sourcePort: 'dropped', target: 'small', targetPort: 'in' },
    ],
  } as FlowDocument;
}

describe('subflows: expansion', () => {
  it('copies the nodes under the use id, wires $in and $out, fills in parameters with their type', () => {
    const { flow, problems, nodeOrigins } = expandSubflows(flowWithSubflows());
    expect(problems).toEqual([]);
    expect(flow.subflows).toBeUndefined();
    expect(flow.nodes.map((n) => n.id)).toEqual(['gen', 'a:mul', 'a:keep', 'big', 'small']);
    expect(flow.nodes[1].config).toEqual({ expression: 'payload * 3' });
    expect(nodeOrigins).toEqual(['/nodes/0', '/subflows/0/nodes/0', '/subflows/0/nodes/1', '/nodes/2', '/nodes/3']);
    expect(flow.edges?.map((e) => `${e.source}.${e.sourcePort}->${e.target}.${e.targetPort}`).sort()).toEqual(
      ['gen.out->a:mul.in', 'a:mul.out->a:keep.in', 'a:keep.big->big.in', 'a:keep.otherwise->small.in'].sort(),
    );
  });

  it('a whole-string parameter keeps its type; defaults apply; nested uses get one id level each', () => {
    const doc = flowWithSubflows();
    doc.subflows!.push({
      id: 'twice',
      parameters: { n: { type: 'integer', default: 5 } },
      nodes: [
        { id: 'inner', type: 'subflow:scale', config: { factor: '${param:n}', label: 'inner' } },
        { id: 'gen2', type: 'generate', config: { intervalMs: '${param:n}' } },
      ],
      edges: [
        { source: '$in', sourcePort: 'in', target: 'inner', targetPort: 'in' },
        { source: 'inner', sourcePort: 'out', target: '$out', targetPort: 'out' },
      ],
    });
    doc.nodes.push({ id: 't', type: 'subflow:twice', config: {} });
    doc.edges!.push({ source: 'gen', sourcePort: 'out', target: 't', targetPort: 'in' });
    const { flow, problems } = expandSubflows(doc);
    expect(problems).toEqual([]);
    const byId = new Map(flow.nodes.map((n) => [n.id, n]));
    expect(byId.get('t:inner:mul')?.config).toEqual({ expression: 'payload * 5' });
    expect(byId.get('t:gen2')?.config).toEqual({ intervalMs: 5 });
    expect(flow.edges?.some((e) => e.source === 'gen' && e.target === 't:inner:mul')).toBe(true);
  });

  it("the use's error port takes the failures of its nodes that wire no error port of their own", () => {
    const doc = flowWithSubflows();
    doc.nodes.push({ id: 'dead', type: 'debug', config: {} });
    doc.edges!.push({ source: 'a', sourcePort: 'error', target: 'dead', targetPort: 'in' });
    const { flow } = expandSubflows(doc);
    const toDead = flow.edges!.filter((e) => e.target === 'dead').map((e) => `${e.source}.${e.sourcePort}`);
    expect(toDead.sort()).toEqual(['a:keep.error', 'a:mul.error']);
  });
});

describe('subflows: validation', () => {
  it('a flow with a subflow validates', () => {
    expect(validator.validate(flowWithSubflows()).problems).toEqual([]);
  });

  it("a port problem on a subflow's own wiring points at the edge inside the subflow", () => {
    const doc = flowWithSubflows();
    doc.subflows![0].edges![3].sourcePort = 'small';
    const p = validator.validate(doc).problems.find((x) => x.code === 'unknown-port');
    expect(p).toMatchObject({ path: '/subflows/0/edges/3/sourcePort', nodeId: 'a:keep' });
  });

  it("problems inside a subflow point at the subflow's node", () => {
    const doc = flowWithSubflows();
    doc.subflows![0].nodes[0].config = { expression: 'payload *' };
    const [p] = validator.validate(doc).problems;
    expect(p).toMatchObject({
      code: 'expression-syntax',
      path: '/subflows/0/nodes/0/config/expression',
      nodeId: 'a:mul',
    });
  });

  it('a subflow whose nodes or edges are not lists, used or not, is a problem at the subflow, not a crash', () => {
    const doc = {
      ...flowWithSubflows(),
      subflows: [{ id: 'odd', name: 'Odd', nodes: 'oops', edges: 7 }],
      nodes: [{ id: 'use', type: 'subflow:odd', config: {} }],
      edges: [],
    } as unknown as FlowDocument;
    expect(() => expandSubflows(doc)).not.toThrow();
    const ps = validator.validate(doc).problems;
    expect(ps.some((p) => p.path.startsWith('/subflows/0'))).toBe(true);
  });

  it('an inner node of an unknown type is refused by the schema branch as elsewhere', () => {
    const doc = flowWithSubflows();
    doc.subflows![0].nodes[1].type = 'swich';
    const ps = validator.validate(doc).problems;
    expect(ps.find((p) => p.code === 'unknown-node-type')).toMatchObject({ path: '/subflows/0/nodes/1/type' });
  });

  it('unknown subflow, unknown or mistyped or missing parameter, unknown port, cycle: each says what and where', () => {
    const doc = flowWithSubflows();
    doc.nodes[1].config = { factor: 'three', colour: 'red' };
    doc.edges![1].sourcePort = 'outt';
    doc.nodes.push({ id: 'ghost', type: 'subflow:nope', config: {} });
    doc.subflows!.push({
      id: 'loop',
      nodes: [{ id: 'me', type: 'subflow:loop', config: {} }],
      edges: [{ source: '$in', sourcePort: 'in', target: 'me', targetPort: 'in' }],
    });
    doc.nodes.push({ id: 'l', type: 'subflow:loop', config: {} });
    const ps = validator.validate(doc).problems;
    const codes = ps.map((p) => [p.code, p.path]);
    expect(codes).toEqual(
      expect.arrayContaining([
        ['parameter-type', '/nodes/1/config/factor'],
        ['unknown-parameter', '/nodes/1/config/colour'],
        ['missing-parameter', '/nodes/1/config'],
        ['unknown-port', '/edges/1/sourcePort'],
        ['unknown-subflow', '/nodes/4/type'],
        ['subflow-cycle', '/subflows/1/nodes/0/type'],
      ]),
    );
    expect(ps.find((p) => p.code === 'unknown-port')?.hint).toMatch(/out, dropped/);
    expect(ps.find((p) => p.code === 'parameter-type')?.message).toMatch(/parameter "Factor" must be a number/);
  });

  it('${param:} that names no parameter is an error at the field', () => {
    const doc = flowWithSubflows();
    doc.subflows![0].nodes[0].config = { expression: 'payload * ${param:factr}' };
    const p = validator.validate(doc).problems.find((x) => x.code === 'unknown-parameter');
    expect(p).toMatchObject({ path: '/subflows/0/nodes/0/config/expression' });
  });
});

describe('subflows: files', () => {
  it('export strips a literal secret inside a subflow like anywhere else', () => {
    const withToken = defineNode({
      type: 'test-token',
      version: 1,
      category: 'sink',
      title: 'Token',
      summary: '',
      docs: '',
      inputs: [{ name: 'in', required: true }],
      outputs: [],
      config: Type.Object({ token: Type.Optional(Secret()) }),
    });
    const doc = flowWithSubflows();
    doc.subflows![0].nodes.push({ id: 'send', type: 'test-token', config: { token: 'hunter2' } });
    doc.subflows![0].nodes.push({ id: 'ok', type: 'test-token', config: { token: '${env:TOKEN}' } });
    const { flow, stripped } = stripSecrets(doc, { ...catalog, nodes: [...catalog.nodes, withToken] });
    expect(stripped).toEqual(['/subflows/0/nodes/2/config/token']);
    expect(JSON.stringify(flow)).not.toContain('hunter2');
    expect(flow.subflows![0].nodes[3].config.token).toBe('${env:TOKEN}');
  });

  it('serialises subflows as written (kept, in order)', () => {
    const text = serializeFlow(flowWithSubflows());
    expect(JSON.parse(text).subflows[0].edges[0]).toEqual({
      source: '$in',
      sourcePort: 'in',
      target: 'mul',
      targetPort: 'in',
    });
  });
});
