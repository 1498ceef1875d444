/**
 * JSONata's `$boolean` casting (jsonata 2.2.2 `boolean()`), used by conditions (filter, switch). Isomorphic.
 * Differences from JS truthiness: empty arrays and objects are false, arrays are true when any member is,
 * NaN is false, JSONata functions are false, and an infinite number is an error (D1001) as in JSONata.
 */
function isJsonataFunction(v: object): boolean {
  const f = v as { _jsonata_function?: unknown; _jsonata_lambda?: unknown };
  return f._jsonata_function === true || f._jsonata_lambda === true;
}

export function jsonataTruthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length === 1 ? jsonataTruthy(v[0]) : v.length > 1 && v.some(jsonataTruthy);
  switch (typeof v) {
    case 'string':
      return v.length > 0;
    case 'number':
      if (Number.isNaN(v)) return false;
      if (!Number.isFinite(v))
        throw Object.assign(new Error('Number out of range: the condition gave an infinite number'), { code: 'D1001' });
      return v !== 0;
    case 'boolean':
      return v;
    case 'object':
      return v !== null && !isJsonataFunction(v) && Object.keys(v).length > 0;
    default:
      return false; // undefined, functions
  }
}
