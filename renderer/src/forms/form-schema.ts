/**
 * What the generic form needs from a config schema, and what it writes back:
 * - a union of string constants (TypeBox `Union([Literal, ...])`) becomes an `enum`, which rjsf shows as a select;
 * - a change event that only filled in defaults is no change: values equal to a default the config did not have
 *   stay out of it, so that selecting a node never edits the flow (the validator applies defaults anyway).
 */
import { jsonEqual } from '../model/equal.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function constUnion(options: unknown): unknown[] | undefined {
  if (!Array.isArray(options) || options.length === 0) return undefined;
  const values: unknown[] = [];
  for (const o of options) {
    if (!isObject(o) || !('const' in o)) return undefined;
    values.push(o.const);
  }
  return values;
}

function normalise(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(normalise);
  if (!isObject(schema)) return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema))
    out[k] = k === 'const' || k === 'default' || k === 'examples' ? v : normalise(v);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const values = constUnion(out[key]);
    if (!values) continue;
    delete out[key];
    out.enum = values;
    if (values.every((v) => typeof v === 'string')) out.type = 'string';
  }
  return out;
}

const cache = new WeakMap<object, unknown>();

export function formSchema(schema: unknown): unknown {
  if (!isObject(schema)) return schema;
  let s = cache.get(schema);
  if (s === undefined) {
    s = normalise(schema);
    cache.set(schema, s);
  }
  return s;
}

/** `next` without the top-level values rjsf filled in from defaults (absent before, equal to the default now). */
export function userValues(next: Json, prev: Json, schema: unknown): Json {
  const props = isObject(schema) && isObject(schema.properties) ? schema.properties : {};
  const out: Json = {};
  for (const [k, v] of Object.entries(next)) {
    if (v === undefined) continue;
    const sub = props[k];
    const isDefault = isObject(sub) && 'default' in sub && jsonEqual(sub.default, v);
    if (!(k in prev) && isDefault) continue;
    out[k] = v;
  }
  return out;
}
