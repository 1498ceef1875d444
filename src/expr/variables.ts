/**
 * Variables, assignments and blocks. jsonata looks a name up through the frames of the enclosing blocks, then
 * the bindings given to evaluate(), then its built-in functions. Here the frames to look at are known at
 * compile time (see scope.ts); a built-in used as a value (not called) bails out to the interpreter.
 */
import { type AstNode, lhsOf } from './ast.js';
import { bail, Unsupported } from './bail.js';
import type { CompileContext, CompileFn } from './context.js';
import { Env, type Eval, UNBOUND } from './env.js';
import { JSONATA_BUILTINS } from './functions.js';
import { ownBinds, Scope } from './scope.js';
import type { Sequence } from './values.js';

const isEnumerable = Object.prototype.propertyIsEnumerable;

/** jsonata awaits every intermediate value, so a promise in the bindings is not a plain value. */
function isThenable(value: unknown): boolean {
  return (
    ((typeof value === 'object' && value !== null) || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function fromBindings(name: string, isBuiltin: boolean): Eval {
  return (_input, env) => {
    const bindings = env.run.bindings;
    if (bindings !== undefined && isEnumerable.call(bindings, name)) {
      const value = bindings[name];
      return isThenable(value) ? bail() : value;
    }
    return isBuiltin ? bail() : undefined;
  };
}

export function compileVariable(node: AstNode, ctx: CompileContext): Eval {
  const name = node.value;
  if (typeof name !== 'string') throw new Unsupported('variable');
  // `$`: the context item (the whole input when it is an array wrapped by evaluate())
  if (name === '') return (input) => (input && (input as Sequence).outerWrapper ? (input as unknown[])[0] : input);
  // `$$`: the input as given
  if (name === '$') return (_input, env) => env.run.input;

  const lookups: { hops: number; slot: number }[] = [];
  let hops = 0;
  for (let scope: Scope | undefined = ctx.scope; scope !== undefined; scope = scope.parent, hops++) {
    const slot = scope.slots.get(name);
    if (slot !== undefined) lookups.push({ hops, slot });
  }
  const outer = fromBindings(name, JSONATA_BUILTINS.has(name));
  if (lookups.length === 0) return outer;
  return (input, env) => {
    for (let i = 0; i < lookups.length; i++) {
      const { hops: h, slot } = lookups[i]!;
      let frame = env;
      for (let j = 0; j < h; j++) frame = frame.parent!;
      const value = frame.slots[slot];
      if (value !== UNBOUND) return value;
    }
    return outer(input, env);
  };
}

export function compileBind(node: AstNode, ctx: CompileContext, compile: CompileFn): Eval {
  const target = lhsOf(node);
  const name = target?.value;
  if (typeof name !== 'string' || name === '' || name === '$' || node.rhs === undefined) {
    throw new Unsupported('assignment');
  }
  if (ctx.inConstructor) throw new Unsupported('assignment inside a constructor');
  const slot = ctx.scope.slots.get(name);
  if (slot === undefined) throw new Unsupported('assignment scope');
  const value = compile(node.rhs, ctx);
  return (input, env) => {
    const v = value(input, env);
    env.slots[slot] = v;
    return v;
  };
}

export function compileBlock(node: AstNode, ctx: CompileContext, compile: CompileFn): Eval {
  const names = ownBinds(node);
  const scope = names.size > 0 ? new Scope(ctx.scope, names) : ctx.scope;
  const inner: CompileContext = { ...ctx, scope, inConstructor: false };
  const body = (node.expressions ?? []).map((e) => compile(e, inner));
  const size = scope.size;

  if (names.size === 0) {
    if (body.length === 0) return () => undefined;
    if (body.length === 1) return body[0]!;
    return (input, env) => {
      let result: unknown;
      for (let i = 0; i < body.length; i++) result = body[i]!(input, env);
      return result;
    };
  }
  return (input, env) => {
    const frame = new Env(env.run, env, size);
    let result: unknown;
    for (let i = 0; i < body.length; i++) result = body[i]!(input, frame);
    return result;
  };
}
