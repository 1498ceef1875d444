/**
 * The one shape of an error text a user reads about a node: `<node type> "<node id>": <what happened>; <what to do>`.
 * The type and id say where, the rest what and how to fix it, so a log line or a status is enough to act on.
 */
import type { NodeStatus } from '../spec/runtime-contract.js';

export function nodeProblem(type: string, id: string, what: string, todo?: string): string {
  // A reason that already names this node is not named twice.
  const prefix = `${type} "${id}": `;
  const said = what.startsWith(prefix) ? what.slice(prefix.length) : what;
  // A reason that already says what to do (it has its own "; ...") is not given a second hint.
  const hint = todo === undefined || said.includes('; ') ? '' : `; ${todo}`;
  return `${prefix}${said}${hint}`;
}

/** Matches a text in that shape (for tests and for callers that must not wrap an error twice). */
export const NODE_PROBLEM = /^[a-z][a-z0-9-]* "[^"]+": .+; .+/s;

/**
 * Wraps a node's status report so that an `error` reason (often a connection's, shared by several nodes and so
 * naming none) reads in the one shape, with `todo` as the advice when the reason has none.
 */
export function problemStatus(
  type: string,
  id: string,
  todo: string,
  report: (s: NodeStatus) => void,
): (s: NodeStatus) => void {
  return (s) =>
    report(s.state === 'error' && s.reason !== undefined ? { ...s, reason: nodeProblem(type, id, s.reason, todo) } : s);
}
