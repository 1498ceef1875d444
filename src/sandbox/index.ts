/** Node-only: run user JavaScript in a QuickJS WebAssembly sandbox with time, memory and stack limits. */
export { HostFault, SandboxError, type SandboxErrorKind } from './errors.js';
export {
  createSandbox,
  DEFAULT_STACK_BYTES,
  type Sandbox,
  type SandboxLogLevel,
  type SandboxOptions,
} from './sandbox.js';
