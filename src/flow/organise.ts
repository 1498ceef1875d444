/**
 * Checks for the flow's comments and groups (canvas organisation the engine ignores): ids are unique, a group names
 * only nodes that exist, and a node is in at most one group. Isomorphic.
 */
import type { FlowDocument } from './document.js';
import type { Problem } from './problem.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function organiseProblems(flow: FlowDocument): Problem[] {
  const problems: Problem[] = [];
  const nodeIds = new Set((flow.nodes ?? []).filter(isObject).map((n) => n.id));
  const seen = new Map<string, string>();
  const claim = (id: unknown, path: string, what: string) => {
    if (typeof id !== 'string') return;
    const before = seen.get(id);
    if (before !== undefined) {
      problems.push({
        severity: 'error',
        code: 'duplicate-id',
        path,
        message: `${what} id "${id}" is used twice (also at ${before})`,
        hint: `give each ${what} its own id`,
      });
    } else seen.set(id, path);
  };
  (Array.isArray(flow.comments) ? flow.comments : []).forEach((c, i) => {
    if (isObject(c)) claim(c.id, `/comments/${i}/id`, 'comment');
  });
  const groupOf = new Map<string, string>();
  (Array.isArray(flow.groups) ? flow.groups : []).forEach((g, i) => {
    if (!isObject(g)) return;
    claim(g.id, `/groups/${i}/id`, 'group');
    const label = typeof g.name === 'string' && g.name ? `group "${g.name}"` : `group "${g.id}"`;
    (Array.isArray(g.nodes) ? g.nodes : []).forEach((id, j) => {
      if (typeof id !== 'string') return;
      const path = `/groups/${i}/nodes/${j}`;
      if (!nodeIds.has(id)) {
        problems.push({
          severity: 'error',
          code: 'unknown-group-node',
          path,
          message: `${label} names node "${id}", which is not in the flow`,
          hint: `remove "${id}" from the group or add the node`,
        });
        return;
      }
      const other = groupOf.get(id);
      if (other !== undefined && other !== g.id) {
        problems.push({
          severity: 'error',
          code: 'node-in-two-groups',
          path,
          nodeId: id,
          message: `node "${id}" is in ${label} and in group "${other}"`,
          hint: 'keep each node in one group',
        });
      } else groupOf.set(id, String(g.id));
    });
  });
  return problems;
}
