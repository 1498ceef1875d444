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
