/** JSONata's `$boolean` casting, used by conditions (filter, switch). Isomorphic. */
export function jsonataTruthy(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'string':
      return v.length > 0;
    case 'number':
      return v !== 0;
    case 'function':
      return false;
    case 'object':
      if (Array.isArray(v)) return v.length === 1 ? jsonataTruthy(v[0]) : v.some(jsonataTruthy);
      return Object.keys(v).length > 0;
    default:
      return false;
  }
}
