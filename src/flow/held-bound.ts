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

/** `filled` is the flow with schema defaults applied (as lint rules see it). */
export function heldBoundProblems(flow: FlowDocument, catalog: Catalog, filled: FlowDocument): Problem[] {
  const maxInFlight = flow.settings?.maxInFlight ?? DEFAULT_SETTINGS.maxInFlight;
  const problems: Problem[] = [];
  flow.nodes.forEach((n, i) => {
    const def = n && findNodeType(catalog, n.type);
    const config = (filled.nodes?.[i] as { config?: unknown } | undefined)?.config;
    if (!def?.holds || !isObject(config)) return;
    let held: ReturnType<NonNullable<typeof def.holds>>;
    try {
      held = def.holds(config);
    } catch {
      return; // a config the schema already refused
    }
    if (!held || !(held.count > maxInFlight)) return;
    problems.push({
      severity: 'error',
      code: 'held-over-bound',
      path: `/nodes/${i}/config${held.path}`,
      nodeId: n.id,
      message: `${n.type} "${n.id}": ${held.what} holds ${held.count} messages before it can emit, more than a source may have in flight (settings.maxInFlight ${maxInFlight}); it would never close`,
      hint: `lower "${held.path.slice(1)}" to at most ${maxInFlight}, or raise settings.maxInFlight to at least ${held.count}`,
    });
  });
  return problems;
}
