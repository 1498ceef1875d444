/**
 * Node-only: run user JavaScript in a QuickJS WebAssembly sandbox with time, memory and stack limits, on this
 * thread (createSandbox) or in a pool worker that is terminated when a call outlives its limit (createIsolatedSandbox).
 */
export { HostFault, SandboxError, type SandboxErrorKind } from './errors.js';
export {
  createIsolatedSandbox,
  type IsolatedSandbox,
  sharedSandboxPool,
  trialSandboxPool,
} from './isolated.js';
export { DEFAULT_MARGIN_MS, type PoolOptions, SandboxPool } from './pool.js';
export {
  createSandbox,
  DEFAULT_STACK_BYTES,
  type Sandbox,
  type SandboxLogLevel,
  type SandboxOptions,
} from './sandbox.js';
