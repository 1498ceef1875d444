/**
 * Parent side of the measured process (bench/support/flow-process.mjs): a Sluice flow on the compiled runtime, or
 * a raw pipe, each in a plain `node` process of its own, so that the CPU and memory figures are that pipe's alone.
 */
import { fileURLToPath } from 'node:url';
import { next, quit, spawn } from './load.js';
import type { ResourceUse } from './sampler.js';

const SCRIPT = fileURLToPath(new URL('./flow-process.mjs', import.meta.url));

type FromFlow =
  | { op: 'ready' }
  | { op: 'started' }
  | { op: 'failed'; message: string }
  | { op: 'settled'; n: number }
  | ({ op: 'use' } & PipeUse);

/** What the pipe's process used, with its memory's make-up when its RSS was largest. */
export interface PipeUse extends ResourceUse {
  /** The longest single GC pause. */
  gcMaxMs: number;
  /** How late the event loop ran callbacks: 99th percentile and worst. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  atMaxRss: { heapTotal: number; heapUsed: number; external: number };
}

export type PipeSpec =
  | { kind: 'flow'; flow: Record<string, unknown> }
  | { kind: 'raw-mqtt'; url: string; root: string; outTopic: string }
  | { kind: 'raw-kafka'; url: string; root: string; brokers: string[]; topic: string };

export interface MeasuredPipe {
  /** Messages the pipe finished (Sluice: settled, so acknowledged to the broker), as last reported (every 5 ms). */
  settled(): number;
  /** Start sampling the process's CPU, RSS and GC. */
  measure(): void;
  /** What the process used since `measure`. */
  measured(): Promise<PipeUse>;
  stop(): Promise<void>;
}

export async function startPipe(spec: PipeSpec): Promise<MeasuredPipe> {
  const args = spec.kind === 'flow' ? ['--flow'] : [`--${spec.kind}`, JSON.stringify(spec)];
  // e.g. SLUICE_BENCH_FLOW_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the measured process.
  const nodeArgs = (process.env.SLUICE_BENCH_FLOW_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = await spawn<FromFlow>(args, SCRIPT, nodeArgs);
  let settled = 0;
  child.on('message', (m: FromFlow) => {
    if (m.op === 'settled') settled = m.n;
  });
  const started = next(
    child,
    (m: FromFlow): m is Extract<FromFlow, { op: 'started' | 'failed' }> => m.op === 'started' || m.op === 'failed',
    60_000,
  );
  child.send({ op: 'start', flow: spec.kind === 'flow' ? spec.flow : undefined });
  const answer = await started;
  if (answer.op === 'failed') {
    await quit(child, { op: 'quit' });
    throw new Error(answer.message);
  }
  return {
    settled: () => settled,
    measure: () => child.send({ op: 'measure' }),
    async measured() {
      const use = next(child, (m: FromFlow): m is Extract<FromFlow, { op: 'use' }> => m.op === 'use', 10_000);
      child.send({ op: 'measured' });
      const { op: _op, ...rest } = await use;
      return rest;
    },
    stop: () => quit(child, { op: 'quit' }),
  };
}
