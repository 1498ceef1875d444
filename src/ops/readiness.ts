/**
 * Readiness: every flow started and every node and connection up. A node is up unless its status is `connecting`,
 * `error` or `stopped`; a connection is up when every node that uses it is (the nodes report their clients' state: a sink's
 * database probe, a subscriber's broker link).
 */
import type { Catalog } from '../spec/node-definition.js';
import type { NodeStatus } from '../spec/runtime-contract.js';
import { flowShape } from './flow-shape.js';
import type { OpsSource } from './source.js';

export interface NodeReadiness {
  node: string;
  type: string;
  state: string;
  reason?: string;
}

export interface ConnectionReadiness {
  connection: string;
  kind: string;
  up: boolean;
  /** For a connection that is down: which of its nodes say so, and what they say. */
  reason?: string;
}

export interface FlowReadiness {
  flow: string;
  state: string;
  ready: boolean;
  error?: string;
  /** The nodes that are not up. */
  nodes: NodeReadiness[];
  connections: ConnectionReadiness[];
}

export interface Readiness {
  ready: boolean;
  flows: FlowReadiness[];
}

/** Up: running, connected, or idle on its own once started (a generator that sent its count). */
export function isUp(status: NodeStatus | undefined): boolean {
  const state = status?.state;
  return state === 'running' || state === 'connected' || state === 'idle';
}

function describe(status: NodeStatus | undefined): string {
  if (!status) return 'not started';
  return status.reason ? `${status.state}: ${status.reason}` : status.state;
}

export function readiness(source: OpsSource, catalog: Catalog): Readiness {
  const flows: FlowReadiness[] = [];
  for (const f of source.flows()) {
    const doc = f.engine.flow;
    const statuses = f.engine.statuses();
    const shape = doc ? flowShape(doc, catalog) : undefined;
    const nodes: NodeReadiness[] = [];
    for (const [node, type] of shape?.types ?? []) {
      const status = statuses[node];
      if (isUp(status)) continue;
      nodes.push({
        node,
        type,
        state: status?.state ?? 'not started',
        ...(status?.reason && { reason: status.reason }),
      });
    }
    const connections: ConnectionReadiness[] = (shape?.connections ?? [])
      .filter((c) => c.users.length > 0)
      .map((c) => {
        const down = c.users.filter((u) => !isUp(statuses[u]));
        if (down.length === 0) return { connection: c.id, kind: c.kind, up: true };
        const reason = down.map((u) => `node "${u}" is ${describe(statuses[u])}`).join('; ');
        return { connection: c.id, kind: c.kind, up: false, reason };
      });
    const ready = f.state === 'running' && nodes.length === 0;
    flows.push({
      flow: f.id,
      state: f.state,
      ready,
      ...(f.error && { error: f.error }),
      nodes,
      connections,
    });
  }
  return { ready: flows.every((f) => f.ready), flows };
}
