/**
 * The rjsf validator, without Ajv: rjsf calls `isValid` only to pick anyOf/oneOf options and if/then branches, and
 * field errors come from the flow validator (the same problems `sluice validate` reports) as `extraErrors`. So no
 * code is generated in the page (CSP without 'unsafe-eval') and there is one source of truth for errors.
 */
import type { RJSFSchema, ValidationData, ValidatorType } from '@rjsf/utils';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function hasType(v: unknown, t: unknown): boolean {
  const actual = typeOf(v);
  const want = Array.isArray(t) ? t : [t];
  return want.some((w) => w === actual || (w === 'number' && actual === 'integer'));
}

function resolveRef(ref: string, root: unknown): unknown {
  if (!ref.startsWith('#')) return undefined;
  let cur: unknown = root;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const seg = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(cur)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A structural check of the JSON Schema keywords that decide which option or branch applies. */
export function matches(schema: unknown, value: unknown, root: unknown, depth = 0): boolean {
  if (schema === true || schema === undefined) return true;
  if (schema === false) return false;
  if (!isObject(schema) || depth > 32) return true;
  if (typeof schema.$ref === 'string') {
    const target = resolveRef(schema.$ref, root);
    if (target !== undefined && !matches(target, value, root, depth + 1)) return false;
  }
  if (schema.type !== undefined && !hasType(value, schema.type)) return false;
  if ('const' in schema && !deepEqual(schema.const, value)) return false;
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => deepEqual(e, value))) return false;
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) return false;
    if (typeof schema.maximum === 'number' && value > schema.maximum) return false;
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) return false;
    if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) return false;
  }
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) return false;
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) return false;
    if (typeof schema.pattern === 'string') {
      try {
        if (!new RegExp(schema.pattern, 'u').test(value)) return false;
      } catch {
        // An unusable pattern decides nothing here.
      }
    }
  }
  if (isObject(value)) {
    if (Array.isArray(schema.required) && !schema.required.every((k) => typeof k === 'string' && k in value))
      return false;
    if (isObject(schema.properties)) {
      for (const [k, sub] of Object.entries(schema.properties)) {
        if (k in value && !matches(sub, value[k], root, depth + 1)) return false;
      }
    }
  }
  if (Array.isArray(value) && isObject(schema.items)) {
    if (!value.every((item) => matches(schema.items, item, root, depth + 1))) return false;
  }
  if (Array.isArray(schema.allOf) && !schema.allOf.every((s) => matches(s, value, root, depth + 1))) return false;
  if (Array.isArray(schema.anyOf) && !schema.anyOf.some((s) => matches(s, value, root, depth + 1))) return false;
  if (Array.isArray(schema.oneOf) && schema.oneOf.filter((s) => matches(s, value, root, depth + 1)).length !== 1)
    return false;
  if (schema.not !== undefined && matches(schema.not, value, root, depth + 1)) return false;
  if (schema.if !== undefined) {
    const branch = matches(schema.if, value, root, depth + 1) ? schema.then : schema.else;
    if (branch !== undefined && !matches(branch, value, root, depth + 1)) return false;
  }
  return true;
}

export const formValidator: ValidatorType<unknown, RJSFSchema> = {
  validateFormData(): ValidationData<unknown> {
    return { errors: [], errorSchema: {} };
  },
  isValid(schema, formData, rootSchema) {
    return matches(schema, formData, rootSchema);
  },
  rawValidation<Result>(schema: RJSFSchema, formData?: unknown) {
    return matches(schema, formData, schema)
      ? { errors: [] as Result[] }
      : { validationError: new Error('does not match the schema') };
  },
};
