/** The node catalog as the editor uses it: the one list in nodes/catalog.ts, indexed. */
import { catalog } from '../../../nodes/catalog.js';
import type { ConnectionKindDefinition, NodeCategory, NodeDefinition } from '../../../src/spec/index.js';

export { catalog };

const byType = new Map<string, NodeDefinition>(catalog.nodes.map((d) => [d.type, d]));
const byKind = new Map<string, ConnectionKindDefinition>(catalog.connections.map((k) => [k.kind, k]));

export function nodeDefinition(type: string): NodeDefinition | undefined {
  return byType.get(type);
}

export function connectionKind(kind: string): ConnectionKindDefinition | undefined {
  return byKind.get(kind);
}

/** Palette order and headings. */
export const CATEGORIES: ReadonlyArray<{ id: NodeCategory; title: string }> = [
  { id: 'source', title: 'Sources' },
  { id: 'transform', title: 'Transforms' },
  { id: 'rule', title: 'Rules' },
  { id: 'sink', title: 'Sinks' },
  { id: 'utility', title: 'Utilities' },
];

export const FALLBACK_COLOR = '#9aa5b1';
