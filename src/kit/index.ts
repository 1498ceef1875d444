/**
 * The node-author kit: what a node's runtime.ts and a connector need beyond the spec, in one place. New node types
 * import from here (and from `src/spec`, `src/expr` and their own connector), never from engine internals.
 */
export { Batcher, type BatcherOptions } from '../runtime/batcher.js';
export { finishedWithin } from '../runtime/bounded.js';
export { Completion, isSettleable, type Settleable, type SettleTarget } from '../runtime/completion.js';
export { Deadline, Deadlines } from '../runtime/deadlines.js';
export { reasonOf } from '../runtime/errors.js';
export { Holds } from '../runtime/holds.js';
export { Lru } from '../runtime/lru.js';
export { isThenable } from '../runtime/promise.js';
export {
  type AttemptTarget,
  backoffDelay,
  RetriedDelivery,
  type RetryOptions,
  sleep,
  withRetry,
} from '../runtime/retry.js';
export { Ring } from '../runtime/ring.js';
