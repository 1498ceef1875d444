/**
 * Starts a sandbox worker thread. Compiled builds run worker.js; tests and `tsx` run the TypeScript source,
 * which a worker can only load after registering tsx's loader in that thread (hooks do not reach workers).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type TransferListItem, Worker } from 'node:worker_threads';

export interface WorkerLimits {
  /** V8 heap of the worker (QuickJS's WebAssembly memory is bounded by each sandbox's own limit). */
  heapMb: number;
}

function entry(): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL('./worker.js', import.meta.url);
  const tsx = dirname(createRequire(import.meta.url).resolve('tsx'));
  const api = pathToFileURL(join(tsx, 'esm/api/index.mjs')).href;
  const worker = new URL('./worker.ts', import.meta.url).href;
  const boot = `import { register } from ${JSON.stringify(api)}; register(); await import(${JSON.stringify(worker)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
}

export function spawnSandboxWorker(
  data: Record<string, unknown>,
  limits: WorkerLimits,
  transferList: TransferListItem[] = [],
): Worker {
  const worker = new Worker(entry(), {
    workerData: data,
    transferList,
    resourceLimits: { maxOldGenerationSizeMb: limits.heapMb, maxYoungGenerationSizeMb: 16 },
    // The worker's console is not used; keep its streams from holding the process open.
    stdout: false,
    stderr: false,
  });
  // Idle workers must not keep a process alive (the flows' own connections do that).
  worker.unref();
  return worker;
}
