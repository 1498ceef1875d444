/**
 * Built-in functions on the fast path, ported from jsonata 2.2.2's functions.js. jsonata validates arguments
 * against a signature (e.g. `<s-nn?:s>`) that can also substitute the context or wrap a value in an array;
 * here each function accepts only the argument types whose outcome is plain (a string where a string is
 * expected, undefined for a missing value, ...) and bails out on anything else, so the interpreter handles
 * every unusual call, including its errors.
 */
import { bail } from './bail.js';
import type { Env } from './env.js';
import { round, toNumber } from './numbers.js';
import { codePointLength, pad, substring, trim } from './strings.js';
import { append, isNumeric, keysOf, lookup, toBoolean, toStr } from './values.js';

export interface Builtin {
  /** Numbers of arguments handled; 0 means "the context value", as the `-` signature flag does. */
  readonly arities: readonly number[];
  readonly call: (args: readonly unknown[], context: unknown, env: Env) => unknown;
}

/** Every name jsonata 2.2.2 binds in its static environment, plus the per-expression `$now` and `$millis`. */
export const JSONATA_BUILTINS: ReadonlySet<string> = new Set(
  (
    'sum count max min average string substring substringBefore substringAfter lowercase uppercase length trim pad ' +
    'match contains replace split join formatNumber formatBase formatInteger parseInteger number floor ceil round ' +
    'abs sqrt power random boolean not map zip filter single reduce sift keys lookup append exists spread merge ' +
    'reverse each error assert type sort shuffle distinct base64encode base64decode encodeUrlComponent encodeUrl ' +
    'decodeUrlComponent decodeUrl eval toMillis fromMillis clone now millis'
  ).split(' '),
);

function str(value: unknown): string {
  return typeof value === 'string' ? value : bail();
}

function optStr(value: unknown): string | undefined {
  return value === undefined || typeof value === 'string' ? value : bail();
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : bail();
}

function optNum(value: unknown): number | undefined {
  return value === undefined || typeof value === 'number' ? value : bail();
}

/** The `a<n>` parameter: an array of numbers, a lone number as a singleton, or undefined. */
function optNumbers(value: unknown): number[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return [value];
  if (!Array.isArray(value)) return bail();
  for (const item of value) if (typeof item !== 'number') bail();
  return value as number[];
}

/** The first parameter of a `x-` signature: the argument, or the context when there is none. */
function first(args: readonly unknown[], context: unknown): unknown {
  return args.length === 0 ? context : args[0];
}

function typeName(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value === null) return 'null';
  if (isNumeric(value)) return 'number';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (Array.isArray(value)) return 'array';
  return 'object';
}

/** A one-argument string function with the `<s-:...>` signature. */
function stringFn(f: (s: string) => unknown): Builtin {
  return {
    arities: [0, 1],
    call: (args, context) => {
      const s = optStr(first(args, context));
      return s === undefined ? undefined : f(s);
    },
  };
}

/** A one-argument number function with the `<n-:n>` signature. */
function numberFn(f: (n: number) => number): Builtin {
  return {
    arities: [0, 1],
    call: (args, context) => {
      const n = optNum(first(args, context));
      return n === undefined ? undefined : f(n);
    },
  };
}

/** An aggregate with the `<a<n>:n>` signature. */
function numbersFn(f: (ns: number[]) => number | undefined): Builtin {
  return {
    arities: [1],
    call: (args) => {
      const ns = optNumbers(args[0]);
      return ns === undefined ? undefined : f(ns);
    },
  };
}

function sum(ns: number[]): number {
  let total = 0;
  for (const n of ns) total += n;
  return total;
}

export const BUILTINS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  [
    'string',
    {
      arities: [0, 1, 2],
      call: (args, context) => {
        const prettify = args.length === 2 ? args[1] : undefined;
        if (prettify !== undefined && typeof prettify !== 'boolean') return bail();
        return toStr(first(args, context), prettify === true);
      },
    },
  ],
  [
    'number',
    {
      arities: [0, 1],
      call: (args, context) => {
        const v = first(args, context);
        if (v === undefined) return undefined;
        if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean') return bail();
        return toNumber(v);
      },
    },
  ],
  ['length', stringFn(codePointLength)],
  ['uppercase', stringFn((s) => s.toUpperCase())],
  ['lowercase', stringFn((s) => s.toLowerCase())],
  ['trim', stringFn(trim)],
  [
    'substring',
    {
      arities: [2, 3],
      call: (args) => {
        const s = optStr(args[0]);
        const start = num(args[1]);
        const length = optNum(args[2]);
        return s === undefined ? undefined : substring(s, start, length);
      },
    },
  ],
  [
    'substringBefore',
    {
      arities: [2],
      call: (args) => {
        const s = optStr(args[0]);
        const chars = str(args[1]);
        if (s === undefined) return undefined;
        const pos = s.indexOf(chars);
        return pos > -1 ? s.substring(0, pos) : s;
      },
    },
  ],
  [
    'substringAfter',
    {
      arities: [2],
      call: (args) => {
        const s = optStr(args[0]);
        const chars = str(args[1]);
        if (s === undefined) return undefined;
        const pos = s.indexOf(chars);
        return pos > -1 ? s.substring(pos + chars.length) : s;
      },
    },
  ],
  [
    'pad',
    {
      arities: [2, 3],
      call: (args) => {
        const s = optStr(args[0]);
        const width = num(args[1]);
        const char = optStr(args[2]);
        return s === undefined ? undefined : pad(s, width, char);
      },
    },
  ],
  [
    'contains',
    {
      arities: [2],
      call: (args) => {
        const s = optStr(args[0]);
        const token = optStr(args[1]);
        if (s === undefined || token === undefined) return undefined;
        return s.indexOf(token) !== -1;
      },
    },
  ],
  [
    'split',
    {
      arities: [2, 3],
      call: (args) => {
        const s = optStr(args[0]);
        const separator = str(args[1]);
        const limit = optNum(args[2]);
        if (s === undefined) return undefined;
        if (limit !== undefined && limit < 0) return bail();
        return limit === undefined || limit > 0 ? s.split(separator, limit) : [];
      },
    },
  ],
  [
    'join',
    {
      arities: [1, 2],
      call: (args) => {
        const strs = args[0];
        const separator = optStr(args[1]);
        if (strs === undefined) return undefined;
        if (typeof strs === 'string') return strs;
        if (!Array.isArray(strs)) return bail();
        for (const s of strs) if (typeof s !== 'string') bail();
        return strs.join(separator ?? '');
      },
    },
  ],
  [
    'round',
    {
      arities: [1, 2],
      call: (args) => {
        const n = optNum(args[0]);
        const precision = optNum(args[1]);
        return n === undefined ? undefined : round(n, precision);
      },
    },
  ],
  ['floor', numberFn(Math.floor)],
  ['ceil', numberFn(Math.ceil)],
  ['abs', numberFn(Math.abs)],
  ['sqrt', numberFn((n) => (n < 0 ? bail() : Math.sqrt(n)))],
  [
    'power',
    {
      arities: [2],
      call: (args) => {
        const base = optNum(args[0]);
        const exponent = num(args[1]);
        if (base === undefined) return undefined;
        const result = base ** exponent;
        return Number.isFinite(result) ? result : bail();
      },
    },
  ],
  ['sum', numbersFn(sum)],
  ['max', numbersFn((ns) => (ns.length === 0 ? undefined : Math.max(...ns)))],
  ['min', numbersFn((ns) => (ns.length === 0 ? undefined : Math.min(...ns)))],
  ['average', numbersFn((ns) => (ns.length === 0 ? undefined : sum(ns) / ns.length))],
  [
    'count',
    {
      arities: [1],
      call: (args) => {
        const v = args[0];
        if (v === undefined) return 0;
        return Array.isArray(v) ? v.length : 1;
      },
    },
  ],
  ['exists', { arities: [1], call: (args) => args[0] !== undefined }],
  ['boolean', { arities: [0, 1], call: (args, context) => toBoolean(first(args, context)) }],
  [
    'not',
    {
      arities: [0, 1],
      call: (args, context) => {
        const v = first(args, context);
        return v === undefined ? undefined : !toBoolean(v);
      },
    },
  ],
  ['type', { arities: [1], call: (args) => typeName(args[0]) }],
  ['keys', { arities: [0, 1], call: (args, context) => keysOf(first(args, context)) }],
  ['lookup', { arities: [2], call: (args) => lookup(args[0], str(args[1])) }],
  ['append', { arities: [2], call: (args) => append(args[0], args[1]) }],
  ['millis', { arities: [0], call: (_args, _context, env) => env.run.now() }],
  // $now() without a picture is jsonata's ISO 8601 format in UTC, the same text as toISOString()
  ['now', { arities: [0], call: (_args, _context, env) => new Date(env.run.now()).toISOString() }],
]);
