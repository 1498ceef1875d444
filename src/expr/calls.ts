/**
 * Calls of built-in functions (`$split(topic, "/")`, `topic ~> $split("/")`). Only jsonata's own built-ins
 * that functions.ts implements are called on the fast path; a call of anything else (a lambda, a function
 * passed in the bindings, a built-in that the expression reassigns) leaves the expression to the interpreter.
 */
import type { AstNode } from './ast.js';
import { bail, Unsupported } from './bail.js';
import type { CompileContext, CompileFn } from './context.js';
import type { Eval } from './env.js';
import { BUILTINS } from './functions.js';
import { isFunction } from './values.js';

/** jsonata passes function values to built-ins wrapped in closures; the fast path leaves those cases alone. */
function plain(value: unknown): unknown {
  if (typeof value === 'function' || (typeof value === 'object' && value !== null && isFunction(value))) bail();
  return value;
}

/**
 * evaluateFunction: `applyTo` is the left side of `~>`, passed as the first argument. As in jsonata, the call
 * node's own predicates are applied by the caller (compile.ts), not here.
 */
export function compileCall(node: AstNode, ctx: CompileContext, compile: CompileFn, applyTo?: Eval): Eval {
  const procedure = node.procedure;
  if (procedure?.type !== 'variable' || typeof procedure.value !== 'string') throw new Unsupported('procedure');
  if (procedure.predicate !== undefined || procedure.keepArray === true) throw new Unsupported('procedure');
  const name = procedure.value;
  const builtin = BUILTINS.get(name);
  if (builtin === undefined || ctx.shared.assigned.has(name)) throw new Unsupported(`function ${name}`);
  ctx.shared.called.add(name);

  const args = (node.arguments ?? []).map((a) => compile(a, ctx));
  if (applyTo !== undefined) args.unshift(applyTo);
  if (!builtin.arities.includes(args.length)) throw new Unsupported(`arity of ${name}`);
  const call = builtin.call;

  switch (args.length) {
    case 0:
      return (input, env) => call([], input, env);
    case 1: {
      const a0 = args[0]!;
      return (input, env) => call([plain(a0(input, env))], input, env);
    }
    case 2: {
      const a0 = args[0]!;
      const a1 = args[1]!;
      return (input, env) => {
        const v0 = plain(a0(input, env));
        return call([v0, plain(a1(input, env))], input, env);
      };
    }
    default:
      return (input, env) =>
        call(
          args.map((a) => plain(a(input, env))),
          input,
          env,
        );
  }
}
