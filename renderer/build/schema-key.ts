/**
 * A short stable key for a JSON Schema, shared by the build-time precompiler and the browser shim so that the
 * browser finds the validator that was generated for exactly this schema (a changed catalog gives a new key).
 */
export function schemaKey(schema: unknown): string {
  const text = JSON.stringify(schema);
  // FNV-1a, 32-bit, twice with different offsets: collisions are irrelevant for a handful of schemas.
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return `${(a >>> 0).toString(36)}${(b >>> 0).toString(36)}-${text.length}`;
}
