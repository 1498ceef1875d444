/**
 * One QuickJS runtime + context with the user's code compiled into a function held in the context.
 * Synchronous. Throws SandboxError for what the code did and HostFault when the WebAssembly instance itself
 * failed (then the whole module must be thrown away, not just this instance).
 */
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from 'quickjs-emscripten-core';
import { classifyThrown, timeoutError } from './classify.js';
import { HostFault, SandboxError } from './errors.js';
import { PRELUDE } from './prelude.js';

export type SandboxLogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface InstanceOptions {
  code: string;
  argName: string;
  /** Trusted JavaScript run once per context before the user's code is compiled (helpers, globals). */
  setup?: string;
  timeoutMs: number;
  memoryBytes: number;
  stackBytes: number;
  maxLogChars: number;
  maxLogLines: number;
  log?: (level: SandboxLogLevel, message: string) => void;
}

const LEVELS = new Set<string>(['debug', 'info', 'warn', 'error']);
/** Compiling only parses, but a huge script may take a while: never allow less than this. */
const MIN_COMPILE_MS = 1000;

function release(handle: QuickJSHandle | undefined): void {
  try {
    if (handle?.alive) handle.dispose();
  } catch {
    // Only after a host fault, when the module is discarded anyway.
  }
}

export class Instance {
  private deadline = Number.POSITIVE_INFINITY;
  /** The time allowed for what is running now (compiling gets more), for the timeout message. */
  private budgetMs = 0;
  private interrupted = false;
  private lineOffset = 0;
  private run: QuickJSHandle | undefined;
  private readonly ctx: QuickJSContext;
  private readonly codeLines: number;

  private constructor(
    private readonly rt: QuickJSRuntime,
    private readonly opts: InstanceOptions,
  ) {
    rt.setMemoryLimit(opts.memoryBytes);
    rt.setMaxStackSize(opts.stackBytes);
    rt.setInterruptHandler(() => {
      if (performance.now() <= this.deadline) return false;
      this.interrupted = true;
      return true;
    });
    this.ctx = rt.newContext();
    this.codeLines = opts.code.split('\n').length;
  }

  /** A new runtime + context with the code compiled. Throws SandboxError (e.g. `syntax`) or HostFault. */
  static create(module: QuickJSWASMModule, opts: InstanceOptions): Instance {
    let rt: QuickJSRuntime | undefined;
    let inst: Instance | undefined;
    try {
      rt = module.newRuntime();
      inst = new Instance(rt, opts);
      inst.compile();
      return inst;
    } catch (err) {
      const failure = err instanceof SandboxError || err instanceof HostFault ? err : new HostFault(err);
      try {
        if (inst) inst.dispose();
        else if (rt?.alive) rt.dispose();
      } catch {
        // QuickJS could not free what it built: the module is suspect, but the first error is the one to report.
        throw failure instanceof HostFault ? failure : new HostFault(failure);
      }
      throw failure;
    }
  }

  private compile(): void {
    const { ctx, opts } = this;
    this.budgetMs = Math.max(opts.timeoutMs, MIN_COMPILE_MS);
    this.deadline = performance.now() + this.budgetMs;
    const held: QuickJSHandle[] = [];
    try {
      const factory = this.evaluate(PRELUDE, 'sluice-prelude.js', held);
      const log = ctx.newFunction('log', (level, text) => this.forward(level, text));
      held.push(log);
      const args = [log, ctx.newNumber(opts.maxLogChars), ctx.newNumber(opts.maxLogLines), ctx.newString(opts.argName)];
      held.push(...args.slice(1));
      const pair = this.unwrap(ctx.callFunction(factory, ctx.undefined, args), held);
      const compile = ctx.getProp(pair, 0);
      held.push(compile);
      const offset = ctx.getProp(pair, 1);
      this.lineOffset = ctx.getNumber(offset);
      offset.dispose();
      // After the prelude, so the setup can use the bounded console.
      if (opts.setup) this.evaluate(opts.setup, 'sluice-setup.js', held);
      const code = ctx.newString(opts.code);
      held.push(code);
      this.run = this.unwrap(ctx.callFunction(compile, ctx.undefined, code), undefined, true);
    } finally {
      for (const h of held) release(h);
      this.deadline = Number.POSITIVE_INFINITY;
    }
  }

  private evaluate(source: string, filename: string, held: QuickJSHandle[]): QuickJSHandle {
    return this.unwrap(this.ctx.evalCode(source, filename), held);
  }

  /** Returns the value handle (pushed to `held` when given) or throws the classified exception. */
  private unwrap(
    result: ReturnType<QuickJSContext['evalCode']>,
    held: QuickJSHandle[] | undefined,
    compiling = true,
  ): QuickJSHandle {
    if (result.error) throw this.classify(result.error, compiling);
    held?.push(result.value);
    return result.value;
  }

  /** Consumes the error handle. Runs while the deadline still holds, so a hostile getter cannot hang us. */
  private classify(error: QuickJSHandle, compiling: boolean): SandboxError {
    try {
      if (this.interrupted) return timeoutError(this.budgetMs);
      let dumped: unknown;
      try {
        dumped = this.ctx.dump(error);
      } catch (err) {
        // A hostile getter (stopped by the deadline) is the user's doing; V8 running out of stack is a fault.
        if (new HostFault(err).isStackOverflow) throw new HostFault(err);
        dumped = { name: 'Error', message: 'uncaught exception (details unavailable)' };
      }
      if (this.interrupted) return timeoutError(this.budgetMs);
      return classifyThrown(dumped, {
        lineOffset: this.lineOffset,
        memoryBytes: this.opts.memoryBytes,
        compiling,
        codeLines: this.codeLines,
      });
    } finally {
      release(error);
    }
  }

  private forward(levelHandle: QuickJSHandle, textHandle: QuickJSHandle): void {
    const { log, maxLogChars } = this.opts;
    if (!log) return;
    const level = this.ctx.getString(levelHandle);
    const text = this.ctx.getString(textHandle);
    try {
      log(LEVELS.has(level) ? (level as SandboxLogLevel) : 'info', text.slice(0, maxLogChars + 32));
    } catch {
      // A failing host logger must not fail the user's call.
    }
  }

  /** Calls the compiled function with JSON text (or undefined) and returns its result as JSON text (or undefined). */
  invoke(json: string | undefined): string | undefined {
    const { ctx } = this;
    if (!this.run) throw new Error('sandbox instance is not compiled');
    this.interrupted = false;
    this.budgetMs = this.opts.timeoutMs;
    this.deadline = performance.now() + this.budgetMs;
    let arg: QuickJSHandle | undefined;
    try {
      arg = json === undefined ? ctx.undefined : ctx.newString(json);
      const result = ctx.callFunction(this.run, ctx.undefined, arg);
      if (result.error) throw this.classify(result.error, false);
      const value = result.value;
      try {
        return ctx.typeof(value) === 'string' ? ctx.getString(value) : undefined;
      } finally {
        release(value);
      }
    } catch (err) {
      // Anything but a classified error was thrown by the WebAssembly instance itself.
      throw err instanceof SandboxError || err instanceof HostFault ? err : new HostFault(err);
    } finally {
      release(arg);
      this.deadline = Number.POSITIVE_INFINITY;
    }
  }

  /** Frees the context and runtime. Throws HostFault when QuickJS cannot free them cleanly. */
  dispose(): void {
    try {
      release(this.run);
      this.run = undefined;
      if (this.ctx.alive) this.ctx.dispose();
      if (this.rt.alive) this.rt.dispose();
    } catch (err) {
      throw new HostFault(err);
    }
  }
}
