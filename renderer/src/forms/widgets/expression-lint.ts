/** Syntax checking for expression fields as the user types, with the runtime's own check (src/expr). */
import type { Diagnostic } from '@codemirror/lint';
import { checkExpression } from '../../../../src/expr/index.js';

export interface SyntaxProblem {
  message: string;
  position?: number;
}

/** jsonata reports the position just after the offending token; point at that token. */
export function expressionDiagnostics(
  source: string,
  language: string,
): { diagnostics: Diagnostic[]; problem: SyntaxProblem | null } {
  if (language !== 'jsonata' || source.trim() === '') return { diagnostics: [], problem: null };
  const problem = checkExpression(source);
  if (!problem) return { diagnostics: [], problem: null };
  const end = Math.min(Math.max(problem.position ?? source.length, 1), source.length);
  return { diagnostics: [{ from: end - 1, to: end, severity: 'error', message: problem.message }], problem };
}
