/** Initial config for a new node or connection: the schema's defaults for the fields it has them for. */

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function schemaDefaults(schema: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isObject(schema) || !isObject(schema.properties)) return out;
  for (const [key, sub] of Object.entries(schema.properties)) {
    if (!isObject(sub)) continue;
    if (sub.default !== undefined) out[key] = structuredClone(sub.default);
    else if (sub.type === 'object' && Array.isArray(schema.required) && schema.required.includes(key)) {
      out[key] = schemaDefaults(sub);
    }
  }
  return out;
}
