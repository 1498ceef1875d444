/**
 * Which connections the canvas accepts, and why not: the same rules `sluice validate` enforces, said while the
 * user drags (input to input, output to output, a cycle, a duplicate, a source's nonexistent input).
 */
import type { FlowSubflow } from '../../../src/flow/index.js';
import { nodeDefinition } from './catalog.js';
import { portsOf } from './ports.js';
import type { EditorEdge, EditorNode } from './types.js';

export interface HandleEnd {
  nodeId: string;
  /** React Flow's handle type: `source` is an output, `target` an input. */
  type: 'source' | 'target';
  port: string | null;
}

export interface Graph {
  nodes: readonly EditorNode[];
  edges: readonly EditorEdge[];
  /** The flow's subflows: a use's ports come from its definition. */
  meta?: { subflows?: readonly FlowSubflow[] };
}

export interface ProposedEdge {
  source: string;
  sourcePort: string;
  target: string;
  targetPort: string;
}

function caption(graph: Graph, id: string): string {
  const n = graph.nodes.find((x) => x.id === id);
  if (!n) return `"${id}"`;
  return `"${n.data.name ?? nodeDefinition(n.data.type)?.title ?? n.data.type}"`;
}

/** Output ends first; undefined when both ends are the same kind of port. */
export function orient(a: HandleEnd, b: HandleEnd): ProposedEdge | undefined {
  if (a.type === b.type) return undefined;
  const [out, inp] = a.type === 'source' ? [a, b] : [b, a];
  return { source: out.nodeId, sourcePort: out.port ?? 'out', target: inp.nodeId, targetPort: inp.port ?? 'in' };
}

/** A path of node ids from `from` to `to` following edges, or undefined. */
export function pathBetween(graph: Graph, from: string, to: string): string[] | undefined {
  const next = new Map<string, string[]>();
  for (const e of graph.edges) {
    const list = next.get(e.source);
    if (list) list.push(e.target);
    else next.set(e.source, [e.target]);
  }
  const prev = new Map<string, string>();
  const queue = [from];
  const seen = new Set([from]);
  while (queue.length) {
    const id = queue.shift()!;
    if (id === to) {
      const path = [to];
      for (let cur = to; cur !== from; ) {
        cur = prev.get(cur)!;
        path.unshift(cur);
      }
      return path;
    }
    for (const t of next.get(id) ?? []) {
      if (!seen.has(t)) {
        seen.add(t);
        prev.set(t, id);
        queue.push(t);
      }
    }
  }
  return undefined;
}

/** Why the edge cannot be added, or undefined when it can. */
export function edgeProblem(graph: Graph, e: ProposedEdge): string | undefined {
  if (e.source === e.target) return 'A node cannot be connected to itself.';
  const target = graph.nodes.find((n) => n.id === e.target);
  const source = graph.nodes.find((n) => n.id === e.source);
  if (!target || !source) return 'That node no longer exists.';
  const inputs = portsOf(target.data.type, target.data.config, graph.meta?.subflows).inputs;
  if (inputs.length === 0) return `${caption(graph, e.target)} is a source: it takes no input.`;
  if (!inputs.some((p) => p.name === e.targetPort))
    return `${caption(graph, e.target)} has no input "${e.targetPort}".`;
  const outputs = portsOf(source.data.type, source.data.config, graph.meta?.subflows).outputs;
  if (!outputs.some((p) => p.name === e.sourcePort))
    return `${caption(graph, e.source)} has no output "${e.sourcePort}".`;
  const dup = graph.edges.some(
    (x) =>
      x.source === e.source &&
      x.target === e.target &&
      (x.sourceHandle ?? 'out') === e.sourcePort &&
      (x.targetHandle ?? 'in') === e.targetPort,
  );
  if (dup) return 'These two ports are already connected.';
  const back = pathBetween(graph, e.target, e.source);
  if (back) {
    const names = [...back, e.target].map((id) => caption(graph, id)).join(' → ');
    return `That would make a cycle (${names}); flows must not loop back.`;
  }
  return undefined;
}

/** The hint for a drag between two handles (or onto a node without a matching handle). */
export function connectionProblem(
  graph: Graph,
  from: HandleEnd,
  to: HandleEnd | null,
  overNodeId?: string | null,
): string | undefined {
  if (!to) {
    if (!overNodeId || overNodeId === from.nodeId) return undefined;
    const over = graph.nodes.find((n) => n.id === overNodeId);
    if (
      over &&
      from.type === 'source' &&
      portsOf(over.data.type, over.data.config, graph.meta?.subflows).inputs.length === 0
    ) {
      return `${caption(graph, overNodeId)} is a source: it takes no input.`;
    }
    return undefined;
  }
  if (from.type === to.type) {
    return from.type === 'target'
      ? 'Both ends are inputs: drag from an output (right side) to an input (left side).'
      : 'Both ends are outputs: drag from an output (right side) to an input (left side).';
  }
  const e = orient(from, to);
  return e ? edgeProblem(graph, e) : undefined;
}
