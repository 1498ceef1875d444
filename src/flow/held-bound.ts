/**
 * Stateful nodes against the in-flight bound: a window or join holds its inputs unacknowledged until what it emits
 * from them settles, and those inputs count against their source's `settings.maxInFlight`. A group that needs more
 * messages at once than the bound could never fill: the source would wait for room forever. Refused here, with the
 * setting to change. Isomorphic.
 */
import { type Catalog, findNodeType } from '../spec/node-definition.js';
import { DEFAULT_SETTINGS, type FlowDocument } from './document.js';
import type { Problem } from './problem.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface Bound {
  count: number;
  /** The setting that makes it, in words, and how to raise it. */
  what: string;
  raise: string;
}

/** `filled` is the flow with schema defaults applied (as lint rules see it). */
export function heldBoundProblems(flow: FlowDocument, catalog: Catalog, filled: FlowDocument): Problem[] {
  const maxInFlight = flow.settings?.maxInFlight ?? DEFAULT_SETTINGS.maxInFlight;
  const flowBound: Bound = {
    count: maxInFlight,
    what: `a source may have in flight (settings.maxInFlight ${maxInFlight})`,
    raise: 'raise settings.maxInFlight',
  };
  const configOf = (i: number) => (filled.nodes?.[i] as { config?: unknown } | undefined)?.config;
  const index = new Map(flow.nodes.map((n, i) => [n?.id, i]));
  const into = new Map<string, string[]>();
  for (const e of flow.edges ?? []) into.set(e.target, [...(into.get(e.target) ?? []), e.source]);

  /** The tightest bound on what reaches node `id`: the flow's, or a source upstream that acknowledges fewer. */
  const boundFor = (id: string): Bound => {
    let bound = flowBound;
    const seen = new Set<string>();
    const todo = [...(into.get(id) ?? [])];
    while (todo.length) {
      const up = todo.pop()!;
      if (seen.has(up)) continue;
      seen.add(up);
      todo.push(...(into.get(up) ?? []));
      const i = index.get(up);
      const n = i === undefined ? undefined : flow.nodes[i];
      const def = n && findNodeType(catalog, n.type);
      const config = i === undefined ? undefined : configOf(i);
      if (!n || !def?.unacknowledgedLimit || !isObject(config)) continue;
      try {
        const limit = def.unacknowledgedLimit(config);
        if (limit.count < bound.count) {
          const field = limit.path.slice(1);
          bound = {
            count: limit.count,
            what: `${n.type} "${n.id}" leaves unacknowledged (its ${field} ${limit.count})`,
            raise: `raise ${field} of "${n.id}"`,
          };
        }
      } catch {
        // a config the schema already refused
      }
    }
    return bound;
  };

  const problems: Problem[] = [];
  flow.nodes.forEach((n, i) => {
    const def = n && findNodeType(catalog, n.type);
    const config = configOf(i);
    if (!def?.holds || !isObject(config)) return;
    let held: ReturnType<NonNullable<typeof def.holds>>;
    try {
      held = def.holds(config);
    } catch {
      return; // a config the schema already refused
    }
    if (!held) return;
    const bound = boundFor(n.id);
    if (!(held.count > bound.count)) return;
    problems.push({
      severity: 'error',
      code: 'held-over-bound',
      path: `/nodes/${i}/config${held.path}`,
      nodeId: n.id,
      message: `${n.type} "${n.id}": ${held.what} holds ${held.count} messages before it can emit, more than ${bound.what}; it would never close`,
      hint: `lower "${held.path.slice(1)}" to at most ${bound.count}, or ${bound.raise} to at least ${held.count}`,
    });
  });
  return problems;
}
