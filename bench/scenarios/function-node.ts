/**
 * Function node calls per second through its whole handle() (sandbox call, result validation, emit), with one
 * message in flight (each call awaited) and with 64 in flight (as the engine delivers within a source's window).
 * Uses only the node's public runtime (and bench/support/function-context.ts), so the same two files measure any
 * version of the sandbox (before/after).
 * Each figure is the median of 5 runs. Standalone: `node --import tsx bench/scenarios/function-node.ts`.
 */
import { fileURLToPath } from 'node:url';
import { create } from '../../nodes/function/runtime.js';
import { createMessage, type Message } from '../../src/spec/index.js';
import type { Output } from '../../src/spec/runtime-contract.js';
import { functionBenchContext } from '../support/function-context.js';
import { type BenchResult, median, printResults } from '../types.js';

const RUNS = 5;
const RUN_MS = 400;
const CODE = 'msg.payload.tempF = msg.payload.temp * 1.8 + 32;\nmsg.headers.unit = "F";\nreturn msg;';

function message(i: number): Message {
  return createMessage({
    id: `m${i}`,
    topic: `sensors/dev-${i % 97}/temp`,
    payload: { temp: 20 + (i % 15) + 0.5, unit: 'C', ok: true },
    headers: { source: 'bench' },
    timestamp: 1_700_000_000_000 + i,
  });
}

const benchContext = () => functionBenchContext(CODE);

/**
 * Calls per second with `concurrency` handle() calls kept in flight, for at least RUN_MS, and the process's CPU
 * time per call (every thread: the sandbox workers included), which a busy machine disturbs less than the rate.
 */
async function rate(handle: (m: Message) => Promise<unknown>, messages: Message[], concurrency: number) {
  let done = 0;
  let next = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const lane = async () => {
    while (performance.now() - start < RUN_MS) {
      await handle(messages[next++ % messages.length]);
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const used = process.cpuUsage(cpu);
  return { perSecond: (done / (performance.now() - start)) * 1000, cpuUs: (used.user + used.system) / done };
}

export async function run(): Promise<BenchResult[]> {
  const messages = Array.from({ length: 1000 }, (_, i) => message(i));
  const node = await create(benchContext());
  await node.start?.();
  let emitted = 0;
  const out: Output = {
    emit() {
      emitted++;
    },
  };
  const handle = async (m: Message) => node.handle?.(m, out, 'in');
  const results: BenchResult[] = [];
  for (const concurrency of [1, 64]) {
    await rate(handle, messages, concurrency); // warm-up (JIT, workers)
    const runs: Array<{ perSecond: number; cpuUs: number }> = [];
    for (let i = 0; i < RUNS; i++) runs.push(await rate(handle, messages, concurrency));
    const rates = runs.map((r) => r.perSecond);
    results.push(
      {
        name: `function.node.calls.inflight-${concurrency}`,
        value: Math.round(median(rates)),
        unit: 'calls/s',
        note: `median of ${RUNS}: ${rates.map((v) => Math.round(v)).join(', ')}`,
      },
      {
        name: `function.node.cpu.inflight-${concurrency}`,
        value: Math.round(median(runs.map((r) => r.cpuUs)) * 10) / 10,
        unit: 'µs CPU/call',
        note: 'all threads of the process',
      },
    );
  }
  await node.stop?.();
  if (emitted === 0) throw new Error('the function node emitted nothing');
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  printResults('function-node', await run());
  process.exit(0);
}
