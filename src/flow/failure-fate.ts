/**
 * What becomes of a failed message in a flow, said before it runs (`sluice validate`, the editor's problem list):
 * an info-level problem when a failure can end in a drop. Mirrors the engine's policy (src/runtime/engine.ts,
 * routeFailure): error port, else the error route, else a deterministic failure is logged and dropped and a transient
 * one is nacked and redelivered (under onError "ack", acknowledged too). Isomorphic.
 */
import { type Catalog, ERROR_PORT, findNodeType } from '../spec/node-definition.js';
import type { FlowDocument } from './document.js';
import type { Problem } from './problem.js';

/** Names listed in the message before "and N more". */
const MAX_NAMED = 5;

/**
 * Nodes where a failure is dropped: every node that takes input, and every source that decodes a payload (a `codec`
 * other than bytes), unless its error port is wired. None when the flow has an error route: it takes them all.
 */
export function nodesThatDropFailures(flow: FlowDocument, catalog: Catalog): string[] {
  if (flow.settings?.errorRoute !== undefined) return [];
  const withErrorPort = new Set((flow.edges ?? []).filter((e) => e.sourcePort === ERROR_PORT).map((e) => e.source));
  return flow.nodes
    .filter((n) => {
      const def = findNodeType(catalog, n.type);
      if (!def || withErrorPort.has(n.id)) return false;
      if (def.inputs.length > 0) return true;
      const codec = n.config?.codec ?? defaultOf(def.config, 'codec');
      return typeof codec === 'string' && codec !== 'bytes';
    })
    .map((n) => n.id);
}

/** A property's schema default (TypeBox objects are JSON Schema). */
function defaultOf(schema: unknown, key: string): unknown {
  const props = (schema as { properties?: Record<string, { default?: unknown } | undefined> }).properties;
  return props?.[key]?.default;
}

/** The info problem for `sluice validate` and the editor; undefined when every failure is taken by a route. */
export function failureFateProblem(flow: FlowDocument, catalog: Catalog): Problem | undefined {
  const ids = nodesThatDropFailures(flow, catalog);
  if (ids.length === 0) return undefined;
  const named = ids
    .slice(0, MAX_NAMED)
    .map((id) => `"${id}"`)
    .join(', ');
  const more = ids.length > MAX_NAMED ? ` and ${ids.length - MAX_NAMED} more` : '';
  const transient =
    flow.settings?.onError === 'ack'
      ? 'one that fails because a service is down is acknowledged and lost too (onError "ack")'
      : 'one that fails because a service is down is nacked and redelivered';
  return {
    severity: 'info',
    code: 'failure-policy',
    path: '/settings',
    message: `a message that fails in node ${named}${more} by its content (a payload that does not decode, an expression error, a row the database refuses) is logged at warn and dropped; ${transient}`,
    hint: 'add an error route (settings.errorRoute) or wire the error port of a node to keep failed messages',
  };
}
