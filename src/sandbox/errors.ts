/** Why a sandboxed call failed. The function node turns each kind into a reason the user can act on. */
export type SandboxErrorKind = 'timeout' | 'memory' | 'user' | 'syntax';

export interface SandboxErrorDetails {
  /** Line and column in the user's code (1-based), when the engine reported one. */
  line?: number;
  column?: number;
  /** The user's stack frames only, with positions in the user's code, e.g. `at check (line 3:11)`. */
  userStack?: string;
}

export class SandboxError extends Error {
  readonly kind: SandboxErrorKind;
  readonly line?: number;
  readonly column?: number;
  readonly userStack?: string;

  constructor(kind: SandboxErrorKind, message: string, details: SandboxErrorDetails = {}) {
    super(message);
    this.name = 'SandboxError';
    this.kind = kind;
    this.line = details.line;
    this.column = details.column;
    this.userStack = details.userStack;
  }
}

/** The WebAssembly instance itself failed (host stack overflow, wasm trap): it must be thrown away. */
export class HostFault extends Error {
  constructor(readonly fault: unknown) {
    super(fault instanceof Error ? fault.message : String(fault));
    this.name = 'HostFault';
  }

  /** V8 ran out of native stack while QuickJS recursed (QuickJS's own stack check did not trip first). */
  get isStackOverflow(): boolean {
    return this.fault instanceof RangeError && /call stack/i.test(this.fault.message);
  }
}
