/**
 * Try it inside an open subflow: the editor's trial (one use of the subflow, expanded by the engine's expander) runs
 * on the real server's try endpoint, and its steps come back in the ids of the subflow's canvas.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { canvasNodeOf, subflowTrial } from '../../renderer/src/model/subflow-try.js';
import { droppedNodes } from '../../renderer/src/state/try-store.js';
import { FLOW_FORMAT, type FlowDocument } from '../../src/flow/index.js';
import type { TryResult } from '../../src/server/protocol.js';
import { call, startServer, type TestServer } from '../server/support.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Subflow "Scale": times a parameter (default 2), then "Big only" keeps payload > 10; "Tag" (nested) wraps it. */
const doc: FlowDocument = {
  format: FLOW_FORMAT,
  name: 'plant',
  subflows: [
    {
      id: 'tag',
      name: 'Tag',
      nodes: [{ id: 'wrap', type: 'transform', config: { expression: '{"tagged": payload}' } }],
      edges: [
        { source: '$in', sourcePort: 'in', target: 'wrap', targetPort: 'in' },
        { source: 'wrap', sourcePort: 'out', target: '$out', targetPort: 'out' },
      ],
    },
    {
      id: 'scale',
      name: 'Scale',
      outputs: ['big'],
      parameters: { factor: { type: 'number', title: 'Factor', default: 2 } },
      nodes: [
        { id: 'mul', type: 'transform', name: 'Times', config: { expression: 'payload * ${param:factor}' } },
        { id: 'keep', type: 'filter', name: 'Big only', config: { condition: 'payload > 10' } },
        { id: 'tagged', type: 'subflow:tag', config: {} },
      ],
      edges: [
        { source: '$in', sourcePort: 'in', target: 'mul', targetPort: 'in' },
        { source: 'mul', sourcePort: 'out', target: 'keep', targetPort: 'in' },
        { source: 'keep', sourcePort: 'out', target: 'tagged', targetPort: 'in' },
        { source: 'tagged', sourcePort: 'out', target: '$out', targetPort: 'big' },
      ],
    },
  ],
  nodes: [
    { id: 'gen', type: 'generate', config: { intervalMs: 1000 } },
    { id: 'use', type: 'subflow:scale', config: { factor: 5 } },
  ],
  edges: [{ source: 'gen', sourcePort: 'out', target: 'use', targetPort: 'in' }],
};

/** The canvas of subflow "scale": its nodes, In and Out, and its edges as React Flow has them. */
const canvasIds = new Set(['mul', 'keep', 'tagged', '$in', '$out']);
const canvasEdges = (doc.subflows![1].edges ?? []).map((e) => ({
  source: e.source,
  sourceHandle: e.sourcePort,
  target: e.target,
}));

async function run(chosen: string, payload: unknown, inputPort?: string) {
  const trial = subflowTrial(doc, 'scale', chosen, inputPort);
  if (typeof trial === 'string') throw new Error(trial);
  const res = await call<TryResult>(t!.app, 'POST', '/api/try', {
    flow: trial.flow,
    nodeId: trial.nodeId,
    message: { payload },
  });
  expect(res.status).toBe(200);
  const steps = trial.mapSteps(res.body.steps);
  const delivered = trial.mapDelivered(res.body.delivered);
  return { steps, delivered, dropped: droppedNodes(chosen, steps, delivered, canvasEdges, canvasIds) };
}

describe('try it inside a subflow', () => {
  it('from In: the nodes it passed (a nested use by its inner node), with the default, and the output it reached', async () => {
    t = await startServer();
    const r = await run('$in', 6);
    expect(r.steps.map((s) => [s.nodeId, s.port])).toEqual([
      ['$in', 'in'],
      ['mul', 'out'],
      ['keep', 'out'],
      ['tagged:wrap', 'out'],
    ]);
    // The subflow's default (2), not a use's value (5).
    expect(r.steps[1].message.payload).toBe(12);
    expect(r.delivered).toEqual([
      expect.objectContaining({
        nodeId: '$out',
        port: 'big',
        message: expect.objectContaining({ payload: { tagged: 12 } }),
      }),
    ]);
    expect(r.dropped).toEqual([]);
    expect(canvasNodeOf('tagged:wrap', canvasIds)).toBe('tagged');
  });

  it('from a node inside: a message the filter drops ends there and reaches no output', async () => {
    t = await startServer();
    const r = await run('mul', 3);
    expect(r.steps.map((s) => [s.nodeId, s.port])).toEqual([['mul', 'out']]);
    expect(r.delivered).toEqual([]);
    expect(r.dropped).toEqual(['keep']);
  });

  it('into a nested use: its copy runs and the message leaves through the output', async () => {
    t = await startServer();
    const r = await run('tagged', 'x');
    expect(r.steps.map((s) => [s.nodeId, s.port])).toEqual([['tagged:wrap', 'out']]);
    expect(r.delivered.map((s) => [s.nodeId, s.port])).toEqual([['$out', 'big']]);
    expect(r.dropped).toEqual([]);
  });

  it('a parameter with no default takes the value a use of it sets, and says so', async () => {
    t = await startServer();
    const noDefault = structuredClone(doc);
    noDefault.subflows![1].parameters = { factor: { type: 'number', title: 'Factor' } };
    const trial = subflowTrial(noDefault, 'scale', 'mul');
    if (typeof trial === 'string') throw new Error(trial);
    expect(trial.parameters).toBe('Factor 5 (as use "use" sets it)');
    expect(subflowTrial(doc, 'scale', 'mul')).toMatchObject({ parameters: 'Factor 2 (its default)' });
    const res = await call<TryResult>(t.app, 'POST', '/api/try', {
      flow: trial.flow,
      nodeId: trial.nodeId,
      message: { payload: 3 },
    });
    expect(trial.mapSteps(res.body.steps).map((s) => [s.nodeId, s.message.payload])).toEqual([
      ['mul', 15],
      ['keep', 15],
      ['tagged:wrap', { tagged: 15 }],
    ]);
  });

  it('says why not: no default for a parameter, the Out node, an unwired input', () => {
    const noDefault = structuredClone(doc);
    noDefault.subflows![1].parameters = { factor: { type: 'number', title: 'Factor' } };
    noDefault.nodes[1].config = {};
    expect(subflowTrial(noDefault, 'scale', 'mul')).toMatch(/give "Factor" a default .* or a value on a use/);
    expect(subflowTrial(doc, 'scale', '$out')).toMatch(/send the sample into In or a node/);
    const unwired = structuredClone(doc);
    unwired.subflows![1].edges = unwired.subflows![1].edges!.filter((e) => e.source !== '$in');
    expect(subflowTrial(unwired, 'scale', '$in')).toMatch(/Input "in" of subflow "Scale" is wired to no node/);
  });
});
