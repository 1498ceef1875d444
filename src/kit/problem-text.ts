/**
 * The one shape of an error text a user reads about a node: `<node type> "<node id>": <what happened>; <what to do>`.
 * The type and id say where, the rest what and how to fix it, so a log line or a status is enough to act on.
 */
export function nodeProblem(type: string, id: string, what: string, todo?: string): string {
  // A reason that already says what to do (it has its own "; ...") is not given a second hint.
  const hint = todo === undefined || what.includes('; ') ? '' : `; ${todo}`;
  return `${type} "${id}": ${what}${hint}`;
}

/** Matches a text in that shape (for tests and for callers that must not wrap an error twice). */
export const NODE_PROBLEM = /^[a-z][a-z0-9-]* "[^"]+": .+; .+/s;
