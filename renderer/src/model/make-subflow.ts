/**
 * "Make subflow" (Node-RED's Selection to Subflow): the selected nodes become a subflow definition in the document's
 * `subflows`, and one use node `subflow:<id>` takes their place. Edges crossing the selection become the subflow's
 * ports: one input per inner port the outside fed (an `$in` edge), one output per inner port that fed the outside
 * (an `$out` edge), each wired to the use where the originals were. Inside an open subflow (its canvas content) it
 * works the same: the new definition joins the flow's `subflows` (the canvas's `meta.subflows`), and the In and Out
 * nodes never go into the selection (edges from In and into Out become the new subflow's ports). Pure.
 */
import { FLOW_FORMAT, type FlowEdge, type FlowSubflow, SUBFLOW_IN, SUBFLOW_OUT } from '../../../src/flow/index.js';
import { ERROR_PORT } from '../../../src/spec/index.js';
import { toEditorEdge, toFlowEdge, toFlowNode } from './convert.js';
import { slug, uniqueId } from './ids.js';
import { withoutNodes } from './organise.js';
import { isPortNodeType } from './subflows.js';
import { type EditorEdge, type EditorNode, type FlowContent, NODE_TYPE } from './types.js';

export interface MadeSubflow {
  content: FlowContent;
  subflowId: string;
  useId: string;
}

/** Room left of the inner nodes for the In node when the subflow is opened. */
const INNER_OFFSET_X = 240;

/** A port name for `wanted`, unique among `taken` (`in`, `in2`, ...); the use's own `error` is never taken. */
function portName(wanted: string, taken: Set<string>): string {
  const base = wanted === ERROR_PORT ? 'errors' : /^[A-Za-z][A-Za-z0-9_-]*$/.test(wanted) ? wanted : 'port';
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}${i}`;
  taken.add(name);
  return name;
}

/** A node outside the selection that lies between selected nodes (the use would loop through it), or undefined. */
function outsideBetween(edges: readonly EditorEdge[], inside: ReadonlySet<string>): string | undefined {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.source, [...(next.get(e.source) ?? []), e.target]);
  const starts = edges.filter((e) => inside.has(e.source) && !inside.has(e.target)).map((e) => e.target);
  for (const start of new Set(starts)) {
    const seen = new Set([start]);
    const queue = [start];
    while (queue.length) {
      const id = queue.shift()!;
      for (const t of next.get(id) ?? []) {
        if (inside.has(t)) return start;
        if (!seen.has(t)) {
          seen.add(t);
          queue.push(t);
        }
      }
    }
  }
  return undefined;
}

function caption(n: EditorNode): string {
  return n.data.name ?? n.id;
}

/** The new content with the selection turned into a subflow, or why it cannot be. */
export function selectionToSubflow(
  content: FlowContent,
  selected: readonly string[],
  name?: string,
): MadeSubflow | string {
  // In and Out stand for the open subflow's ports: they stay where they are.
  const portNodes = new Set(content.nodes.filter((n) => isPortNodeType(n.data.type)).map((n) => n.id));
  const inside = new Set(selected.filter((id) => !portNodes.has(id)));
  const members = content.nodes.filter((n) => inside.has(n.id));
  if (members.length === 0) return 'Select the nodes to turn into a subflow first (Shift+drag or Ctrl+click).';
  const between = outsideBetween(content.edges, inside);
  if (between) {
    const n = content.nodes.find((x) => x.id === between);
    return `"${n ? caption(n) : between}" lies between selected nodes: select it too, or fewer nodes, so the subflow has one way in and out.`;
  }

  const existing = content.meta.subflows ?? [];
  const subflowId = uniqueId(name ? slug(name) : 'subflow', new Set(existing.map((s) => s.id)));
  const minX = Math.min(...members.map((n) => n.position.x));
  const minY = Math.min(...members.map((n) => n.position.y));

  const inputs = new Map<string, string>();
  const outputs = new Map<string, string>();
  const inNames = new Set<string>();
  const outNames = new Set<string>();
  const innerEdges: FlowEdge[] = [];
  const outerEdges: EditorEdge[] = [];
  const takenIds = new Set(content.nodes.filter((n) => !inside.has(n.id)).map((n) => n.id));
  const useId = uniqueId(subflowId, takenIds);
  const seenOuter = new Set<string>();
  const addOuter = (e: FlowEdge) => {
    const edge = toEditorEdge(e);
    if (seenOuter.has(edge.id)) return;
    seenOuter.add(edge.id);
    outerEdges.push(edge);
  };

  for (const e of content.edges) {
    const from = inside.has(e.source);
    const to = inside.has(e.target);
    const flow = toFlowEdge(e);
    if (from && to) innerEdges.push(flow);
    else if (to) {
      const key = `${flow.target}\u0000${flow.targetPort}`;
      let port = inputs.get(key);
      if (!port) {
        port = portName(flow.targetPort, inNames);
        inputs.set(key, port);
        innerEdges.push({ source: SUBFLOW_IN, sourcePort: port, target: flow.target, targetPort: flow.targetPort });
      }
      addOuter({ source: flow.source, sourcePort: flow.sourcePort, target: useId, targetPort: port });
    } else if (from) {
      const key = `${flow.source}\u0000${flow.sourcePort}`;
      let port = outputs.get(key);
      if (!port) {
        port = portName(flow.sourcePort, outNames);
        outputs.set(key, port);
        innerEdges.push({ source: flow.source, sourcePort: flow.sourcePort, target: SUBFLOW_OUT, targetPort: port });
      }
      addOuter({ source: useId, sourcePort: port, target: flow.target, targetPort: flow.targetPort });
    } else outerEdges.push(e);
  }

  const def: FlowSubflow = {
    id: subflowId,
    name: name ?? `Subflow ${existing.length + 1}`,
    inputs: [...inNames],
    outputs: [...outNames],
    nodes: members.map((n) => {
      const flat = toFlowNode(n);
      return { ...flat, position: { x: n.position.x - minX + INNER_OFFSET_X, y: n.position.y - minY } };
    }),
    edges: innerEdges,
  };
  const use: EditorNode = {
    id: useId,
    type: NODE_TYPE,
    position: { x: minX, y: minY },
    selected: true,
    data: { type: `subflow:${subflowId}`, config: {} },
  };
  const meta = { ...content.meta, format: content.meta.format ?? FLOW_FORMAT, subflows: [...existing, def] };
  if (meta.groups) {
    const groups = withoutNodes(meta.groups, inside);
    if (groups.length) meta.groups = groups;
    else delete meta.groups;
  }
  return {
    subflowId,
    useId,
    content: {
      ...content,
      meta,
      nodes: [
        ...content.nodes.filter((n) => !inside.has(n.id)).map((n) => (n.selected ? { ...n, selected: false } : n)),
        use,
      ],
      edges: outerEdges,
    },
  };
}
