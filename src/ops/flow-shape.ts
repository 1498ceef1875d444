/** What a flow document says about its nodes' types and which nodes use which connection (computed once per document). */
import type { FlowDocument } from '../flow/document.js';
import { findAnnotated } from '../flow/schema-walk.js';
import { expandSubflows } from '../flow/subflow.js';
import { type Catalog, findNodeType } from '../spec/node-definition.js';

export interface FlowShape {
  /** Node id -> node type. */
  types: Map<string, string>;
  connections: Array<{ id: string; kind: string; users: string[] }>;
}

const shapes = new WeakMap<FlowDocument, FlowShape>();

export function flowShape(flow: FlowDocument, catalog: Catalog): FlowShape {
  const known = shapes.get(flow);
  if (known) return known;
  const shape = shapeOf(expandSubflows(flow).flow, catalog);
  shapes.set(flow, shape);
  return shape;
}

/** On the flow as it runs: a subflow's nodes under their expanded ids, as the engine counts them. */
function shapeOf(flow: FlowDocument, catalog: Catalog): FlowShape {
  const types = new Map(flow.nodes.map((n) => [n.id, n.type]));
  const users = new Map<string, string[]>();
  for (const n of flow.nodes) {
    const def = findNodeType(catalog, n.type);
    if (!def) continue;
    for (const ref of findAnnotated(def.config, n.config, 'x-connection')) {
      if (typeof ref.value !== 'string') continue;
      const list = users.get(ref.value) ?? [];
      if (!list.includes(n.id)) list.push(n.id);
      users.set(ref.value, list);
    }
  }
  const connections = (flow.connections ?? []).map((c) => ({ id: c.id, kind: c.kind, users: users.get(c.id) ?? [] }));
  return { types, connections };
}
