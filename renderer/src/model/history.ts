/**
 * What counts as a change for undo, dirty marks and validation: the document's content, not React Flow's view state
 * (selection, measured size, dragging). Comparison is by identity, O(nodes) at worst, because edits are immutable.
 */
import type { FlowContent } from './types.js';

export function sameContent(a: Partial<FlowContent>, b: Partial<FlowContent>): boolean {
  if (a.meta !== b.meta || a.connections !== b.connections) return false;
  if (a.nodes !== b.nodes) {
    const x = a.nodes ?? [];
    const y = b.nodes ?? [];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) {
      const p = x[i];
      const q = y[i];
      if (p === q) continue;
      if (p.id !== q.id || p.data !== q.data) return false;
      if (p.position !== q.position && (p.position.x !== q.position.x || p.position.y !== q.position.y)) return false;
    }
  }
  if (a.edges !== b.edges) {
    const x = a.edges ?? [];
    const y = b.edges ?? [];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i].id !== y[i].id || x[i].data !== y[i].data) return false;
  }
  return true;
}
