/**
 * Paths (`payload.readings[ok].v`): jsonata's evaluatePath and evaluateStep, with the sequence rules
 * (map over arrays, flatten one level, keep a lone array result as is). Paths made only of field names get a
 * direct walk for the common case of nested objects and fall back to the general rules on any array.
 */
import type { AstNode } from './ast.js';
import { Unsupported } from './bail.js';
import type { CompileContext, CompileFn } from './context.js';
import type { Env, Eval } from './env.js';
import { applyFilters, compileFilter, type Filter } from './filter.js';
import { createSequence, isFunction, isSequence, normalize, type Sequence, singletonSequence } from './values.js';

const hasOwn = Object.prototype.hasOwnProperty;

interface Step {
  readonly evaluate: Eval;
  readonly filters: readonly Filter[];
  readonly consarray: boolean;
}

function evaluateStep(step: Step, input: readonly unknown[], env: Env, lastStep: boolean): unknown[] {
  const result: unknown[] = [];
  for (let i = 0; i < input.length; i++) {
    let res = step.evaluate(input[i], env);
    if (step.filters.length > 0) res = applyFilters(res, step.filters, env);
    if (res !== undefined) result.push(res);
  }
  if (lastStep && result.length === 1 && Array.isArray(result[0]) && !isSequence(result[0])) {
    return result[0];
  }
  const flattened = createSequence();
  for (const res of result) {
    if (!Array.isArray(res) || (res as Sequence).cons) {
      flattened.push(res);
    } else {
      for (let j = 0; j < res.length; j++) flattened.push(res[j]);
    }
  }
  return flattened;
}

export function compilePath(node: AstNode, ctx: CompileContext, compile: CompileFn): Eval {
  const nodes = node.steps ?? [];
  if (nodes.length === 0) throw new Unsupported('empty path');
  const steps: Step[] = nodes.map((s) => ({
    evaluate: compile(s, ctx),
    filters: (s.stages ?? []).map((stage) => compileFilter(stage, ctx, compile)),
    consarray: s.consarray === true,
  }));
  const firstIsVariable = nodes[0]!.type === 'variable';
  const keepSingletonArray = node.keepSingletonArray === true;
  const keepArray = node.keepArray === true;
  const last = steps.length - 1;

  const general: Eval = (input, env) => {
    // an absolute path ($x.a, $$.a) does not iterate over an array context
    let inputSequence: unknown[] = Array.isArray(input) && !firstIsVariable ? input : singletonSequence(input);
    let resultSequence: unknown;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      // an array constructor as first step is evaluated once, not per item (its predicates are not applied)
      resultSequence =
        i === 0 && step.consarray
          ? step.evaluate(inputSequence, env)
          : evaluateStep(step, inputSequence, env, i === last);
      if (resultSequence === undefined || (resultSequence as { length?: unknown }).length === 0) break;
      inputSequence = resultSequence as unknown[];
    }
    if (keepSingletonArray) {
      let r = resultSequence as Sequence;
      if (Array.isArray(r) && r.cons && !r.sequence) r = singletonSequence(r);
      r.keepSingleton = true;
      resultSequence = r;
    }
    return normalize(resultSequence, keepArray);
  };

  const simple = nodes.every(
    (s) => s.type === 'name' && s.stages === undefined && s.keepArray !== true && typeof s.value === 'string',
  );
  if (!simple || keepSingletonArray || keepArray) return general;

  const names = nodes.map((s) => s.value as string);
  return (input, env) => {
    let value = input;
    for (let i = 0; i < names.length; i++) {
      if (value === null || typeof value !== 'object') return undefined;
      if (Array.isArray(value)) return general(input, env);
      const name = names[i]!;
      if (!hasOwn.call(value, name) || isFunction(value)) return undefined;
      value = (value as Record<string, unknown>)[name];
    }
    if (Array.isArray(value) && (value as Sequence).sequence === true) return general(input, env);
    return value;
  };
}
