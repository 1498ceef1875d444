/**
 * Copy and paste: a selection as a small JSON document (`sluice/fragment@1`), pasted with fresh ids. The same text
 * goes to the system clipboard, so nodes move between flows, tabs and browser windows. A whole flow file pastes too.
 */
import {
  FLOW_FORMAT_PREFIX,
  type FlowComment,
  type FlowConnection,
  type FlowEdge,
  type FlowGroup,
  type FlowNode,
  type FlowSubflow,
  isSubflowType,
  subflowIdOf,
} from '../../../src/flow/index.js';
import { findAnnotated } from '../../../src/flow/schema-walk.js';
import { nodeDefinition } from './catalog.js';
import { toEditorEdge, toEditorNode, toFlowEdge, toFlowNode } from './convert.js';
import { pasteSubflows, subflowsUsedBy } from './fragment-subflows.js';
import { uniqueId } from './ids.js';
import { isPortNodeType } from './subflows.js';
import type { EditorEdge, EditorNode, FlowContent } from './types.js';

export const FRAGMENT_FORMAT = 'sluice/fragment@1';

export interface Fragment {
  format: typeof FRAGMENT_FORMAT;
  nodes: FlowNode[];
  edges: FlowEdge[];
  connections: FlowConnection[];
  /** Groups whose every node is copied, and the copied comments. */
  groups?: FlowGroup[];
  comments?: FlowComment[];
  /** The subflows the copied nodes use (so that they paste into another flow whole). */
  subflows?: FlowSubflow[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Connection ids a node's config points at (fields annotated `x-connection`). */
export function referencedConnections(node: FlowNode): string[] {
  const def = nodeDefinition(node.type);
  if (!def) return [];
  return findAnnotated(def.config, node.config, 'x-connection')
    .map((r) => r.value)
    .filter((v): v is string => typeof v === 'string');
}

export function makeFragment(
  content: FlowContent,
  nodeIds: ReadonlySet<string>,
  commentIds: ReadonlySet<string> = new Set(),
): Fragment | undefined {
  // A subflow's In and Out nodes stand for its ports: they are not copied.
  const nodes = content.nodes.filter((n) => nodeIds.has(n.id) && !isPortNodeType(n.data.type)).map(toFlowNode);
  const comments = (content.meta.comments ?? []).filter((c) => commentIds.has(c.id));
  if (nodes.length === 0 && comments.length === 0) return undefined;
  const edges = content.edges.filter((e) => nodeIds.has(e.source) && nodeIds.has(e.target)).map(toFlowEdge);
  const subflows = subflowsUsedBy(nodes, content.meta.subflows ?? []);
  const wanted = new Set([...nodes, ...subflows.flatMap((s) => s.nodes ?? [])].flatMap(referencedConnections));
  const connections = content.connections.filter((c) => wanted.has(c.id));
  const groups = (content.meta.groups ?? []).filter((g) => g.nodes.every((id) => nodeIds.has(id)));
  const fragment: Fragment = { format: FRAGMENT_FORMAT, nodes, edges, connections };
  if (groups.length) fragment.groups = groups;
  if (comments.length) fragment.comments = comments;
  if (subflows.length) fragment.subflows = subflows;
  return fragment;
}

/** A fragment from clipboard text: a fragment, or a whole flow document. Undefined for anything else. */
export function parseFragment(text: string): Fragment | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(value) || !Array.isArray(value.nodes)) return undefined;
  const format = value.format;
  if (format !== FRAGMENT_FORMAT && !(typeof format === 'string' && format.startsWith(FLOW_FORMAT_PREFIX)))
    return undefined;
  const nodes = value.nodes.filter(
    (n): n is FlowNode => isObject(n) && typeof n.id === 'string' && typeof n.type === 'string' && isObject(n.config),
  );
  const edges = (Array.isArray(value.edges) ? value.edges : []).filter(
    (e): e is FlowEdge =>
      isObject(e) &&
      typeof e.source === 'string' &&
      typeof e.target === 'string' &&
      typeof e.sourcePort === 'string' &&
      typeof e.targetPort === 'string',
  );
  const connections = (Array.isArray(value.connections) ? value.connections : []).filter(
    (c): c is FlowConnection =>
      isObject(c) && typeof c.id === 'string' && typeof c.kind === 'string' && isObject(c.config),
  );
  const groups = (Array.isArray(value.groups) ? value.groups : []).filter(
    (g): g is FlowGroup =>
      isObject(g) && typeof g.id === 'string' && Array.isArray(g.nodes) && g.nodes.every((x) => typeof x === 'string'),
  );
  const comments = (Array.isArray(value.comments) ? value.comments : []).filter(
    (c): c is FlowComment =>
      isObject(c) &&
      typeof c.id === 'string' &&
      typeof c.text === 'string' &&
      isObject(c.position) &&
      typeof c.position.x === 'number' &&
      typeof c.position.y === 'number',
  );
  const subflows = (Array.isArray(value.subflows) ? value.subflows : []).filter(
    (s): s is FlowSubflow => isObject(s) && typeof s.id === 'string' && Array.isArray(s.nodes),
  );
  const fragment: Fragment = { format: FRAGMENT_FORMAT, nodes, edges, connections };
  if (groups.length) fragment.groups = groups;
  if (comments.length) fragment.comments = comments;
  if (subflows.length) fragment.subflows = subflows;
  return fragment;
}

export interface Pasted {
  nodes: EditorNode[];
  edges: EditorEdge[];
  connections: FlowConnection[];
  groups: FlowGroup[];
  comments: FlowComment[];
  /** Subflow definitions the flow did not have. */
  subflows: FlowSubflow[];
}

/**
 * New nodes (selected), edges and connections to add to `content`. Node ids are fresh; a connection with the same
 * id and content as one in the flow is reused, a clashing one gets a new id and the pasted nodes follow it.
 * `at` places the fragment's top-left corner; without it the copy lands 40 px below-right of the original.
 */
export function pasteFragment(content: FlowContent, fragment: Fragment, at?: { x: number; y: number }): Pasted {
  const taken = new Set(content.nodes.map((n) => n.id));
  const nodeIds = new Map<string, string>();
  for (const n of fragment.nodes) {
    // A subflow's use is named after the subflow: `:` separates ids in the expanded flow.
    const id = taken.has(n.id) ? uniqueId(isSubflowType(n.type) ? subflowIdOf(n.type) : n.type, taken) : n.id;
    taken.add(id);
    nodeIds.set(n.id, id);
  }
  const connIds = new Map<string, string>();
  const connTaken = new Set(content.connections.map((c) => c.id));
  const connections: FlowConnection[] = [];
  for (const c of fragment.connections) {
    const existing = content.connections.find((x) => x.id === c.id);
    if (existing && existing.kind === c.kind && JSON.stringify(existing.config) === JSON.stringify(c.config)) continue;
    const id = connTaken.has(c.id) ? uniqueId(c.kind, connTaken) : c.id;
    connTaken.add(id);
    connIds.set(c.id, id);
    connections.push({ ...structuredClone(c), id });
  }
  const pastedComments = fragment.comments ?? [];
  const xs = [...fragment.nodes.map((n) => n.position?.x ?? 0), ...pastedComments.map((c) => c.position.x)];
  const ys = [...fragment.nodes.map((n) => n.position?.y ?? 0), ...pastedComments.map((c) => c.position.y)];
  let dx = at ? at.x - Math.min(...xs) : 40;
  let dy = at ? at.y - Math.min(...ys) : 40;
  // Never exactly on top of a node that is there (the originals, when pasting where they are): step down-right.
  const near = (x: number, y: number) =>
    content.nodes.some((n) => Math.abs(n.position.x - x) < 30 && Math.abs(n.position.y - y) < 30);
  for (
    let step = 0;
    step < 50 && fragment.nodes.some((n) => near((n.position?.x ?? 0) + dx, (n.position?.y ?? 0) + dy));
    step++
  ) {
    dx += 40;
    dy += 40;
  }
  const pastedSubflows = pasteSubflows(content.meta.subflows ?? [], fragment.subflows ?? []);
  const subflows = pastedSubflows.added.map((def) => ({
    ...def,
    nodes: (def.nodes ?? []).map((n) => {
      const config = structuredClone(n.config);
      renameConnectionRefs(n.type, config, connIds);
      return { ...n, config };
    }),
  }));
  const nodes = fragment.nodes.map((n, i): EditorNode => {
    const config = structuredClone(n.config);
    renameConnectionRefs(n.type, config, connIds);
    const node = toEditorNode({ ...n, type: pastedSubflows.retype(n.type), id: nodeIds.get(n.id)!, config }, i);
    return { ...node, position: { x: node.position.x + dx, y: node.position.y + dy }, selected: true };
  });
  const edges = fragment.edges
    .filter((e) => nodeIds.has(e.source) && nodeIds.has(e.target))
    .map((e) =>
      toEditorEdge({
        source: nodeIds.get(e.source)!,
        sourcePort: e.sourcePort,
        target: nodeIds.get(e.target)!,
        targetPort: e.targetPort,
      }),
    );
  // A copied group comes back around the copies of its nodes; a comment comes back shifted like the nodes.
  const groupTaken = new Set((content.meta.groups ?? []).map((g) => g.id));
  const groups: FlowGroup[] = [];
  for (const g of fragment.groups ?? []) {
    const members = g.nodes.filter((id) => nodeIds.has(id)).map((id) => nodeIds.get(id)!);
    if (members.length === 0) continue;
    const id = groupTaken.has(g.id) ? uniqueId('group', groupTaken) : g.id;
    groupTaken.add(id);
    groups.push({ ...structuredClone(g), id, nodes: members });
  }
  const commentTaken = new Set((content.meta.comments ?? []).map((c) => c.id));
  const comments = pastedComments.map((c): FlowComment => {
    const id = commentTaken.has(c.id) ? uniqueId('comment', commentTaken) : c.id;
    commentTaken.add(id);
    return { ...structuredClone(c), id, position: { x: c.position.x + dx, y: c.position.y + dy } };
  });
  return { nodes, edges, connections, groups, comments, subflows };
}

function renameConnectionRefs(type: string, config: Record<string, unknown>, renamed: Map<string, string>): void {
  if (renamed.size === 0) return;
  const def = nodeDefinition(type);
  if (!def) return;
  for (const ref of findAnnotated(def.config, config, 'x-connection')) {
    const to = typeof ref.value === 'string' ? renamed.get(ref.value) : undefined;
    if (to === undefined) continue;
    const segs = ref.pointer.split('/').slice(1);
    let cur: unknown = config;
    for (const s of segs.slice(0, -1)) cur = (cur as Record<string, unknown>)[s];
    (cur as Record<string, unknown>)[segs[segs.length - 1]] = to;
  }
}
