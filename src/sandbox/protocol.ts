/**
 * What the pool (main thread) and a sandbox worker say to each other, on a MessageChannel of their own. Jobs go
 * in batches (one postMessage for all jobs queued in a turn), results come back in batches. Only strings and
 * plain data cross. An idle worker sleeps in Atomics.wait on the shared wake counter rather than in its event
 * loop: the pool bumps the counter after each batch and the worker takes the batch with receiveMessageOnPort,
 * which spares a wake-up of its event loop (and a MessageEvent) per batch.
 */
import { SandboxError, type SandboxErrorKind } from './errors.js';
import type { SandboxLogLevel } from './instance.js';

/**
 * Time an open may take on top of compiling: loading a fresh WebAssembly module, which takes seconds on a
 * saturated machine. An open runs no user code (only parses it), so a generous bound costs nothing.
 */
export const OPEN_EXTRA_MS = 30_000;
/** Compiling only parses, but may take a while on a huge script (as in instance.ts). */
export const MIN_COMPILE_MS = 1000;

/** Everything a worker needs to build one sandbox (no functions: the log comes back with each result). */
export interface WorkerSandboxOptions {
  code: string;
  argName: string;
  setup?: string;
  timeoutMs: number;
  memoryBytes: number;
  stackBytes?: number;
  maxLogChars?: number;
  maxLogLines?: number;
}

export type Job =
  | { kind: 'open'; seq: number; sid: number; options: WorkerSandboxOptions }
  | { kind: 'call'; seq: number; sid: number; json: string | undefined }
  | { kind: 'close'; seq: number; sid: number };

/** A job before the pool numbers it. */
export type NewJob = Job extends infer J ? (J extends Job ? Omit<J, 'seq'> : never) : never;

export interface SerializedError {
  kind: SandboxErrorKind;
  message: string;
  line?: number;
  column?: number;
  userStack?: string;
}

export interface JobResult {
  seq: number;
  /** When the job started in its worker (now()); unset when it never started. */
  startedAt?: number;
  /** The call's result as JSON text (undefined: the code returned nothing). */
  json?: string;
  error?: SerializedError;
  logs?: Array<[SandboxLogLevel, string]>;
}

/**
 * Results in columns: the common one (a call that returned, no logs) as its seq, start and JSON in three
 * arrays, which clone faster than an object each; any other result whole in `others`. Both in run order.
 */
export interface ResultColumns {
  seqs: number[];
  startedAt: number[];
  json: Array<string | undefined>;
  others: JobResult[];
}

export function resultColumns(): ResultColumns {
  return { seqs: [], startedAt: [], json: [], others: [] };
}

export function addResult(columns: ResultColumns, r: JobResult): void {
  if (r.error || r.logs || r.startedAt === undefined) {
    columns.others.push(r);
    return;
  }
  columns.seqs.push(r.seq);
  columns.startedAt.push(r.startedAt);
  columns.json.push(r.json);
}

/** Calls `each` for every result, in seq order (the order the jobs ran). */
export function forEachResult(columns: ResultColumns, each: (r: JobResult) => void): void {
  const { seqs, startedAt, json, others } = columns;
  let o = 0;
  for (let i = 0; i < seqs.length; i++) {
    while (o < others.length && others[o].seq < seqs[i]) each(others[o++]);
    each({ seq: seqs[i], startedAt: startedAt[i], json: json[i] });
  }
  while (o < others.length) each(others[o++]);
}

/** `batchDone`: the last reply to a batch (a failed call's result is sent ahead, before its sandbox rebuilds). */
export type WorkerReply = { kind: 'ready' } | { kind: 'results'; results: ResultColumns; batchDone: boolean };

/**
 * Shared between a worker and the pool: which job runs now and since when, so the pool can stop it hard.
 * Int32 slot 0: the running job's seq (0 when idle); Int32 slot 1: the wake counter (batches sent). Float64
 * slots 1 and 2: the running job's start (ms since the epoch, sub-millisecond) and its limit in ms.
 */
export const PROGRESS_BYTES = 24;

export class Progress {
  private readonly seq: Int32Array;
  private readonly times: Float64Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.seq = new Int32Array(buffer, 0, 2);
    this.times = new Float64Array(buffer, 8, 2);
  }

  /** Pool side: a batch was posted; wakes the worker if it sleeps. */
  wake(): void {
    Atomics.add(this.seq, 1, 1);
    Atomics.notify(this.seq, 1, 1);
  }

  /** Worker side: the wake counter now, read before looking for a batch. */
  wakes(): number {
    return Atomics.load(this.seq, 1);
  }

  /** Worker side: sleeps until the counter moves past `seen` (returns at once if it already has). */
  sleep(seen: number): void {
    Atomics.wait(this.seq, 1, seen);
  }

  /** Worker side: `seq` starts now with `limitMs` to run. */
  begin(seq: number, limitMs: number): number {
    const at = now();
    this.times[0] = at;
    this.times[1] = limitMs;
    Atomics.store(this.seq, 0, seq);
    return at;
  }

  end(): void {
    Atomics.store(this.seq, 0, 0);
  }

  /** Pool side: the running job, or undefined when the worker is between jobs. */
  read(): { seq: number; startedAt: number; limitMs: number } | undefined {
    const seq = Atomics.load(this.seq, 0);
    if (seq === 0) return undefined;
    const startedAt = this.times[0];
    const limitMs = this.times[1];
    // A torn read (the worker moved on meanwhile) is retried by the caller's next check.
    if (Atomics.load(this.seq, 0) !== seq) return undefined;
    return { seq, startedAt, limitMs };
  }
}

/** A clock both threads agree on (each thread's performance.now() has its own origin). */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof SandboxError) {
    return { kind: err.kind, message: err.message, line: err.line, column: err.column, userStack: err.userStack };
  }
  return { kind: 'user', message: err instanceof Error ? err.message : String(err) };
}

export function deserializeError(e: SerializedError): SandboxError {
  return new SandboxError(e.kind, e.message, { line: e.line, column: e.column, userStack: e.userStack });
}
