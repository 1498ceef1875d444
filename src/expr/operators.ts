/**
 * Operators, following jsonata's evaluateBinary / evaluateUnary / evaluateCondition. Type errors (a string in
 * arithmetic, `<` between a number and a string, ...) bail out so that the interpreter raises the exact error.
 */
import { type AstNode, lhsOf } from './ast.js';
import { bail, Unsupported } from './bail.js';
import type { CompileContext, CompileFn } from './context.js';
import type { Eval } from './env.js';
import { deepEqual, isNumeric, isTruthy, type Sequence, toStr } from './values.js';

/** Ranges larger than this are left to the interpreter, so the fast path never allocates without bound. */
export const FAST_RANGE_LIMIT = 10_000;

function operands(node: AstNode, ctx: CompileContext, compile: CompileFn): [Eval, Eval] {
  const lhs = lhsOf(node);
  if (lhs === undefined || node.rhs === undefined) throw new Unsupported('operand');
  return [compile(lhs, ctx), compile(node.rhs, ctx)];
}

/** A finite number or undefined, as evaluateNumericExpression requires. */
function numericOperand(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && value - value === 0) return value;
  return bail();
}

function arithmetic(op: string, lhs: Eval, rhs: Eval): Eval {
  const both =
    (f: (l: number, r: number) => number): Eval =>
    (input, env) => {
      const l = numericOperand(lhs(input, env));
      const r = numericOperand(rhs(input, env));
      return l === undefined || r === undefined ? undefined : f(l, r);
    };
  switch (op) {
    case '+':
      return both((l, r) => l + r);
    case '-':
      return both((l, r) => l - r);
    case '*':
      return both((l, r) => l * r);
    case '/':
      return both((l, r) => l / r);
    default:
      return both((l, r) => l % r);
  }
}

function compare(op: string, lhs: Eval, rhs: Eval): Eval {
  const test =
    op === '<'
      ? (l: number | string, r: number | string) => l < r
      : op === '<='
        ? (l: number | string, r: number | string) => l <= r
        : op === '>'
          ? (l: number | string, r: number | string) => l > r
          : (l: number | string, r: number | string) => l >= r;
  return (input, env) => {
    const l = lhs(input, env);
    const r = rhs(input, env);
    const lt = typeof l;
    const rt = typeof r;
    if (lt === rt && (lt === 'number' || lt === 'string')) return test(l as number | string, r as number | string);
    // only numbers and strings compare; undefined on either side gives undefined; mixed types are an error
    const lok = lt === 'undefined' || lt === 'string' || lt === 'number';
    const rok = rt === 'undefined' || rt === 'string' || rt === 'number';
    if (!lok || !rok) return bail();
    if (lt === 'undefined' || rt === 'undefined') return undefined;
    return bail();
  };
}

function concat(lhs: Eval, rhs: Eval): Eval {
  return (input, env) => {
    const l = lhs(input, env);
    const r = rhs(input, env);
    return (l === undefined ? '' : toStr(l)!) + (r === undefined ? '' : toStr(r)!);
  };
}

function includes(lhs: Eval, rhs: Eval): Eval {
  return (input, env) => {
    const l = lhs(input, env);
    const r = rhs(input, env);
    if (l === undefined || r === undefined) return false;
    if (!Array.isArray(r)) return r === l;
    for (let i = 0; i < r.length; i++) if (r[i] === l) return true;
    return false;
  };
}

function range(lhs: Eval, rhs: Eval): Eval {
  return (input, env) => {
    const l = lhs(input, env);
    const r = rhs(input, env);
    if (l !== undefined && !Number.isInteger(l)) return bail();
    if (r !== undefined && !Number.isInteger(r)) return bail();
    if (l === undefined || r === undefined) return undefined;
    const from = l as number;
    const to = r as number;
    if (from > to) return undefined;
    if (to - from + 1 > FAST_RANGE_LIMIT) return bail();
    const result = new Array<unknown>(to - from + 1) as Sequence;
    for (let item = from, i = 0; item <= to; item++, i++) result[i] = item;
    result.sequence = true;
    return result;
  };
}

export function compileBinary(node: AstNode, ctx: CompileContext, compile: CompileFn): Eval {
  const op = node.value;
  const [lhs, rhs] = operands(node, ctx, compile);
  switch (op) {
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
      return arithmetic(op, lhs, rhs);
    case '=':
    case '!=': {
      const negate = op === '!=';
      return (input, env) => {
        const l = lhs(input, env);
        const r = rhs(input, env);
        if (l === undefined || r === undefined) return false;
        return deepEqual(l, r) !== negate;
      };
    }
    case '<':
    case '<=':
    case '>':
    case '>=':
      return compare(op, lhs, rhs);
    case '&':
      return concat(lhs, rhs);
    case 'and':
      return (input, env) => isTruthy(lhs(input, env)) && isTruthy(rhs(input, env));
    case 'or':
      return (input, env) => isTruthy(lhs(input, env)) || isTruthy(rhs(input, env));
    case 'in':
      return includes(lhs, rhs);
    case '..':
      return range(lhs, rhs);
    default:
      throw new Unsupported(`operator ${String(op)}`);
  }
}

export function compileNegation(node: AstNode, ctx: CompileContext, compile: CompileFn): Eval {
  if (node.expression === undefined) throw new Unsupported('negation');
  const operand = compile(node.expression, ctx);
  return (input, env) => {
    const v = operand(input, env);
    if (v === undefined) return undefined;
    return isNumeric(v) ? -v : bail();
  };
}

export function compileCondition(node: AstNode, ctx: CompileContext, compile: CompileFn): Eval {
  if (node.condition === undefined || node.then === undefined) throw new Unsupported('condition');
  const test = compile(node.condition, ctx);
  const then = compile(node.then, ctx);
  const otherwise = node.else === undefined ? undefined : compile(node.else, ctx);
  return (input, env) => {
    if (isTruthy(test(input, env))) return then(input, env);
    return otherwise === undefined ? undefined : otherwise(input, env);
  };
}
