/**
 * Which table and column names Sluice accepts. Isomorphic (the node definitions' lint uses it too).
 * Names are always quoted by the dialect as well; the pattern is a second wall, and it keeps names portable
 * across PostgreSQL, MySQL and SQLite (no quoting surprises, no case games, no length truncation).
 */

/** A letter or underscore, then letters, digits or underscores; 63 characters at most (PostgreSQL's limit). */
export const SAFE_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export const IDENTIFIER_RULE = 'letters, digits and _, starting with a letter or _, at most 63 characters';

/** Why `name` is not a safe identifier, or undefined when it is. */
export function identifierProblem(name: string, what: string): string | undefined {
  if (SAFE_IDENTIFIER.test(name)) return undefined;
  if (name === '') return `${what} is empty`;
  return `${what} "${name}" is not a safe SQL name (${IDENTIFIER_RULE})`;
}

/** A table name, optionally qualified by one schema/database: `events` or `telemetry.events`. */
export function tableParts(table: string): string[] {
  return table.split('.');
}

export function tableProblem(table: string): string | undefined {
  const parts = tableParts(table);
  if (parts.length > 2) return `table "${table}" has more than one "." (use table or schema.table)`;
  for (const p of parts) {
    const problem = identifierProblem(p, parts.length === 1 ? 'table' : 'table name part');
    if (problem) return parts.length === 1 ? problem : `${problem} in table "${table}"`;
  }
  return undefined;
}

/** Throws when a name is not safe: the runtime checks again in case a flow bypassed validation. */
export function assertIdentifier(name: string, what: string): void {
  const problem = identifierProblem(name, what);
  if (problem) throw new Error(problem);
}

export function assertTable(table: string): void {
  const problem = tableProblem(table);
  if (problem) throw new Error(problem);
}
