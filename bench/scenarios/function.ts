/**
 * Function node throughput: calls per second through the QuickJS sandbox with a small JSON message (JSON in,
 * JSON out, one compiled function per node), then through the node's whole handle() (result validation and
 * emit included), plus the cost of creating a sandbox and of recovering from a failed call.
 * Each figure is the median of 5 runs. Standalone: `node --import tsx bench/scenarios/function.ts`.
 */
import { fileURLToPath } from 'node:url';
import { create } from '../../nodes/function/runtime.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { createMessage, type Message } from '../../src/spec/index.js';
import type { Output } from '../../src/spec/runtime-contract.js';
import { functionBenchContext } from '../support/function-context.js';
import { type BenchResult, median, printResults } from '../types.js';

const RUNS = 5;
const MB = 2 ** 20;
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

/** Operations per second of `op`, run for at least `minMs`. */
async function rate(op: (i: number) => Promise<unknown>, minMs: number): Promise<number> {
  let done = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    for (let i = 0; i < 500; i++) await op(done + i);
    done += 500;
  }
  return (done / (performance.now() - start)) * 1000;
}

async function medianOf(measure: () => Promise<number>): Promise<number> {
  await measure(); // warm-up (JIT)
  const values: number[] = [];
  for (let i = 0; i < RUNS; i++) values.push(await measure());
  return median(values);
}

async function timed(op: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await op();
  return performance.now() - start;
}

const benchContext = () => functionBenchContext(CODE);

export async function run(): Promise<BenchResult[]> {
  const messages = Array.from({ length: 1000 }, (_, i) => message(i));
  const sandbox = await createSandbox({ code: CODE, timeoutMs: 100, memoryBytes: 16 * MB });
  const calls = await medianOf(() => rate((i) => sandbox.call(messages[i % messages.length]), 300));

  const node = await create(benchContext());
  await node.start?.();
  let emitted = 0;
  const out: Output = {
    emit() {
      emitted++;
    },
  };
  const handled = await medianOf(() => rate(async (i) => node.handle?.(messages[i % messages.length], out, 'in'), 300));
  await node.stop?.();
  if (emitted === 0) throw new Error('the function node emitted nothing');

  const createMs = await medianOf(async () => {
    let ms = 0;
    for (let i = 0; i < 10; i++) {
      ms += await timed(async () =>
        (await createSandbox({ code: CODE, timeoutMs: 100, memoryBytes: 16 * MB })).dispose(),
      );
    }
    return ms / 10;
  });

  // An allocation over the limit fails at once, so this is the failure plus the context rebuild.
  const hog = await createSandbox({
    code: 'if (msg === "hog") return new Uint8Array(64e6).length; return msg;',
    timeoutMs: 100,
    memoryBytes: 16 * MB,
  });
  const recoverMs = await medianOf(async () => {
    let ms = 0;
    for (let i = 0; i < 20; i++) {
      ms += await timed(async () => {
        await hog.call('hog').catch(() => undefined);
        await hog.call('ok');
      });
    }
    return ms / 20;
  });
  sandbox.dispose();
  hog.dispose();

  return [
    {
      name: 'function.sandbox.calls',
      value: Math.round(calls),
      unit: 'calls/s',
      note: 'small JSON message in and out',
    },
    {
      name: 'function.node.handle',
      value: Math.round(handled),
      unit: 'msg/s',
      note: 'handle(): sandbox call + result validation + emit',
    },
    {
      name: 'function.sandbox.create',
      value: Math.round(createMs * 100) / 100,
      unit: 'ms',
      note: 'new WebAssembly module + context + compile',
    },
    {
      name: 'function.sandbox.recover',
      value: Math.round(recoverMs * 100) / 100,
      unit: 'ms',
      note: 'out-of-memory call, context rebuilt, next call',
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printResults('function', await run());
