/** True for real Promises/thenables: the hot path awaits only these. Isomorphic. */
export function isThenableValue(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';
}
