/**
 * createIsolatedSandbox: the same sandbox as createSandbox, run in a worker of a SandboxPool, where a call that
 * outlives its limit is stopped hard (the worker is terminated) instead of relying on QuickJS's interrupt check.
 * Calls never run on the caller's thread.
 */

import { checkLimits } from './limits.js';
import { openLimit, SandboxPool, type SlotMember, type WorkerSlot } from './pool.js';
import { deserializeError, type JobResult, now, type WorkerSandboxOptions } from './protocol.js';
import type { SandboxOptions } from './sandbox.js';

export interface IsolatedSandbox {
  /** Passes `input` (JSON-serialisable) to the code; resolves with its JSON result, `undefined` for none. */
  call(input: unknown): Promise<unknown>;
  dispose(): void;
  /**
   * The last call's time from starting in its worker to its result here (ms): what the limit bounds. Waiting
   * for the worker (other calls ahead, a replacement starting, a busy machine) is not part of it.
   */
  readonly lastRunMs: number | undefined;
}

let shared: SandboxPool | undefined;
let trials: SandboxPool | undefined;

/** The pool deployed flows share (created, and its workers started, on first use). */
export function sharedSandboxPool(): SandboxPool {
  if (!shared) {
    shared = new SandboxPool();
    shared.warm();
  }
  return shared;
}

/** A pool of its own for try-it, so trials of hostile code never disturb the sandboxes of deployed flows. */
export function trialSandboxPool(): SandboxPool {
  if (!trials) {
    trials = new SandboxPool({ size: 1 });
    trials.warm();
  }
  return trials;
}

/** Compiles the code in a pool worker (rejects with a `syntax` SandboxError if it does not compile). */
export async function createIsolatedSandbox(
  options: SandboxOptions,
  pool: SandboxPool = sharedSandboxPool(),
): Promise<IsolatedSandbox> {
  const stackBytes = checkLimits(options);
  const wire: WorkerSandboxOptions = {
    code: options.code,
    argName: options.argName ?? 'msg',
    setup: options.setup,
    timeoutMs: options.timeoutMs,
    memoryBytes: options.memoryBytes,
    stackBytes,
    maxLogChars: options.maxLogChars,
    maxLogLines: options.maxLogLines,
  };
  const { slot, member } = pool.place(wire);
  const sandbox = new RemoteSandbox(slot, member, options.log);
  const opened = await slot.submit({ kind: 'open', sid: member.sid, options: wire }, openLimit(wire));
  if (opened.error) {
    sandbox.dispose();
    throw deserializeError(opened.error);
  }
  return sandbox;
}

class RemoteSandbox implements IsolatedSandbox {
  private disposed = false;
  lastRunMs: number | undefined;

  constructor(
    private readonly slot: WorkerSlot,
    private readonly member: SlotMember,
    private readonly log: SandboxOptions['log'],
  ) {}

  async call(input: unknown): Promise<unknown> {
    if (this.disposed) throw new Error('the sandbox is disposed');
    const json = input === undefined ? undefined : JSON.stringify(input);
    this.slot.reopen(this.member);
    const result = await this.slot.submit({ kind: 'call', sid: this.member.sid, json }, this.member.options.timeoutMs);
    this.lastRunMs = result.startedAt === undefined ? undefined : now() - result.startedAt;
    this.forwardLogs(result);
    if (result.error) throw deserializeError(result.error);
    return result.json === undefined ? undefined : JSON.parse(result.json);
  }

  private forwardLogs(result: JobResult): void {
    if (!this.log || !result.logs) return;
    for (const [level, text] of result.logs) {
      try {
        this.log(level, text);
      } catch {
        // A failing host logger must not fail the user's call.
      }
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.slot.close(this.member);
  }
}
