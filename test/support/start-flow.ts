/** Starts a flow on the test catalogue (test-source, test-sink and the real nodes) and records each node's statuses. */
import { expect } from 'vitest';
import type { FlowConnection } from '../../src/flow/document.js';
import { Engine, type StatusEvent } from '../../src/runtime/engine.js';
import type { NodeStatus } from '../../src/spec/runtime-contract.js';
import { eventually, payloads, type TestPayload } from '../conformance/harness.js';
import {
  flowOf,
  loadTestRuntime,
  type SinkHandle,
  type SourceHandle,
  sinks,
  sources,
  testCatalog,
} from './test-nodes.js';

export interface Started {
  engine: Engine;
  /** Every status a node reported, in order. */
  states(nodeId: string): NodeStatus[];
}

/** Start a flow on the test catalogue (test-source, test-sink and the real nodes), recording statuses. */
export async function startFlow(
  connections: FlowConnection[],
  nodes: Array<[id: string, type: string, config?: Record<string, unknown>]>,
  edges: Array<[from: string, to: string]>,
  settings: Record<string, unknown> = {},
): Promise<Started> {
  const engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
  const seen = new Map<string, NodeStatus[]>();
  engine.on('status', (s: StatusEvent) => {
    const list = seen.get(s.nodeId) ?? [];
    list.push(s.reason === undefined ? { state: s.state } : { state: s.state, reason: s.reason });
    seen.set(s.nodeId, list);
  });
  await engine.start({ ...flowOf(nodes, edges, settings), connections });
  return { engine, states: (id) => seen.get(id) ?? [] };
}

export interface RoundTrip {
  flow: Started;
  sent: TestPayload[];
}

/**
 * test-source -> `out` ... broker ... `inbound` -> test-sink: starts that flow, pushes `count` payloads, and waits until
 * the sink has every one in order and the source saw every publish settle ok (the broker acknowledged the writes).
 */
export async function roundTrip(
  connections: FlowConnection[],
  out: [type: string, config: Record<string, unknown>],
  inbound: [type: string, config: Record<string, unknown>],
  count = 200,
): Promise<RoundTrip> {
  const flow = await startFlow(
    connections,
    [
      ['src', 'test-source', {}],
      ['out', ...out],
      ['in', ...inbound],
      ['sink', 'test-sink', { failFlagged: false }],
    ],
    [
      ['src', 'out'],
      ['in', 'sink'],
    ],
  );
  const src = sources.get('src') as SourceHandle;
  const sent = payloads(count, 'trip');
  for (const p of sent) await src.push(p, p.id);
  const sink = sinks.get('sink') as SinkHandle;
  await eventually(
    () => sink.delivered.length,
    (n) => n >= sent.length,
    20_000,
    'every message through',
  );
  expect(sink.delivered.map((m) => (m.payload as TestPayload).id)).toEqual(sent.map((p) => p.id));
  await eventually(
    () => [...src.outcomes.values()].filter((o) => o[0]?.ok).length,
    (n) => n === sent.length,
    10_000,
    'every publish settled ok',
  );
  return { flow, sent };
}
