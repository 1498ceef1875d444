/**
 * Control flow of the fast path. `Unsupported` is thrown while compiling: the whole expression is
 * left to jsonata's interpreter. `BAIL` is thrown while evaluating when an input is unusual (or
 * jsonata would raise an error): that one evaluation is re-run by the interpreter, which then
 * produces the exact result or error.
 */
export class Unsupported extends Error {}

/** Preallocated, so that bailing out costs no stack capture. */
export const BAIL: unique symbol = Symbol('sluice.expr.bail');

export function bail(): never {
  throw BAIL;
}
