/** Starts a flow on the test catalogue (test-source, test-sink and the real nodes) and records each node's statuses. */
import type { FlowConnection } from '../../src/flow/document.js';
import { Engine, type StatusEvent } from '../../src/runtime/engine.js';
import type { NodeStatus } from '../../src/spec/runtime-contract.js';
import { flowOf, loadTestRuntime, testCatalog } from './test-nodes.js';

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
