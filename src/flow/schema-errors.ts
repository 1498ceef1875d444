/** Turn Ajv errors into problems a person can act on. Isomorphic. */
import type { ErrorObject } from 'ajv/dist/2020.js';

function lastSegment(pointer: string): string {
  const seg = pointer.split('/').pop() ?? '';
  return seg.replace(/~1/g, '/').replace(/~0/g, '~');
}

function describe(pointer: string): string {
  const seg = lastSegment(pointer);
  if (seg === '') return 'the document';
  return /^\d+$/.test(seg) ? `item ${seg}` : `"${seg}"`;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

function valueAt(doc: unknown, pointer: string): unknown {
  let cur: unknown = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

interface Located {
  path: string;
  message: string;
  hint?: string;
}

function one(e: ErrorObject, doc: unknown): Located | undefined {
  const p = e.params as Record<string, unknown>;
  const field = describe(e.instancePath);
  switch (e.keyword) {
    case 'if':
    case 'anyOf':
    case 'const':
      return undefined; // reported as a group below
    case 'required': {
      const prop = String(p.missingProperty);
      return {
        path: `${e.instancePath}/${prop}`,
        message: `missing required field "${prop}"`,
        hint: `add "${prop}" to ${field === 'the document' ? 'the document' : field}`,
      };
    }
    case 'additionalProperties': {
      const prop = String(p.additionalProperty);
      return {
        path: `${e.instancePath}/${prop}`,
        message: `unknown field "${prop}"`,
        hint: 'remove it or check its spelling',
      };
    }
    case 'type':
      return {
        path: e.instancePath,
        message: `${field} must be ${String(p.type)}, not ${typeOf(valueAt(doc, e.instancePath))}`,
        hint: `give ${field} a value of type ${String(p.type)}`,
      };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const op = { minimum: '>=', maximum: '<=', exclusiveMinimum: '>', exclusiveMaximum: '<' }[e.keyword];
      return {
        path: e.instancePath,
        message: `${field} is ${JSON.stringify(valueAt(doc, e.instancePath))}, out of range (must be ${op} ${String(p.limit)})`,
        hint: `use a value ${op} ${String(p.limit)}`,
      };
    }
    case 'minLength':
      return {
        path: e.instancePath,
        message: p.limit === 1 ? `${field} must not be empty` : `${field} is too short (at least ${String(p.limit)})`,
        hint: `fill in ${field}`,
      };
    case 'maxLength':
    case 'maxItems':
    case 'minItems':
      return { path: e.instancePath, message: `${field} ${e.message ?? 'is invalid'}`, hint: `adjust ${field}` };
    case 'pattern':
      return {
        path: e.instancePath,
        message: `${field} does not match the pattern ${String(p.pattern)}`,
        hint: `use letters, digits and the characters the pattern allows`,
      };
    case 'enum':
      return {
        path: e.instancePath,
        message: `${field} is ${JSON.stringify(valueAt(doc, e.instancePath))}; it must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
        hint: 'pick one of the allowed values',
      };
    default:
      return { path: e.instancePath, message: `${field} ${e.message ?? 'is invalid'}` };
  }
}

/** Map Ajv errors to located messages; unions of constants become one "must be one of" message. */
export function explainSchemaErrors(errors: readonly ErrorObject[], doc: unknown): Located[] {
  const out: Located[] = [];
  const seen = new Set<string>();
  const push = (l: Located) => {
    const k = `${l.path}\u0000${l.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(l);
    }
  };
  for (const e of errors) {
    const l = one(e, doc);
    if (l) push(l);
  }
  // anyOf groups: only when no more specific error at or below the same place was found.
  for (const e of errors) {
    if (e.keyword !== 'anyOf') continue;
    const consts = errors
      .filter((c) => c.keyword === 'const' && c.instancePath === e.instancePath)
      .map((c) => JSON.stringify((c.params as { allowedValue: unknown }).allowedValue));
    const field = describe(e.instancePath);
    if (consts.length > 0) {
      push({
        path: e.instancePath,
        message: `${field} is ${JSON.stringify(valueAt(doc, e.instancePath))}; it must be one of ${consts.join(', ')}`,
        hint: 'pick one of the allowed values',
      });
    } else if (!out.some((l) => l.path.startsWith(e.instancePath))) {
      push({ path: e.instancePath, message: `${field} does not match any allowed form` });
    }
  }
  return out;
}
