/**
 * The fast-path compiler: turns jsonata's AST into synchronous closures. Each node compiles to the equivalent
 * of jsonata's `evaluate(expr, input, environment)`, including its tail (predicates, then collapsing
 * singleton sequences). Any node or flag outside the supported subset throws Unsupported, and the whole
 * expression is then left to the interpreter.
 */
import type { AstNode } from './ast.js';
import { Unsupported } from './bail.js';
import { compileCall } from './calls.js';
import { compileArray, compileObject } from './constructors.js';
import type { CompileContext } from './context.js';
import type { Eval } from './env.js';
import { compileName, wildcard } from './fields.js';
import { applyFilters, compileFilter, literalIndex } from './filter.js';
import { compileBinary, compileCondition, compileNegation } from './operators.js';
import { compilePath } from './path.js';
import { normalize } from './values.js';
import { compileBind, compileBlock, compileVariable } from './variables.js';

/** Grouping, sorting, tuple streams (`@`, `#`) and the parent operator stay with the interpreter. */
function usesUnsupportedFeature(node: AstNode): boolean {
  return (
    node.group !== undefined ||
    node.focus !== undefined ||
    node.index !== undefined ||
    node.tuple !== undefined ||
    node.ancestor !== undefined ||
    node.seekingParent !== undefined
  );
}

/** The node itself, without predicates or normalisation; `mayYieldSequence` says if its result needs collapsing. */
function compileCore(node: AstNode, ctx: CompileContext): { evaluate: Eval; mayYieldSequence: boolean } {
  switch (node.type) {
    case 'string':
    case 'number':
    case 'value': {
      const value = node.value;
      return { evaluate: () => value, mayYieldSequence: false };
    }
    case 'path':
      // compilePath collapses its result itself (its fast walk returns final values)
      return { evaluate: compilePath(node, ctx, compileNode), mayYieldSequence: false };
    case 'name':
      return { evaluate: compileName(node), mayYieldSequence: true };
    case 'wildcard':
      return { evaluate: wildcard, mayYieldSequence: true };
    case 'variable':
      return { evaluate: compileVariable(node, ctx), mayYieldSequence: true };
    case 'binary':
      return { evaluate: compileBinary(node, ctx, compileNode), mayYieldSequence: node.value === '..' };
    case 'unary':
      if (node.value === '-') return { evaluate: compileNegation(node, ctx, compileNode), mayYieldSequence: false };
      if (node.value === '[') return { evaluate: compileArray(node, ctx, compileNode), mayYieldSequence: false };
      if (node.value === '{') return { evaluate: compileObject(node, ctx, compileNode), mayYieldSequence: false };
      throw new Unsupported(`unary ${String(node.value)}`);
    case 'condition':
      return { evaluate: compileCondition(node, ctx, compileNode), mayYieldSequence: false };
    case 'block':
      return { evaluate: compileBlock(node, ctx, compileNode), mayYieldSequence: false };
    case 'bind':
      return { evaluate: compileBind(node, ctx, compileNode), mayYieldSequence: false };
    case 'function':
      return { evaluate: compileCall(node, ctx, compileNode), mayYieldSequence: true };
    case 'apply': {
      // `lhs ~> $f(args)` is `$f(lhs, args)`; applying a function value is left to the interpreter
      const lhs = node.lhs;
      const rhs = node.rhs;
      if (rhs?.type !== 'function' || lhs === undefined || Array.isArray(lhs)) throw new Unsupported('apply');
      const target = compileNode(lhs as AstNode, ctx);
      return { evaluate: compileCall(rhs, ctx, compileNode, target), mayYieldSequence: true };
    }
    default:
      // regex, lambda, partial, transform, sort, descendant, parent, ...
      throw new Unsupported(node.type);
  }
}

export function compileNode(node: AstNode, ctx: CompileContext): Eval {
  if (usesUnsupportedFeature(node)) throw new Unsupported('feature');
  const inner: CompileContext = { ...ctx, nesting: ctx.nesting + 1 };
  if (inner.nesting > ctx.shared.maxNesting) ctx.shared.maxNesting = inner.nesting;

  const core = compileCore(node, inner);
  let evaluate = core.evaluate;
  const predicates = node.predicate ?? [];
  const keepArray = node.keepArray === true;
  const pick = predicates.length === 1 && !keepArray ? literalIndex(predicates[0]!) : undefined;
  if (pick !== undefined) {
    const whole = evaluate;
    return (input, env) => pick(whole(input, env));
  }
  if (predicates.length > 0) {
    const filters = predicates.map((stage) => compileFilter(stage, inner, compileNode));
    const unfiltered = evaluate;
    evaluate = (input, env) => applyFilters(unfiltered(input, env), filters, env);
  }
  if (core.mayYieldSequence || predicates.length > 0 || keepArray) {
    const raw = evaluate;
    evaluate = (input, env) => normalize(raw(input, env), keepArray);
  }
  return evaluate;
}
