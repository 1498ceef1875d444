/**
 * The node-author kit: what a node's runtime.ts and a connector need beyond the spec, in one place. New node types
 * import from here (and from `src/spec`, `src/expr` and their own connector), never from engine internals.
 */
export { Batcher, type BatcherOptions } from './batcher.js';
export { finishedWithin } from './bounded.js';
export { Completion, isSettleable, type Settleable, type SettleTarget } from './completion.js';
export { Deadline, Deadlines } from './deadlines.js';
export { Hold, type HoldTarget } from './hold.js';
export { Holds } from './holds.js';
export { Lru } from './lru.js';
export { NODE_PROBLEM, nodeProblem, problemStatus } from './problem-text.js';
export { reasonOf } from './reason.js';
export {
  type AttemptTarget,
  backoffDelay,
  RetriedDelivery,
  type RetryConfig,
  type RetryOptions,
  retryOptions,
  sleep,
  withRetry,
} from './retry.js';
export { Ring } from './ring.js';
export { allowedSqliteFile } from './sqlite-path.js';
export { StatusReporter, type StatusState } from './status.js';
export { StatusCell } from './status-cell.js';
export { isThenable } from './thenable.js';
export { tlsAdvice, withTlsAdvice } from './tls-problem.js';
