/** Stable, diff-friendly serialisation and secret-safe export. Isomorphic. */
import { type Catalog, findNodeType } from '../spec/node-definition.js';
import type { FlowDocument } from './document.js';
import { isWholeReference } from './references.js';
import { findAnnotated } from './schema-walk.js';

const TOP_ORDER = [
  '$schema',
  'format',
  'id',
  'name',
  'description',
  'settings',
  'connections',
  'nodes',
  'edges',
  'comments',
  'groups',
];
const COMMENT_ORDER = ['id', 'text', 'position', 'width', 'height'];
const GROUP_ORDER = ['id', 'name', 'color', 'nodes'];
const NODE_ORDER = ['id', 'type', 'name', 'position', 'config'];
const CONNECTION_ORDER = ['id', 'kind', 'name', 'config'];
const EDGE_ORDER = ['id', 'source', 'sourcePort', 'target', 'targetPort'];

function ordered(obj: Record<string, unknown>, order: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of order) if (obj[k] !== undefined) out[k] = obj[k];
  for (const k of Object.keys(obj).sort()) if (!(k in out) && obj[k] !== undefined) out[k] = obj[k];
  return out;
}

/** Config objects: keys sorted, recursively, so the same config always serialises the same way. */
function sortedDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortedDeep((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

function withConfig(item: Record<string, unknown>, order: readonly string[]): Record<string, unknown> {
  return ordered({ ...item, config: sortedDeep(item.config ?? {}) }, order);
}

/** Positions and sizes are whole pixels (a drag must not write 312.50000001). */
function rounded(item: Record<string, unknown>): Record<string, unknown> {
  if (item.position && typeof item.position === 'object') {
    const p = item.position as { x: number; y: number };
    item.position = { x: Math.round(p.x), y: Math.round(p.y) };
  }
  for (const k of ['width', 'height']) if (typeof item[k] === 'number') item[k] = Math.round(item[k] as number);
  return item;
}

/** Canonical JSON text: fixed key order, two-space indent, trailing newline. Node and edge order is kept. */
export function serializeFlow(flow: FlowDocument): string {
  const doc = ordered(flow as unknown as Record<string, unknown>, TOP_ORDER);
  if (doc.settings) doc.settings = sortedDeep(doc.settings);
  if (Array.isArray(doc.connections)) doc.connections = doc.connections.map((c) => withConfig(c, CONNECTION_ORDER));
  if (Array.isArray(doc.nodes)) doc.nodes = doc.nodes.map((n) => rounded(withConfig(n, NODE_ORDER)));
  if (Array.isArray(doc.edges)) doc.edges = doc.edges.map((e) => ordered(e, EDGE_ORDER));
  if (Array.isArray(doc.comments)) doc.comments = doc.comments.map((c) => rounded(ordered(c, COMMENT_ORDER)));
  if (Array.isArray(doc.groups)) doc.groups = doc.groups.map((g) => ordered(g, GROUP_ORDER));
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function deleteAt(obj: Record<string, unknown>, pointer: string): void {
  const segs = pointer.split('/').slice(1);
  let cur: unknown = obj;
  for (const s of segs.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object') return;
    cur = (cur as Record<string, unknown>)[s];
  }
  if (cur !== null && typeof cur === 'object') delete (cur as Record<string, unknown>)[segs[segs.length - 1]];
}

/**
 * A copy safe to share: every field a schema marks `x-secret` keeps only `${env:}`/`${file:}` references;
 * literal secrets are removed. Returns the pointers it stripped.
 */
export function stripSecrets(flow: FlowDocument, catalog: Catalog): { flow: FlowDocument; stripped: string[] } {
  const copy = structuredClone(flow);
  const stripped: string[] = [];
  const stripNodes = (nodes: FlowDocument['nodes'], at: string) =>
    nodes.forEach((n, i) => {
      const def = findNodeType(catalog, n.type);
      if (!def) return;
      for (const s of findAnnotated(def.config, n.config, 'x-secret').reverse()) {
        if (isWholeReference(s.value)) continue;
        deleteAt(n.config, s.pointer);
        stripped.push(`${at}/nodes/${i}/config${s.pointer}`);
      }
    });
  stripNodes(copy.nodes, '');
  for (const [i, sub] of (copy.subflows ?? []).entries()) stripNodes(sub.nodes ?? [], `/subflows/${i}`);
  (copy.connections ?? []).forEach((c, i) => {
    const kind = catalog.connections.find((k) => k.kind === c.kind);
    if (!kind) return;
    for (const s of findAnnotated(kind.config, c.config, 'x-secret').reverse()) {
      if (isWholeReference(s.value)) continue;
      deleteAt(c.config, s.pointer);
      stripped.push(`/connections/${i}/config${s.pointer}`);
    }
  });
  return { flow: copy, stripped };
}
