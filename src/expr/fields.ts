/** Field selection steps: a name (`payload`) and the wildcard (`*`). */
import type { AstNode } from './ast.js';
import { Unsupported } from './bail.js';
import type { Eval } from './env.js';
import { append, createSequence, flattenInto, isFunction, lookup, type Sequence } from './values.js';

const hasOwn = Object.prototype.hasOwnProperty;

export function compileName(node: AstNode): Eval {
  const key = node.value;
  if (typeof key !== 'string') throw new Unsupported('name');
  return (input) => {
    // the usual case, a plain object, without the array machinery of lookup()
    if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
      return hasOwn.call(input, key) && !isFunction(input) ? (input as Record<string, unknown>)[key] : undefined;
    }
    return lookup(input, key);
  };
}

/** jsonata's evaluateWildcard: the values of all fields, arrays flattened. */
export const wildcard: Eval = (input) => {
  let results: unknown = createSequence();
  let value = input;
  if (Array.isArray(value) && (value as Sequence).outerWrapper && value.length > 0) value = value[0];
  if (value !== null && typeof value === 'object' && !isFunction(value)) {
    for (const key of Object.keys(value)) {
      const field = (value as Record<string, unknown>)[key];
      if (Array.isArray(field)) {
        results = append(results, flattenInto(field, []));
      } else {
        (results as unknown[]).push(field);
      }
    }
  }
  return results;
};
