/**
 * JSONata throughput: jsonata's interpreter (with the time and depth guards, as Sluice runs it) against the
 * fast path of src/expr, on the filter + mapping pair of STACK.md. Each figure is the median of 5 runs.
 * Standalone: `node --import tsx bench/scenarios/expr.ts`.
 */
import { fileURLToPath } from 'node:url';
import jsonata from 'jsonata';
import { compileExpression } from '../../src/expr/index.js';
import { type BenchResult, median as middle, printResults } from '../types.js';

const FILTER = 'payload.temp > 70';
const MAPPING =
  '{"device": $split(topic, "/")[1], "tempF": payload.temp * 1.8 + 32, "unit": payload.unit, "ts": timestamp}';
const RUNS = 5;

function messages(count: number): unknown[] {
  return Array.from({ length: count }, (_, i) => ({
    topic: `sensors/dev-${i % 97}/temp`,
    payload: { temp: 40 + ((i * 37) % 60) + 0.5, unit: 'C' },
    timestamp: 1_700_000_000_000 + i,
  }));
}

type Evaluate = (input: unknown) => unknown;

/** Messages per second through `evaluators` (each message goes through all of them), awaiting only Promises. */
async function throughput(evaluators: readonly Evaluate[], inputs: readonly unknown[], minMs: number): Promise<number> {
  let done = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (const input of inputs) {
      for (const evaluate of evaluators) {
        const r = evaluate(input);
        if (r instanceof Promise) await r;
      }
    }
    done += inputs.length;
    elapsed = performance.now() - start;
  }
  return (done / elapsed) * 1000;
}

async function median(measure: () => Promise<number>): Promise<number> {
  await measure(); // warm-up (JIT)
  const values: number[] = [];
  for (let i = 0; i < RUNS; i++) values.push(await measure());
  return Math.round(middle(values));
}

export async function run(): Promise<BenchResult[]> {
  const inputs = messages(1000);
  const guards = { timeout: 1000, stack: 500 };
  const interpreted = [jsonata(FILTER, guards), jsonata(MAPPING, guards)].map(
    (e): Evaluate =>
      (input) =>
        e.evaluate(input),
  );
  const compiled = [compileExpression(FILTER), compileExpression(MAPPING)];
  if (!compiled.every((c) => c.fast)) throw new Error('benchmark expressions are expected on the fast path');
  const fast = compiled.map(
    (c): Evaluate =>
      (input) =>
        c.evaluate(input),
  );

  const interpreterPair = await median(() => throughput(interpreted, inputs, 300));
  const fastPair = await median(() => throughput(fast, inputs, 300));
  const fastFilter = await median(() => throughput([fast[0]!], inputs, 200));
  const fastMapping = await median(() => throughput([fast[1]!], inputs, 200));
  const note = 'filter `payload.temp > 70` + 4-field mapping, every message through both';
  return [
    {
      name: 'expr.interpreter.pair',
      value: interpreterPair,
      unit: 'msg/s',
      note: `jsonata 2.2.2 awaited, guards on; ${note}`,
    },
    { name: 'expr.fast.pair', value: fastPair, unit: 'msg/s', note: `src/expr fast path; ${note}` },
    { name: 'expr.fast.speedup', value: Math.round((fastPair / interpreterPair) * 10) / 10, unit: 'x' },
    { name: 'expr.fast.filter', value: fastFilter, unit: 'evals/s', note: FILTER },
    { name: 'expr.fast.mapping', value: fastMapping, unit: 'evals/s', note: MAPPING },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printResults('expr', await run());
