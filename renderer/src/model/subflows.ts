/**
 * Subflows in the editor: a use's ports from its definition, and a subflow opened on its own canvas. Inside, the
 * subflow's inputs and outputs are two editor-only nodes whose ids are the document's `$in` / `$out`, so the edges
 * on that canvas are the definition's edges as they are. Pure.
 */
import {
  FLOW_FORMAT,
  type FlowSubflow,
  isSubflowType,
  SUBFLOW_IN,
  SUBFLOW_OUT,
  subflowIdOf,
  subflowPorts,
} from '../../../src/flow/index.js';
import { ERROR_PORT, type PortDef } from '../../../src/spec/index.js';
import { toEditorEdge, toEditorNode, toFlowEdge, toFlowNode } from './convert.js';
import { type DocMeta, type EditorNode, type FlowContent, NODE_TYPE } from './types.js';

/** Node types of the In and Out nodes on a subflow's canvas (never in a document). */
export const PORT_IN_TYPE = '$subflow-in';
export const PORT_OUT_TYPE = '$subflow-out';
export const SUBFLOW_COLOR = '#a78bfa';

export function isPortNodeType(type: string): boolean {
  return type === PORT_IN_TYPE || type === PORT_OUT_TYPE;
}

export function findSubflow(subflows: readonly FlowSubflow[] | undefined, type: string): FlowSubflow | undefined {
  if (!isSubflowType(type)) return undefined;
  const id = subflowIdOf(type);
  return subflows?.find((s) => s.id === id);
}

export function subflowTitle(def: FlowSubflow): string {
  return def.name || def.id;
}

/** The ports of a use of `def`: its inputs, its outputs and the `error` port that takes its nodes' failures. */
export function subflowUsePorts(def: FlowSubflow): { inputs: PortDef[]; outputs: PortDef[] } {
  const { inputs, outputs } = subflowPorts(def);
  return {
    inputs: inputs.map((name) => ({ name })),
    outputs: [
      ...outputs.map((name) => ({ name })),
      { name: ERROR_PORT, description: 'Failures of the subflow’s nodes that do not wire their own error port' },
    ],
  };
}

/** The ports of an In or Out node on a subflow's canvas: its config lists the subflow's port names. */
export function portNodePorts(
  type: string,
  config: Record<string, unknown>,
): { inputs: PortDef[]; outputs: PortDef[] } {
  const names = Array.isArray(config.ports) ? config.ports.filter((p): p is string => typeof p === 'string') : [];
  const ports = names.map((name) => ({ name }));
  return type === PORT_IN_TYPE ? { inputs: [], outputs: ports } : { inputs: ports, outputs: [] };
}

/** A subflow's content for its own canvas: its nodes and edges, the In and Out nodes, the flow's connections. */
export function subflowContent(def: FlowSubflow, outer: FlowContent): FlowContent {
  const nodes = (def.nodes ?? []).map((n, i) => toEditorNode(n, i, outer.meta.subflows));
  const { inputs, outputs } = subflowPorts(def);
  const xs = nodes.map((n) => n.position.x);
  const ys = nodes.map((n) => n.position.y);
  const left = xs.length ? Math.min(...xs) - 240 : 0;
  const right = xs.length ? Math.max(...xs) + 240 : 480;
  const top = ys.length ? Math.min(...ys) : 0;
  const portNode = (id: string, type: string, name: string, ports: string[], x: number): EditorNode => ({
    id,
    type: NODE_TYPE,
    position: { x, y: top },
    deletable: false,
    data: { type, name, config: { ports } },
  });
  const meta: DocMeta = {
    format: FLOW_FORMAT,
    name: def.name,
    description: def.description,
    // Uses of other subflows inside this one show their ports.
    subflows: outer.meta.subflows,
    subflow: { id: def.id, parameters: def.parameters },
    hasEdges: def.edges !== undefined,
  };
  return {
    meta,
    nodes: [
      ...nodes,
      portNode(SUBFLOW_IN, PORT_IN_TYPE, 'In', inputs, left),
      portNode(SUBFLOW_OUT, PORT_OUT_TYPE, 'Out', outputs, right),
    ],
    edges: (def.edges ?? []).map(toEditorEdge),
    connections: outer.connections,
  };
}

/** The definition a subflow's canvas content stands for (`before` keeps what the canvas does not edit). */
export function subflowFromContent(content: FlowContent, before: FlowSubflow): FlowSubflow {
  const portsOf = (id: string) => {
    const n = content.nodes.find((x) => x.id === id);
    const ports = n?.data.config.ports;
    return Array.isArray(ports) ? (ports as string[]) : [];
  };
  const def: FlowSubflow = {
    ...before,
    inputs: portsOf(SUBFLOW_IN),
    outputs: portsOf(SUBFLOW_OUT),
    nodes: content.nodes.filter((n) => !isPortNodeType(n.data.type)).map(toFlowNode),
  };
  if (content.edges.length || before.edges !== undefined) def.edges = content.edges.map(toFlowEdge);
  const name = content.meta.name?.trim();
  if (name) def.name = content.meta.name;
  else delete def.name;
  if (content.meta.description) def.description = content.meta.description;
  else delete def.description;
  const params = content.meta.subflow?.parameters;
  if (params && Object.keys(params).length) def.parameters = params;
  else delete def.parameters;
  return def;
}

/**
 * The flow's subflows after an edit on the canvas of open subflow `openId`: that one as the canvas now has it, plus
 * what the edit added to the canvas's `meta.subflows` (a subflow made inside it) or took away (the undo of that);
 * `before` is the canvas's `meta.subflows` as last written. The flow's other definitions stay as the flow has them.
 */
export function subflowsAfterEdit(
  flowSubflows: readonly FlowSubflow[],
  openId: string,
  content: FlowContent,
  before: readonly FlowSubflow[] | undefined,
): FlowSubflow[] {
  const was = new Set((before ?? []).map((s) => s.id));
  const after = content.meta.subflows ?? [];
  const now = new Set(after.map((s) => s.id));
  const next = flowSubflows
    .filter((s) => s.id === openId || now.has(s.id) || !was.has(s.id))
    .map((s) => (s.id === openId ? subflowFromContent(content, s) : s));
  for (const s of after) if (!was.has(s.id) && !next.some((x) => x.id === s.id)) next.push(s);
  return next;
}

/** Whether subflow `from` uses subflow `target`, itself or through the subflows it uses (a use would loop). */
export function subflowUses(subflows: readonly FlowSubflow[] | undefined, from: string, target: string): boolean {
  const byId = new Map((subflows ?? []).map((s) => [s.id, s]));
  const seen = new Set<string>();
  const walk = (id: string): boolean => {
    if (id === target) return true;
    if (seen.has(id)) return false;
    seen.add(id);
    return (byId.get(id)?.nodes ?? []).some((n) => isSubflowType(n.type) && walk(subflowIdOf(n.type)));
  };
  return walk(from);
}

interface Named {
  id: string;
  type: string;
  name?: string;
}

/**
 * The words for a node id of the expanded flow (`north:range`, as the runtime and the debug panel name it): the use's
 * name, then the node's inside the subflow (`North site › Within range`); undefined when `id` is no such copy.
 */
export function expandedNodeLabel(
  id: string,
  nodes: readonly Named[],
  subflows: readonly FlowSubflow[] | undefined,
  title: (type: string) => string | undefined,
): string | undefined {
  for (const use of nodes) {
    if (!id.startsWith(`${use.id}:`) || !isSubflowType(use.type)) continue;
    const def = findSubflow(subflows, use.type);
    if (!def) continue;
    const rest = id.slice(use.id.length + 1);
    const useName = use.name ?? subflowTitle(def);
    const inner = def.nodes?.find((n) => n.id === rest);
    if (inner) return `${useName} › ${inner.name ?? title(inner.type) ?? inner.id}`;
    const nested = expandedNodeLabel(rest, def.nodes ?? [], subflows, title);
    if (nested) return `${useName} › ${nested}`;
  }
  return undefined;
}

/** The content without subflow `id`: its definition, its uses and their edges go (one undo step for the caller). */
export function withoutSubflow(content: FlowContent, id: string): FlowContent {
  const type = `subflow:${id}`;
  const gone = new Set(content.nodes.filter((n) => n.data.type === type).map((n) => n.id));
  const meta: DocMeta = { ...content.meta };
  const subflows = (meta.subflows ?? []).filter((s) => s.id !== id);
  if (subflows.length) meta.subflows = subflows;
  else delete meta.subflows;
  if (meta.groups && gone.size) {
    const groups = meta.groups
      .map((g) => ({ ...g, nodes: g.nodes.filter((n) => !gone.has(n)) }))
      .filter((g) => g.nodes.length > 0);
    if (groups.length) meta.groups = groups;
    else delete meta.groups;
  }
  return {
    ...content,
    meta,
    nodes: content.nodes.filter((n) => !gone.has(n.id)),
    edges: content.edges.filter((e) => !gone.has(e.source) && !gone.has(e.target)),
  };
}
