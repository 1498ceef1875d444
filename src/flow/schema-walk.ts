/** Walk a config value alongside its JSON Schema to find annotated fields (secrets, connection refs). Isomorphic. */

type JsonObject = Record<string, unknown>;

export interface AnnotatedValue {
  /** JSON pointer relative to the config object. */
  pointer: string;
  schema: JsonObject;
  value: unknown;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Every present value whose schema carries `keyword` (e.g. `x-secret`). */
export function findAnnotated(schema: unknown, value: unknown, keyword: string, pointer = ''): AnnotatedValue[] {
  if (!isObject(schema)) return [];
  const out: AnnotatedValue[] = [];
  if (schema[keyword] !== undefined && value !== undefined) out.push({ pointer, schema, value });
  const props = schema.properties;
  if (isObject(props) && isObject(value)) {
    for (const [key, sub] of Object.entries(props)) {
      if (key in value) out.push(...findAnnotated(sub, value[key], keyword, `${pointer}/${escapePointer(key)}`));
    }
  }
  if (isObject(schema.items) && Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push(...findAnnotated(schema.items, item, keyword, `${pointer}/${i}`));
    });
  }
  for (const list of [schema.anyOf, schema.oneOf, schema.allOf]) {
    if (Array.isArray(list)) for (const sub of list) out.push(...findAnnotated(sub, value, keyword, pointer));
  }
  return out;
}

/** Every schema location (not value) carrying `keyword`: used to strip secrets on export. */
export function annotatedPointers(schema: unknown, keyword: string, pointer = ''): string[] {
  if (!isObject(schema)) return [];
  const out: string[] = schema[keyword] !== undefined ? [pointer] : [];
  if (isObject(schema.properties)) {
    for (const [key, sub] of Object.entries(schema.properties)) {
      out.push(...annotatedPointers(sub, keyword, `${pointer}/${escapePointer(key)}`));
    }
  }
  return out;
}
