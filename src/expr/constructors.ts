/**
 * Array and object constructors: jsonata's evaluateUnary('[') and evaluateGroupExpression (without the
 * tuple-stream variant). Results are built exactly as jsonata builds them, including null-prototype objects.
 */
import { type AstNode, pairsOf } from './ast.js';
import { bail, Unsupported } from './bail.js';
import type { CompileContext, CompileFn } from './context.js';
import type { Eval } from './env.js';
import { append, singletonSequence } from './values.js';

const hasOwn = Object.prototype.hasOwnProperty;
type Obj = Record<string, unknown>;

function memberContext(ctx: CompileContext): CompileContext {
  return { ...ctx, inConstructor: true };
}

export function compileArray(node: AstNode, ctx: CompileContext, compile: CompileFn): Eval {
  const inner = memberContext(ctx);
  const items = (node.expressions ?? []).map((e) => ({ evaluate: compile(e, inner), nested: e.value === '[' }));
  const cons = node.consarray === true;
  return (input, env) => {
    const result: unknown[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const value = item.evaluate(input, env);
      if (value === undefined) continue;
      if (item.nested || !Array.isArray(value)) {
        result.push(value);
      } else {
        // fn.append: an array value is spliced in
        for (let j = 0; j < value.length; j++) result.push(value[j]);
      }
    }
    if (cons) Object.defineProperty(result, 'cons', { enumerable: false, configurable: false, value: true });
    return result;
  };
}

const RESERVED = new Set(['_jsonata_lambda', '_jsonata_function']);

/**
 * An empty object without a prototype, as jsonata's results have (a `__proto__` key is then an own property).
 * Not Object.create(null): V8 makes that a hash-table object from the start, 160 bytes of property table for a
 * three-field mapping result and slower to read; an empty literal whose prototype is then set to null stays in fast
 * mode, its fields inside the object. Measured: heap snapshots of messages in flight (bench/scenarios/e2e.ts).
 */
function nullPrototypeObject(): Obj {
  return Object.setPrototypeOf({}, null) as Obj;
}

export function compileObject(node: AstNode, ctx: CompileContext, compile: CompileFn): Eval {
  const pairs = pairsOf(node);
  if (pairs === undefined) throw new Unsupported('object');
  const inner = memberContext(ctx);
  const keys = pairs.map(([k]) => compile(k, inner));
  const values = pairs.map(([, v]) => compile(v, inner));

  const general: Eval = (input, env) => {
    let items: readonly unknown[] = Array.isArray(input) ? input : singletonSequence(input);
    // an empty context still produces the object (jsonata pushes undefined into it; this does not mutate)
    if (items.length === 0) items = [undefined];
    const groups: Record<string, { data: unknown; exprIndex: number }> = Object.create(null);
    for (const item of items) {
      for (let p = 0; p < keys.length; p++) {
        const key = keys[p]!(item, env);
        if (key === undefined) continue;
        if (typeof key !== 'string' || RESERVED.has(key)) return bail();
        const group = groups[key];
        if (group !== undefined && hasOwn.call(groups, key)) {
          // the same key from two different pairs is an error (D1009)
          if (group.exprIndex !== p) return bail();
          group.data = append(group.data, item);
        } else {
          groups[key] = { data: item, exprIndex: p };
        }
      }
    }
    const result = nullPrototypeObject();
    for (const key of Object.keys(groups)) {
      const group = groups[key]!;
      const value = values[group.exprIndex]!(group.data, env);
      if (value !== undefined) result[key] = value;
    }
    return result;
  };

  // Literal, distinct keys over a single context item (the usual mapping): no grouping needed.
  const literalKeys = pairs.map(([k]) =>
    k.type === 'string' && k.predicate === undefined && k.keepArray !== true && typeof k.value === 'string'
      ? k.value
      : undefined,
  );
  const distinct = new Set(literalKeys).size === literalKeys.length;
  if (!distinct || literalKeys.some((k) => k === undefined || RESERVED.has(k))) return general;
  const names = literalKeys as string[];
  return (input, env) => {
    let item = input;
    if (Array.isArray(input)) {
      if (input.length > 1) return general(input, env);
      item = input[0];
    }
    const result = nullPrototypeObject();
    for (let p = 0; p < names.length; p++) {
      const value = values[p]!(item, env);
      if (value !== undefined) result[names[p]!] = value;
    }
    return result;
  };
}
