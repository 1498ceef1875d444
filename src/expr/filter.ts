/** Predicates (`a[0]`, `a[b > 1]`): jsonata's evaluateFilter. */
import type { Stage } from './ast.js';
import { Unsupported } from './bail.js';
import type { CompileContext, CompileFn } from './context.js';
import type { Env } from './env.js';
import { createSequence, isArrayOfNumbers, isNumeric, normalize, singletonSequence, toBoolean } from './values.js';

export type Filter = (input: unknown, env: Env) => unknown;

export function compileFilter(stage: Stage, ctx: CompileContext, compile: CompileFn): Filter {
  const predicate = stage.expr;
  if (stage.type !== 'filter' || predicate === undefined) throw new Unsupported('stage');

  if (predicate.type === 'number') {
    // A literal index is applied without evaluating the predicate (jsonata rounds it down).
    const literal = Math.floor(predicate.value as number);
    return (input) => {
      const items = Array.isArray(input) ? input : singletonSequence(input);
      const index = literal < 0 ? items.length + literal : literal;
      const item = items[index];
      if (item === undefined) return createSequence();
      if (Array.isArray(item)) return item;
      return singletonSequence(item);
    };
  }

  const test = compile(predicate, ctx);
  return (input, env) => {
    const results = createSequence();
    const items = Array.isArray(input) ? input : singletonSequence(input);
    for (let index = 0; index < items.length; index++) {
      const item = items[index];
      let res = test(item, env);
      if (isNumeric(res)) res = [res];
      if (isArrayOfNumbers(res)) {
        // numeric predicates select by position, negative ones count from the end
        for (const value of res as number[]) {
          let position = Math.floor(value);
          if (position < 0) position = items.length + position;
          if (position === index) results.push(item);
        }
      } else if (toBoolean(res)) {
        results.push(item);
      }
    }
    return results;
  };
}

/**
 * A lone literal index predicate followed by jsonata's collapsing of the result, without building the
 * intermediate sequences: `$split(topic, "/")[1]`.
 */
export function literalIndex(stage: Stage): ((input: unknown) => unknown) | undefined {
  const predicate = stage.expr;
  if (stage.type !== 'filter' || predicate?.type !== 'number') return undefined;
  const literal = Math.floor(predicate.value as number);
  return (input) => {
    let item: unknown;
    if (Array.isArray(input)) {
      item = input[literal < 0 ? input.length + literal : literal];
    } else if (literal === 0 || literal === -1) {
      item = input;
    }
    // an array item is the filter's result itself (collapsed if it is a sequence); anything else a singleton
    return Array.isArray(item) ? normalize(item, false) : item;
  };
}

/** Applies a node's predicates in order. */
export function applyFilters(result: unknown, filters: readonly Filter[], env: Env): unknown {
  let r = result;
  for (let i = 0; i < filters.length; i++) r = filters[i]!(r, env);
  return r;
}
