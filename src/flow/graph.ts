/** Graph checks over a flow's nodes and edges. Isomorphic. */
import type { FlowDocument } from './document.js';

/** One cycle as a list of node ids (first repeated at the end), or undefined when the graph is acyclic. */
export function findCycle(doc: Pick<FlowDocument, 'nodes' | 'edges'>): string[] | undefined {
  const next = new Map<string, string[]>();
  for (const n of doc.nodes) next.set(n.id, []);
  for (const e of doc.edges ?? []) next.get(e.source)?.push(e.target);
  const state = new Map<string, 1 | 2>(); // 1 = on the stack, 2 = done
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    state.set(id, 1);
    stack.push(id);
    for (const t of next.get(id) ?? []) {
      if (!next.has(t)) continue;
      const s = state.get(t);
      if (s === 1) return [...stack.slice(stack.indexOf(t)), t];
      if (s === undefined) {
        const c = visit(t);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(id, 2);
    return undefined;
  };
  for (const n of doc.nodes) {
    if (!state.has(n.id)) {
      const c = visit(n.id);
      if (c) return c;
    }
  }
  return undefined;
}

/** Node ids ordered so that every edge points forward (sources first). Assumes no cycle. */
export function topologicalOrder(doc: Pick<FlowDocument, 'nodes' | 'edges'>): string[] {
  const indegree = new Map<string, number>(doc.nodes.map((n) => [n.id, 0]));
  for (const e of doc.edges ?? []) indegree.set(e.target, (indegree.get(e.target) ?? 0) + 1);
  const queue = doc.nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  const order: string[] = [];
  while (queue.length) {
    const id = queue.shift()!;
    order.push(id);
    for (const e of doc.edges ?? []) {
      if (e.source !== id) continue;
      const d = (indegree.get(e.target) ?? 0) - 1;
      indegree.set(e.target, d);
      if (d === 0) queue.push(e.target);
    }
  }
  return order;
}
