/**
 * createSandbox: user JavaScript in QuickJS (WebAssembly) with a time, memory and stack limit. The only bridge
 * is JSON text in and out plus a bounded `console` forwarded to the host. After a timeout or out-of-memory the
 * context is rebuilt (user state may be half-updated); after a fault of the WebAssembly instance itself the
 * whole module is replaced. Either way the next call works. The rebuild happens in prepare() or the next call,
 * not inside the failed one, so the failed call ends as soon as its limit trips.
 *
 * This runs on the calling thread: a single built-in call on a huge value can overrun the time limit before
 * QuickJS's interrupt check runs. The function node therefore runs it in a worker (see pool.ts) that is
 * terminated when a call outlives its limit.
 */
import type { QuickJSWASMModule } from 'quickjs-emscripten-core';
import { HostFault, SandboxError } from './errors.js';
import { Instance, type InstanceOptions, type SandboxLogLevel } from './instance.js';
import { checkLimits, DEFAULT_STACK_BYTES } from './limits.js';
import { loadQuickJSModule } from './module.js';

export interface SandboxOptions {
  /** Body of a function that receives the input as `argName` and returns the output. */
  code: string;
  /** Parameter name of the input inside the code (default `msg`). */
  argName?: string;
  /** Per call. */
  timeoutMs: number;
  /** QuickJS heap limit for this sandbox. */
  memoryBytes: number;
  /**
   * QuickJS stack limit (default 64 KiB, ~300 nested calls; 16 KiB..1 MiB). QuickJS's frames also use the host
   * thread's native stack; above ~64 KiB deep recursion can exhaust that first (handled, by replacing the module).
   */
  stackBytes?: number;
  /** Trusted JavaScript evaluated in each new context before the code is compiled (helpers, globals). */
  setup?: string;
  /** Receives console.log/info/debug/warn/error output from the code. */
  log?: (level: SandboxLogLevel, message: string) => void;
  /** Longest forwarded log line (default 2000 characters). */
  maxLogChars?: number;
  /** Log lines forwarded per call (default 100); one warning notes the rest were dropped. */
  maxLogLines?: number;
}

export interface Sandbox {
  /** Passes `input` (JSON-serialisable) to the code; resolves with its JSON result, `undefined` for none. */
  call(input: unknown): Promise<unknown>;
  /** The same with JSON text in and out (`undefined` for none), for hosts that already hold the text. */
  callJson(json: string | undefined): Promise<string | undefined>;
  /**
   * Rebuilds now what a failed call discarded (else the next call does it): lets a host account the rebuild
   * apart from the next call's time.
   */
  prepare(): Promise<void>;
  /** Times the context was rebuilt after a timeout, out-of-memory or engine fault. */
  readonly resets: number;
  /** WebAssembly modules loaded: 1, plus one per engine fault (host stack overflow, wasm trap). */
  readonly modules: number;
  dispose(): void;
}

export type { SandboxLogLevel };

export { checkLimits, DEFAULT_STACK_BYTES };

/** Compiles the code once (rejects with a `syntax` SandboxError if it does not compile). */
export async function createSandbox(options: SandboxOptions): Promise<Sandbox> {
  const stackBytes = checkLimits(options);
  const sandbox = new QuickJSSandbox({
    code: options.code,
    argName: options.argName ?? 'msg',
    setup: options.setup,
    timeoutMs: options.timeoutMs,
    memoryBytes: options.memoryBytes,
    stackBytes,
    maxLogChars: options.maxLogChars ?? 2000,
    maxLogLines: options.maxLogLines ?? 100,
    log: options.log,
  });
  try {
    await sandbox.restore();
  } catch (err) {
    sandbox.dispose();
    throw publicError(err);
  }
  return sandbox;
}

/** What a caller sees for an internal failure. */
function publicError(err: unknown): unknown {
  if (!(err instanceof HostFault)) return err;
  if (err.fault instanceof SandboxError) return err.fault;
  if (err.isStackOverflow) return new SandboxError('user', 'InternalError: stack overflow');
  return new SandboxError('user', `the sandbox engine failed (${err.message}) and was reset`);
}

class QuickJSSandbox implements Sandbox {
  private module: QuickJSWASMModule | undefined;
  private instance: Instance | undefined;
  private restoring: Promise<void> | undefined;
  private disposed = false;
  resets = 0;
  modules = 0;

  constructor(private readonly opts: InstanceOptions) {}

  async call(input: unknown): Promise<unknown> {
    const out = await this.callJson(input === undefined ? undefined : JSON.stringify(input));
    return out === undefined ? undefined : JSON.parse(out);
  }

  async callJson(json: string | undefined): Promise<string | undefined> {
    // Another call may fail between our wait and our turn: loop until we hold a live instance.
    while (!this.instance) {
      if (this.disposed) throw new Error('the sandbox is disposed');
      await this.restore().catch((err: unknown) => {
        throw publicError(err);
      });
    }
    try {
      return this.instance.invoke(json);
    } catch (err) {
      if (err instanceof SandboxError && (err.kind === 'timeout' || err.kind === 'memory')) this.reset(false);
      else if (err instanceof HostFault) this.reset(true);
      throw publicError(err);
    }
  }

  async prepare(): Promise<void> {
    if (this.instance || this.disposed) return;
    await this.restore().catch((err: unknown) => {
      throw publicError(err);
    });
  }

  /** Ensures an instance exists, loading a new module first if the old one was discarded. Shared by waiters. */
  restore(): Promise<void> {
    this.restoring ??= this.build().finally(() => {
      this.restoring = undefined;
    });
    return this.restoring;
  }

  private async build(): Promise<void> {
    if (this.instance) return;
    let module = this.module;
    if (!module) {
      module = await loadQuickJSModule();
      this.modules++;
    }
    if (this.disposed) return;
    this.module = module;
    try {
      this.instance = Instance.create(module, this.opts);
    } catch (err) {
      if (err instanceof HostFault) this.module = undefined;
      throw err;
    }
  }

  /** Drops the instance (and the module after a fault); prepare() or the next call rebuilds it. */
  private reset(fault: boolean): void {
    this.resets++;
    const old = this.instance;
    this.instance = undefined;
    if (fault) {
      // Freeing inside a faulted module trips QuickJS's leak assertion; the whole module goes instead.
      this.module = undefined;
    } else {
      try {
        old?.dispose();
      } catch {
        this.module = undefined;
      }
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    try {
      this.instance?.dispose();
    } catch {
      // The module goes with it.
    }
    this.instance = undefined;
    this.module = undefined;
  }
}
