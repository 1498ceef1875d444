/**
 * Copy and paste of subflow uses: the fragment carries the definitions its nodes use (and those they use in turn),
 * so a use pasted into another flow keeps its ports and contents. Pasting reuses an identical definition already in
 * the flow, and gives a clashing one a new id (the pasted uses follow it). Pure.
 */
import { type FlowNode, type FlowSubflow, isSubflowType, subflowIdOf } from '../../../src/flow/index.js';
import { uniqueId } from './ids.js';

/** The definitions `nodes` use, directly or through other subflows, in the flow's order. */
export function subflowsUsedBy(nodes: readonly FlowNode[], all: readonly FlowSubflow[]): FlowSubflow[] {
  const wanted = new Set<string>();
  const visit = (list: readonly FlowNode[]) => {
    for (const n of list) {
      if (!isSubflowType(n.type)) continue;
      const id = subflowIdOf(n.type);
      if (wanted.has(id)) continue;
      wanted.add(id);
      const def = all.find((s) => s.id === id);
      if (def) visit(def.nodes ?? []);
    }
  };
  visit(nodes);
  return all.filter((s) => wanted.has(s.id));
}

function retype(type: string, renamed: ReadonlyMap<string, string>): string {
  if (!isSubflowType(type)) return type;
  const to = renamed.get(subflowIdOf(type));
  return to === undefined ? type : `subflow:${to}`;
}

/** What pasting `incoming` into a flow with `existing` adds, and the ids that changed on the way. */
export function pasteSubflows(
  existing: readonly FlowSubflow[],
  incoming: readonly FlowSubflow[],
): { added: FlowSubflow[]; retype(type: string): string } {
  const taken = new Set(existing.map((s) => s.id));
  const renamed = new Map<string, string>();
  const fresh: FlowSubflow[] = [];
  for (const def of incoming) {
    const same = existing.find((s) => s.id === def.id);
    if (same && JSON.stringify(same) === JSON.stringify(def)) continue;
    const id = same ? uniqueId(def.id, taken) : def.id;
    taken.add(id);
    if (id !== def.id) renamed.set(def.id, id);
    fresh.push({ ...structuredClone(def), id });
  }
  // Nested uses inside the added definitions follow the new ids too.
  const added = fresh.map((def) => ({
    ...def,
    nodes: (def.nodes ?? []).map((n) => ({ ...n, type: retype(n.type, renamed) })),
  }));
  return { added, retype: (type) => retype(type, renamed) };
}
