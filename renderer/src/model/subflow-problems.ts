/**
 * Problems inside subflows, where the user sees them. The validator points them into `subflows` and names the
 * expanded node (`north:range`); on the flow's canvas each goes to the use it came through, worded with the
 * subflow's and the node's names; on a subflow's own canvas each goes to its node there, once. Pure.
 */
import type { FlowDocument, FlowSubflow, Problem } from '../../../src/flow/index.js';
import { nodeDefinition } from './catalog.js';
import { subflowTitle } from './subflows.js';

const INSIDE = /^\/subflows\/(\d+)(?:\/(nodes|edges)\/(\d+))?(.*)$/;

/** The problem as the validator said it, behind one attributed to a use. */
const original = new WeakMap<Problem, Problem>();

function innerCaption(def: FlowSubflow, index: number): string | undefined {
  const n = def.nodes?.[index];
  if (!n) return undefined;
  return n.name ?? nodeDefinition(n.type)?.title ?? n.id;
}

/** Problems for the flow's canvas: those inside a subflow belong to the use(s) they came through. */
export function attributeSubflowProblems(problems: readonly Problem[], doc: FlowDocument): Problem[] {
  if (!doc.subflows?.length) return [...problems];
  const out: Problem[] = [];
  for (const p of problems) {
    const m = INSIDE.exec(p.path);
    const def = m ? doc.subflows[Number(m[1])] : undefined;
    if (!m || !def) {
      out.push(p);
      continue;
    }
    const inner = m[2] === 'nodes' ? innerCaption(def, Number(m[3])) : undefined;
    const where = inner ? `in subflow "${subflowTitle(def)}", node "${inner}"` : `in subflow "${subflowTitle(def)}"`;
    const message = `${where}: ${p.message}`;
    // Found through one use (an expanded id `use:inner`): that use. Found in the definition itself: every use.
    const through = p.nodeId && doc.nodes.find((n) => p.nodeId!.startsWith(`${n.id}:`));
    const uses = through ? [through] : doc.nodes.filter((n) => n.type === `subflow:${def.id}`);
    if (uses.length === 0) {
      const q = { ...p, message, nodeId: undefined };
      original.set(q, p);
      out.push(q);
    }
    for (const use of uses) {
      const q = { ...p, message, nodeId: use.id };
      original.set(q, p);
      out.push(q);
    }
  }
  return out;
}

/** The flow's problems that lie in subflow `index`, on that subflow's canvas (its node ids, its paths), each once. */
export function problemsInsideSubflow(problems: readonly Problem[], index: number, def: FlowSubflow): Problem[] {
  const out: Problem[] = [];
  const seen = new Set<string>();
  for (const attributed of problems) {
    const p = original.get(attributed) ?? attributed;
    const m = INSIDE.exec(p.path);
    if (!m || Number(m[1]) !== index) continue;
    const key = `${p.path}\u0000${p.code}\u0000${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const path = m[2] ? `/${m[2]}/${m[3]}${m[4]}` : m[4];
    const nodeId = m[2] === 'nodes' ? def.nodes?.[Number(m[3])]?.id : undefined;
    const q: Problem = { ...p, path };
    if (nodeId) q.nodeId = nodeId;
    else delete q.nodeId;
    out.push(q);
  }
  return out;
}
