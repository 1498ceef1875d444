/**
 * Entry point of the fast path: compiles an AST once, then runs it per input. `run` either returns the
 * result jsonata would return or throws (BAIL or any error), in which case the caller re-runs the interpreter.
 */
import type { AstNode } from './ast.js';
import { Unsupported } from './bail.js';
import { compileNode } from './compile.js';
import type { CompileShared } from './context.js';
import { Env, Run } from './env.js';
import { allBinds, ownBinds, Scope } from './scope.js';
import { isSequence, singletonSequence } from './values.js';

export interface FastPath {
  /** Built-ins called by the expression: a binding with one of these names must go to the interpreter. */
  readonly called: readonly string[];
  run(input: unknown, bindings: Record<string, unknown> | undefined): unknown;
}

/**
 * Returns undefined when the expression uses anything outside the fast subset, or nests deeper than the
 * interpreter's depth guard allows (then only the interpreter can give the right answer, an error).
 */
export function compileFast(ast: AstNode, maxDepth: number): FastPath | undefined {
  const shared: CompileShared = { assigned: allBinds(ast), called: new Set(), maxNesting: 0 };
  // a top-level block gets its own frame, like any block; assignments outside blocks use the root frame
  const root = new Scope(undefined, ast.type === 'block' ? [] : ownBinds(ast));
  let evaluate: ReturnType<typeof compileNode>;
  try {
    evaluate = compileNode(ast, { scope: root, inConstructor: false, nesting: 0, shared });
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
  // jsonata counts one level per nested evaluation; keep a margin for the few it adds around paths
  if (maxDepth > 0 && shared.maxNesting + 2 > maxDepth) return undefined;
  const size = root.size;
  return {
    called: [...shared.called],
    run(input, bindings) {
      let context = input;
      // like jsonata's evaluate(): an array input is wrapped so that it is treated as one value
      if (Array.isArray(input) && !isSequence(input)) {
        const wrapped = singletonSequence(input);
        wrapped.outerWrapper = true;
        context = wrapped;
      }
      return evaluate(context, new Env(new Run(input, bindings), undefined, size));
    },
  };
}
