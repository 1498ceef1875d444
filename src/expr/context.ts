/** What the fast-path compiler threads through the AST walk. */
import type { AstNode } from './ast.js';
import type { Eval } from './env.js';
import type { Scope } from './scope.js';

export interface CompileShared {
  /** Names assigned anywhere (`$x := ...`): a call to a built-in of that name is left to the interpreter. */
  readonly assigned: ReadonlySet<string>;
  /** Built-ins the compiled code calls; a binding of the same name at run time sends that call to the interpreter. */
  readonly called: Set<string>;
  /** Deepest nesting of evaluated nodes, compared with the interpreter's depth guard. */
  maxNesting: number;
}

export interface CompileContext {
  readonly scope: Scope;
  /** Inside an array or object constructor (outside any nested block): jsonata evaluates those members
   * concurrently, so the order of assignments there is not sequential and is left to the interpreter. */
  readonly inConstructor: boolean;
  readonly nesting: number;
  readonly shared: CompileShared;
}

export type CompileFn = (node: AstNode, ctx: CompileContext) => Eval;
