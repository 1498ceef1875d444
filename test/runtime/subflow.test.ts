import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/runtime/engine.js';
import { loadTestRuntime, sinks, sources, testCatalog } from '../support/test-nodes.js';

let engine: Engine | undefined;

afterEach(async () => {
  await engine?.stop({ deadlineMs: 100 });
  engine = undefined;
});

/** A subflow (shift by a parameter, then a switch on another) used twice with different parameters. */
const flow = {
  format: 'sluice/flow@1',
  subflows: [
    {
      id: 'convert',
      name: 'Convert and keep',
      outputs: ['out', 'rejected'],
      parameters: { offset: { type: 'number', default: 0 }, min: { type: 'number', default: 0 } },
      nodes: [
        { id: 'shift', type: 'transform', config: { expression: '{ "v": payload.v + ${param:offset} }' } },
        { id: 'keep', type: 'switch', config: { rules: [{ condition: 'payload.v >= ${param:min}', port: 'high' }] } },
      ],
      edges: [
        { source: '$in', sourcePort: 'in', target: 'shift', targetPort: 'in' },
        { source: 'shift', sourcePort: 'out', target: 'keep', targetPort: 'in' },
        { source: 'keep', sourcePort: 'high', target: '$out', targetPort: 'out' },
        { source: 'keep', sourcePort: 'otherwise', target: '$out', targetPort: 'rejected' },
      ],
    },
  ],
  nodes: [
    { id: 'src', type: 'test-source', config: {} },
    { id: 'plus10', type: 'subflow:convert', config: { offset: 10, min: 12 } },
    { id: 'minus1', type: 'subflow:convert', config: { offset: -1 } },
    { id: 'kept', type: 'test-sink', config: {} },
    { id: 'low', type: 'test-sink', config: {} },
    { id: 'other', type: 'test-sink', config: {} },
    { id: 'dead', type: 'test-sink', config: { failFlagged: false } },
  ],
  edges: [
    { source: 'src', sourcePort: 'out', target: 'plus10', targetPort: 'in' },
    { source: 'src', sourcePort: 'out', target: 'minus1', targetPort: 'in' },
    { source: 'plus10', sourcePort: 'out', target: 'kept', targetPort: 'in' },
    { source: 'plus10', sourcePort: 'rejected', target: 'low', targetPort: 'in' },
    { source: 'minus1', sourcePort: 'out', target: 'other', targetPort: 'in' },
    { source: 'plus10', sourcePort: 'error', target: 'dead', targetPort: 'in' },
  ],
};

describe('engine: subflows', () => {
  it('runs each use with its own parameters and nodes; counters name the copies; acks wait for both uses', async () => {
    engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
    await engine.start(flow);
    const src = sources.get('src')!;
    for (const [id, v] of [
      ['a', 1],
      ['b', 5],
    ] as const)
      await src.push({ v }, id);
    await engine.whenIdle();
    expect(sinks.get('kept')!.delivered.map((m) => m.payload)).toEqual([{ v: 15 }]);
    expect(sinks.get('low')!.delivered.map((m) => m.payload)).toEqual([{ v: 11 }]);
    expect(sinks.get('other')!.delivered.map((m) => m.payload)).toEqual([{ v: 0 }, { v: 4 }]);
    expect(src.outcomes.get('a')).toEqual([{ ok: true }]);
    expect(src.outcomes.get('b')).toEqual([{ ok: true }]);
    const counters = engine.counters();
    expect(counters['plus10:shift']).toMatchObject({ in: 2, out: 2 });
    expect(counters['minus1:keep']).toMatchObject({ in: 2 });
  });

  it("a failure inside a use goes to the use's error port", async () => {
    engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
    await engine.start(flow);
    const src = sources.get('src')!;
    await src.push({ v: 'not a number' }, 'bad');
    await engine.whenIdle();
    const dead = sinks.get('dead')!.delivered;
    expect(dead.map((m) => m.id)).toEqual(['bad']);
    expect(dead[0].headers['sluice-error-node']).toBe('plus10:shift');
  });

  it('a flow whose subflow use is wrong does not start, and says where', async () => {
    engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
    const bad = structuredClone(flow);
    (bad.nodes[1].config as Record<string, unknown>) = { offset: 'ten', min: 12 };
    await expect(engine.start(bad)).rejects.toThrow(/parameter "offset" must be a number/);
  });
});

describe('engine: nested subflows', () => {
  /** "outer" shifts by its parameter and hands on to "inner" (a use inside it), which keeps v >= its own parameter. */
  const nested = {
    format: 'sluice/flow@1',
    subflows: [
      {
        id: 'inner',
        parameters: { min: { type: 'number', default: 0 } },
        nodes: [{ id: 'keep', type: 'filter', config: { condition: 'payload.v >= ${param:min}' } }],
        edges: [
          { source: '$in', sourcePort: 'in', target: 'keep', targetPort: 'in' },
          { source: 'keep', sourcePort: 'out', target: '$out', targetPort: 'out' },
        ],
      },
      {
        id: 'outer',
        parameters: { offset: { type: 'number', default: 0 } },
        nodes: [
          { id: 'shift', type: 'transform', config: { expression: '{ "v": payload.v + ${param:offset} }' } },
          { id: 'gate', type: 'subflow:inner', config: { min: 10 } },
        ],
        edges: [
          { source: '$in', sourcePort: 'in', target: 'shift', targetPort: 'in' },
          { source: 'shift', sourcePort: 'out', target: 'gate', targetPort: 'in' },
          { source: 'gate', sourcePort: 'out', target: '$out', targetPort: 'out' },
        ],
      },
    ],
    nodes: [
      { id: 'src', type: 'test-source', config: {} },
      { id: 'both', type: 'subflow:outer', config: { offset: 5 } },
      { id: 'kept', type: 'test-sink', config: {} },
    ],
    edges: [
      { source: 'src', sourcePort: 'out', target: 'both', targetPort: 'in' },
      { source: 'both', sourcePort: 'out', target: 'kept', targetPort: 'in' },
    ],
  };

  it('runs a subflow used inside a subflow: both levels, each with its parameters, counters per copy', async () => {
    engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
    await engine.start(nested);
    const src = sources.get('src')!;
    for (const [id, v] of [
      ['a', 1],
      ['b', 7],
    ] as const)
      await src.push({ v }, id);
    await engine.whenIdle();
    expect(sinks.get('kept')!.delivered.map((m) => m.payload)).toEqual([{ v: 12 }]);
    expect(src.outcomes.get('a')).toEqual([{ ok: true }]);
    expect(src.outcomes.get('b')).toEqual([{ ok: true }]);
    expect(engine.counters()['both:gate:keep']).toMatchObject({ in: 2, out: 1 });
  });

  it('refuses to start a flow whose subflows contain each other, in their words', async () => {
    engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
    const loop = structuredClone(nested);
    loop.subflows[0].nodes.push({ id: 'back', type: 'subflow:outer', config: {} } as never);
    await expect(engine.start(loop)).rejects.toThrow(/uses itself/);
  });
});
