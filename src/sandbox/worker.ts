/**
 * A sandbox worker thread: hosts the QuickJS sandboxes of several nodes and runs their jobs one at a time, in
 * the order they came. Before each job it records which job runs and its limit in shared memory, so the pool
 * can terminate this thread when a job outlives its limit (see pool.ts); nothing here has to cooperate.
 */
import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { SandboxLogLevel } from './instance.js';
import {
  addResult,
  type Job,
  type JobResult,
  MIN_COMPILE_MS,
  now,
  OPEN_EXTRA_MS,
  Progress,
  resultColumns,
  serializeError,
  type WorkerReply,
} from './protocol.js';
import { createSandbox, type Sandbox } from './sandbox.js';

const port = (workerData as { port?: MessagePort } | undefined)?.port;
if (!port) throw new Error('src/sandbox/worker.ts runs as a worker thread of a SandboxPool');
const progress = new Progress((workerData as { progress: SharedArrayBuffer }).progress);
const maxResultChars = (workerData as { maxResultChars: number }).maxResultChars;

const sandboxes = new Map<number, { sandbox: Sandbox; timeoutMs: number; compileMs: number }>();
/** Log lines of the job running now (the sandbox's log callback adds to them). */
let logs: Array<[SandboxLogLevel, string]> | undefined;

async function runJob(job: Job): Promise<JobResult> {
  const result: JobResult = { seq: job.seq };
  if (job.kind === 'open') {
    const compileMs = Math.max(job.options.timeoutMs, MIN_COMPILE_MS);
    progress.begin(job.seq, compileMs + OPEN_EXTRA_MS);
    try {
      const sandbox = await createSandbox({
        ...job.options,
        log: (level, text) => logs?.push([level, text]),
      });
      sandboxes.set(job.sid, { sandbox, timeoutMs: job.options.timeoutMs, compileMs });
    } catch (err) {
      result.error = serializeError(err);
    }
    return result;
  }
  const entry = sandboxes.get(job.sid);
  if (job.kind === 'close') {
    entry?.sandbox.dispose();
    sandboxes.delete(job.sid);
    return result;
  }
  if (!entry) {
    result.error = { kind: 'user', message: 'the sandbox is not open in this worker' };
    return result;
  }
  logs = [];
  result.startedAt = progress.begin(job.seq, entry.timeoutMs);
  try {
    const json = await entry.sandbox.callJson(job.json);
    if (json !== undefined && json.length > maxResultChars) {
      result.error = {
        kind: 'user',
        message: `the result is too large (${json.length} characters of JSON; at most ${maxResultChars})`,
      };
    } else result.json = json;
  } catch (err) {
    result.error = serializeError(err);
    failed = entry.sandbox;
  }
  if (logs.length) result.logs = logs;
  logs = undefined;
  return result;
}

/** A sandbox whose last call failed: rebuilt after its result is sent, so the failure is reported at once. */
let failed: Sandbox | undefined;

async function rebuildFailed(seq: number): Promise<void> {
  const sandbox = failed;
  failed = undefined;
  if (!sandbox) return;
  const entry = [...sandboxes.values()].find((e) => e.sandbox === sandbox);
  // The rebuild gets its own budget: the failed call already ended at its limit.
  progress.begin(seq, (entry?.compileMs ?? MIN_COMPILE_MS) + OPEN_EXTRA_MS);
  await sandbox.prepare().catch(() => undefined);
  progress.end();
}

/** Results wait at most this long for the rest of their batch: a kill loses less finished work. */
const POST_EVERY_MS = 2;

/** Runs one batch, sending its results at least every POST_EVERY_MS. */
async function runBatch(batch: Job[]): Promise<void> {
  let results = resultColumns();
  let postedAt = now();
  for (const job of batch) {
    const result = await runJob(job);
    progress.end();
    if (job.kind !== 'close') addResult(results, result);
    if (failed || now() - postedAt >= POST_EVERY_MS) {
      port?.postMessage({ kind: 'results', results, batchDone: false } satisfies WorkerReply);
      results = resultColumns();
      postedAt = now();
    }
    if (failed) await rebuildFailed(job.seq);
  }
  // Always, even with no results (a batch of closes): the pool counts the batches it has in flight.
  port?.postMessage({ kind: 'results', results, batchDone: true } satisfies WorkerReply);
}

/**
 * Takes batches as they come, sleeping in Atomics.wait between them (see protocol.ts). The event loop runs
 * only while a job awaits something (loading a module); terminate() interrupts the wait.
 */
async function serve(): Promise<never> {
  for (;;) {
    // Read the counter before looking, so a batch sent after the look moves it and the wait returns at once.
    const seen = progress.wakes();
    const next = port ? receiveMessageOnPort(port) : undefined;
    if (next) await runBatch(next.message as Job[]);
    else progress.sleep(seen);
  }
}

/**
 * Warm before reporting ready: the first QuickJS module of a thread compiles the WebAssembly, and its first
 * calls run cold code. Doing that now keeps a replacement worker's first real calls as fast as the others'.
 */
async function warm(): Promise<void> {
  try {
    const sandbox = await createSandbox({ code: 'return msg', timeoutMs: 5000, memoryBytes: 2 ** 22 });
    for (let i = 0; i < 20; i++) await sandbox.callJson(String(i));
    sandbox.dispose();
  } catch {
    // The real opens will report whatever is wrong.
  }
}

await warm();
port.postMessage({ kind: 'ready' } satisfies WorkerReply);
await serve();
