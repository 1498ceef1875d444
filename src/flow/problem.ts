/** A validation problem: what, where (JSON pointer, node id) and how to fix it. Isomorphic. */
export interface Problem {
  /** `info` says how the flow will behave (nothing to fix), e.g. what becomes of a failed message. */
  severity: 'error' | 'warning' | 'info';
  /** Stable machine code, e.g. `unknown-node-type`. */
  code: string;
  /** JSON pointer into the flow document ('' for the whole file). */
  path: string;
  nodeId?: string;
  connectionId?: string;
  message: string;
  /** One sentence on how to fix it. */
  hint?: string;
  /** For malformed JSON. */
  line?: number;
  column?: number;
}

export function formatProblem(p: Problem, file?: string): string {
  const where = [
    file ? `${file}${p.line ? `:${p.line}:${p.column}` : ''}` : undefined,
    p.nodeId ? `node "${p.nodeId}"` : undefined,
    p.connectionId ? `connection "${p.connectionId}"` : undefined,
    p.path ? `at ${p.path}` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
  return `${p.severity}: ${where ? `${where}: ` : ''}${p.message}${p.hint ? ` (fix: ${p.hint})` : ''}`;
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}
