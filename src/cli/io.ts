/** CLI plumbing: user errors print one clear line and set an exit code, never a stack trace. */
import { readFileSync } from 'node:fs';
import { limitHeapGrowth } from '../runtime/heap.js';

/** Documented exit codes (see README "CLI"). */
export const EXIT = {
  ok: 0,
  /** The flow has problems (validate, run, check). */
  invalid: 1,
  /** Bad command-line usage. */
  usage: 2,
  /** A file could not be read or written. */
  io: 3,
  /** The flow was valid but could not start (missing env variable, connection refused). */
  startup: 4,
  /** `sluice run` stopped with messages still unsettled at the drain deadline (nacked, so their brokers redeliver). */
  unsettled: 5,
} as const;

export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? String(err));
    throw new UserError(`cannot read ${file}: ${why}`, EXIT.io);
  }
}

/** The long-running commands keep V8's heap near what they use (src/runtime/heap.ts); a bad override is a usage error. */
export function limitHeap(): void {
  try {
    limitHeapGrowth();
  } catch (err) {
    throw new UserError(err instanceof Error ? err.message : String(err), EXIT.usage);
  }
}
