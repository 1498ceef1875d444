/** The sandbox's limits, checked before anything is built (no QuickJS needed: the pool checks them too). */

export const DEFAULT_STACK_BYTES = 64 * 1024;
/** Below this the prelude itself cannot run. */
const MIN_STACK_BYTES = 16 * 1024;
/** Beyond this QuickJS's stack outgrows the WebAssembly stack region and fails on the first call. */
const MAX_STACK_BYTES = 1024 * 1024;

/** Throws RangeError for limits out of range; returns the stack size to use. */
export function checkLimits(options: { timeoutMs: number; memoryBytes: number; stackBytes?: number }): number {
  if (!(options.timeoutMs > 0)) throw new RangeError('timeoutMs must be positive');
  if (!(options.memoryBytes > 0)) throw new RangeError('memoryBytes must be positive');
  const stackBytes = options.stackBytes ?? DEFAULT_STACK_BYTES;
  if (!(stackBytes >= MIN_STACK_BYTES && stackBytes <= MAX_STACK_BYTES)) {
    throw new RangeError(`stackBytes must be between ${MIN_STACK_BYTES} and ${MAX_STACK_BYTES}`);
  }
  return stackBytes;
}
