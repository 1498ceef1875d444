/**
 * JSONata's value model, ported from jsonata 2.2.2 so that fast-path results are indistinguishable from the
 * interpreter's: a sequence is a plain array carrying `sequence: true` (plus the `keepSingleton`,
 * `outerWrapper` and `cons` flags jsonata uses), and every rule below mirrors the named jsonata function.
 * Where jsonata would throw, these throw BAIL so that the interpreter produces the exact error.
 */
import { bail } from './bail.js';

export interface Sequence extends Array<unknown> {
  sequence: true;
  keepSingleton?: boolean;
  outerWrapper?: boolean;
  tupleStream?: boolean;
  cons?: boolean;
}

type Obj = Record<string, unknown>;

const hasOwn = Object.prototype.hasOwnProperty;

export function createSequence(): Sequence {
  const s = [] as unknown as Sequence;
  s.sequence = true;
  return s;
}

export function singletonSequence(value: unknown): Sequence {
  const s = createSequence();
  s.push(value);
  return s;
}

export function isSequence(value: unknown): value is Sequence {
  return Array.isArray(value) && (value as Sequence).sequence === true;
}

/** The tail of jsonata's `evaluate()`: collapse empty and singleton sequences. */
export function normalize(result: unknown, keepArray: boolean): unknown {
  if (result && (result as Sequence).sequence === true && Array.isArray(result) && !(result as Sequence).tupleStream) {
    const seq = result as Sequence;
    if (keepArray) seq.keepSingleton = true;
    if (seq.length === 0) return undefined;
    if (seq.length === 1) return seq.keepSingleton ? seq : seq[0];
  }
  return result;
}

/** utils.isFunction: jsonata also treats objects flagged `_jsonata_function` / `_jsonata_lambda` as functions. */
export function isFunction(value: unknown): boolean {
  if (typeof value === 'function') return true;
  if (typeof value !== 'object' || value === null) return false;
  return (value as Obj)._jsonata_function === true || (value as Obj)._jsonata_lambda === true;
}

/** utils.isNumeric: false for NaN; jsonata throws D1001 for an infinite number. */
export function isNumeric(value: unknown): value is number {
  if (typeof value !== 'number') return false;
  if (Number.isNaN(value)) return false;
  if (!Number.isFinite(value)) bail();
  return true;
}

export function isArrayOfNumbers(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (const item of value) if (!isNumeric(item)) return false;
  return true;
}

/** fn.boolean: JSONata's effective boolean value (undefined stays undefined). */
export function toBoolean(arg: unknown): boolean | undefined {
  if (arg === undefined) return undefined;
  if (Array.isArray(arg)) {
    if (arg.length === 1) return toBoolean(arg[0]);
    // Every item is cast (as jsonata's filter does), so an item that would raise an error still does.
    let trues = 0;
    for (const item of arg) if (toBoolean(item)) trues++;
    return trues > 0;
  }
  if (typeof arg === 'string') return arg.length > 0;
  if (isNumeric(arg)) return arg !== 0;
  if (arg !== null && typeof arg === 'object' && !isFunction(arg)) return Object.keys(arg).length > 0;
  return arg === true;
}

/** Truthiness as `and`, `or`, `?:` and predicates use it. */
export function isTruthy(arg: unknown): boolean {
  return toBoolean(arg) === true;
}

function stringifyReplacer(_key: string, val: unknown): unknown {
  if (val !== undefined && val !== null && isNumeric(val)) {
    return Number.isInteger(val) ? val : Number(val.toPrecision(15));
  }
  return val && isFunction(val) ? '' : val;
}

/** fn.string: JSONata's string cast (numbers to 15 significant digits, functions to ''). */
export function toStr(arg: unknown, prettify = false): string | undefined {
  if (arg === undefined) return undefined;
  if (typeof arg === 'string') return arg;
  if (isFunction(arg)) return '';
  if (typeof arg === 'number') {
    if (!Number.isFinite(arg)) bail();
    return Number.isInteger(arg) ? String(arg) : String(Number(arg.toPrecision(15)));
  }
  let value = arg;
  if (Array.isArray(value) && (value as Sequence).outerWrapper) value = value[0];
  return JSON.stringify(value, stringifyReplacer, prettify ? 2 : 0);
}

/** utils.isDeepEqual, used by `=` and `!=`. */
export function deepEqual(lhs: unknown, rhs: unknown): boolean {
  if (lhs === rhs) return true;
  if (typeof lhs !== 'object' || typeof rhs !== 'object' || lhs === null || rhs === null) return false;
  if (Array.isArray(lhs) && Array.isArray(rhs)) {
    if (lhs.length !== rhs.length) return false;
    for (let i = 0; i < lhs.length; i++) if (!deepEqual(lhs[i], rhs[i])) return false;
    return true;
  }
  const lkeys = Object.getOwnPropertyNames(lhs).sort();
  const rkeys = Object.getOwnPropertyNames(rhs).sort();
  if (lkeys.length !== rkeys.length) return false;
  for (let i = 0; i < lkeys.length; i++) if (lkeys[i] !== rkeys[i]) return false;
  for (const key of lkeys) if (!deepEqual((lhs as Obj)[key], (rhs as Obj)[key])) return false;
  return true;
}

/** fn.lookup: a field of an object, mapped (and flattened one level) over arrays. */
export function lookup(input: unknown, key: string): unknown {
  if (Array.isArray(input)) {
    const result = createSequence();
    for (let i = 0; i < input.length; i++) {
      const res = lookup(input[i], key);
      if (res === undefined) continue;
      if (Array.isArray(res)) {
        for (let j = 0; j < res.length; j++) result.push(res[j]);
      } else {
        result.push(res);
      }
    }
    return result;
  }
  if (input !== null && typeof input === 'object' && hasOwn.call(input, key) && !isFunction(input)) {
    return (input as Obj)[key];
  }
  return undefined;
}

/** fn.append (jsonata's `sequence` option is not used, so no length check). */
export function append(arg1: unknown, arg2: unknown): unknown {
  if (arg1 === undefined) return arg2;
  if (arg2 === undefined) return arg1;
  const a1 = Array.isArray(arg1) ? arg1 : singletonSequence(arg1);
  const a2 = Array.isArray(arg2) ? arg2 : [arg2];
  return a1.concat(a2);
}

/** The `flatten` helper of the wildcard operator. */
export function flattenInto(arg: unknown, flattened: unknown[]): unknown[] {
  if (Array.isArray(arg)) {
    for (const item of arg) flattenInto(item, flattened);
  } else {
    flattened.push(arg);
  }
  return flattened;
}

/** fn.keys: own enumerable keys, merged over the items of an array. */
export function keysOf(arg: unknown): Sequence {
  const result = createSequence();
  if (Array.isArray(arg)) {
    const merged: Obj = Object.create(null);
    for (const item of arg) for (const key of keysOf(item)) merged[key as string] = true;
    for (const key of Object.keys(merged)) result.push(key);
  } else if (arg !== null && typeof arg === 'object' && !isFunction(arg)) {
    for (const key of Object.keys(arg)) result.push(key);
  }
  return result;
}
