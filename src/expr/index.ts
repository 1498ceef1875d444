/**
 * JSONata expressions for the transform, filter, switch and generate nodes. `compileExpression` compiles once;
 * `evaluate` returns synchronously when the fast path (a compiler from a subset of jsonata's AST to closures)
 * handled the input, and a Promise from jsonata's interpreter otherwise. Isomorphic: the browser editor uses
 * `checkExpression`, so nothing here may import Node built-ins.
 */
import jsonata from 'jsonata';
import type { AstNode } from './ast.js';
import { Compiled } from './compiled.js';
import { toExpressionError } from './errors.js';
import { compileFast } from './fast.js';

export { ExpressionError } from './errors.js';

export interface ExpressionOptions {
  /** Interpreter wall-clock limit per evaluation, in ms (jsonata `timeout`; 0 disables). Default 1000. */
  timeoutMs?: number;
  /** Interpreter limit on nested evaluation depth, i.e. recursion (jsonata `stack`; 0 disables). Default 500. */
  maxDepth?: number;
}

export interface CompiledExpression {
  readonly source: string;
  /** true when the whole expression runs on the synchronous fast path */
  readonly fast: boolean;
  /** Evaluate with optional bindings (`$name`). Returns the result synchronously when the fast path handled it,
   * otherwise a Promise. `undefined` = no result, as in JSONata. Errors are jsonata's (same code/message). */
  evaluate(input: unknown, bindings?: Record<string, unknown>): unknown | Promise<unknown>;
}

function limit(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0) throw new RangeError(`${name} must be a finite number >= 0, got ${v}`);
  return v;
}

/** Compiles `source`; throws ExpressionError (with jsonata's code and position) on a syntax error. */
export function compileExpression(source: string, options: ExpressionOptions = {}): CompiledExpression {
  const timeout = limit('timeoutMs', options.timeoutMs, 1000);
  const stack = limit('maxDepth', options.maxDepth, 500);
  let interpreter: jsonata.Expression;
  try {
    // `timeout` and `stack` are the option names jsonata 2.2.2 reads (unknown keys are silently ignored)
    interpreter = jsonata(source, { timeout, stack });
  } catch (e) {
    throw toExpressionError(e);
  }
  const fastPath = compileFast(interpreter.ast() as unknown as AstNode, stack);
  return new Compiled(source, interpreter, fastPath);
}

/** Syntax check for the editor as you type: null when valid. */
export function checkExpression(source: string): { message: string; position?: number } | null {
  try {
    jsonata(source);
    return null;
  } catch (e) {
    const err = toExpressionError(e);
    return err.position === undefined ? { message: err.message } : { message: err.message, position: err.position };
  }
}
