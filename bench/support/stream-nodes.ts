/**
 * Engine scenarios for the stream-processing nodes: a source that ingests prepared messages as fast as the engine
 * takes them (respecting back pressure) -> the node -> a sink that acks at once. The baseline (source -> ack) shows
 * what the engine itself costs; each node's line is the whole flow's rate. And the memory of dedup at its bound.
 */

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { catalog } from '../../nodes/catalog.js';
import { create as createDedup } from '../../nodes/dedup/runtime.js';
import { Engine } from '../../src/runtime/engine.js';
import { loadNodeRuntime } from '../../src/runtime/loader.js';
import { createMessage, defineNode, type Message, Type } from '../../src/spec/index.js';
import type { CreateRuntime, NodeContext, Output } from '../../src/spec/runtime-contract.js';
import { type BenchResult, median } from '../types.js';

const COUNT = 300_000;

const benchSource = defineNode({
  type: 'bench-source',
  version: 1,
  category: 'source',
  title: 'Bench source',
  summary: 'Ingests prepared messages.',
  docs: 'Benchmark only.',
  inputs: [],
  outputs: [{ name: 'out' }],
  config: Type.Object({}),
});

const benchSink = defineNode({
  type: 'bench-sink',
  version: 1,
  category: 'sink',
  title: 'Bench sink',
  summary: 'Acks at once.',
  docs: 'Benchmark only.',
  inputs: [{ name: 'in' }],
  outputs: [],
  config: Type.Object({}),
});

/** Payloads cycled through: ten devices, a temperature that moves, a unique id. */
function message(i: number): Message {
  return createMessage({
    topic: `site/dev-${i % 10}/temp`,
    payload: { id: i, device: `dev-${i % 10}`, temp: (i * 7) % 50, seq: i },
  });
}

const createSource: CreateRuntime<unknown> = (ctx) => {
  let stopped = false;
  return {
    start() {
      void (async () => {
        for (let i = 0; i < COUNT && !stopped; i++) {
          const w = ctx.ingest(message(i));
          if (w) await w;
        }
      })();
    },
    stopIntake() {
      stopped = true;
    },
  };
};

const createSink: CreateRuntime<unknown> = () => ({ handle() {} });

function engine(): Engine {
  return new Engine({
    catalog: { nodes: [...catalog.nodes, benchSource, benchSink], connections: catalog.connections },
    loadRuntime: (t) =>
      t === 'bench-source'
        ? Promise.resolve(createSource)
        : t === 'bench-sink'
          ? Promise.resolve(createSink)
          : loadNodeRuntime(t),
  });
}

function flow(type: string | undefined, config: Record<string, unknown>, maxInFlight = 1000) {
  const nodes = [{ id: 'src', type: 'bench-source', config: {} }];
  if (type) nodes.push({ id: 'node', type, config });
  nodes.push({ id: 'sink', type: 'bench-sink', config: {} });
  return {
    format: 'sluice/flow@1',
    settings: { maxInFlight },
    nodes,
    edges: nodes.slice(1).map((n, i) => ({ source: nodes[i].id, sourcePort: 'out', target: n.id, targetPort: 'in' })),
  };
}

async function once(type: string | undefined, config: Record<string, unknown>, maxInFlight?: number) {
  const e = engine();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await e.start(flow(type, config, maxInFlight));
  while ((e.counters().src.acked ?? 0) < COUNT) await new Promise((r) => setTimeout(r, 2));
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const c = e.counters().node;
  await e.stop();
  return { rate: (COUNT / ms) * 1000, cpuUsPerMsg: (cpu.user + cpu.system) / COUNT, passed: c ? c.out / COUNT : 1 };
}

const SCHEMA = JSON.stringify({
  type: 'object',
  required: ['id', 'device', 'temp'],
  properties: {
    id: { type: 'integer', minimum: 0 },
    device: { type: 'string', minLength: 1 },
    temp: { type: 'number', minimum: -50, maximum: 150 },
    seq: { type: 'integer' },
  },
});

export const STREAM_CASES: Array<
  [name: string, type: string | undefined, config: Record<string, unknown>, runs?: number]
> = [
  ['source -> ack (baseline: the engine alone)', undefined, {}],
  [
    'source -> change (move, set text, set JSONata) -> ack',
    'change',
    {
      rules: [
        { action: 'move', field: 'payload.temp', to: 'payload.tempC' },
        { action: 'set', field: 'headers.site', valueType: 'string', value: 'plant-1' },
        { action: 'set', field: 'payload.tempF', valueType: 'jsonata', value: 'payload.tempC * 1.8 + 32' },
      ],
    },
  ],
  ['source -> validate (4 properties) -> ack', 'validate', { schema: SCHEMA }],
  ['source -> dedup (unique ids, at its 100k bound) -> ack', 'dedup', { key: 'payload.id', maxKeys: 100_000 }],
  ['source -> dedup (10 keys: 99.99% duplicates) -> ack', 'dedup', { key: 'payload.device' }],
  [
    'source -> deadband (per device, threshold 25) -> ack',
    'deadband',
    { key: 'payload.device', value: 'payload.temp', threshold: 25 },
  ],
  ['source -> rate-limit (not limiting) -> ack', 'rate-limit', { limit: 1_000_000, intervalMs: 1000 }],
  [
    'source -> rate-limit per device (not limiting) -> ack',
    'rate-limit',
    { limit: 1_000_000, intervalMs: 1000, key: 'payload.device' },
  ],
  ['source -> delay 1 ms (window 1000) -> ack', 'delay', { delayMs: 1 }, 1],
];

function gcNow(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Heap held by a dedup node at its bound of `maxKeys` keys like `dev-123456-reading` (after full GCs). */
async function dedupMemory(maxKeys: number): Promise<{ bytes: number; perKey: number }> {
  const gc = gcNow();
  const noop = () => undefined;
  const ctx = {
    nodeId: 'mem',
    name: 'mem',
    config: { key: 'payload.id', windowMs: 0, maxKeys, durable: false, stateFile: '', timeoutMs: 1000 },
    log: { debug: noop, info: noop, warn: noop, error: noop },
    signal: new AbortController().signal,
    status: noop,
    publish: noop,
  } as unknown as NodeContext<Parameters<typeof createDedup>[0]['config']>;
  const out: Output = { emit: noop };
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const node = await createDedup(ctx);
  // Twice the bound: the node is full and has been evicting for a while.
  for (let i = 0; i < maxKeys * 2; i++)
    node.handle?.({ id: 'm', payload: { id: `dev-${i}-reading` }, headers: {}, timestamp: 0 }, out, 'in');
  gc();
  gc();
  const bytes = process.memoryUsage().heapUsed - before;
  const keys = (node.snapshot?.() as { keys: number } | undefined)?.keys;
  if (keys !== maxKeys) throw new Error(`dedup held ${keys} keys, expected ${maxKeys}`);
  return { bytes, perKey: bytes / maxKeys };
}

/** One case: a warm-up, then `runs` measured runs; the rate and the CPU per message (what one core could do). */
export async function runStreamCase(
  name: string,
  type: string | undefined,
  config: Record<string, unknown>,
  runs = 3,
): Promise<BenchResult[]> {
  await once(type, config); // warm-up: JIT and compiled expressions
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await once(type, config));
  const cpu = median(results.map((r) => r.cpuUsPerMsg));
  return [
    {
      name,
      value: median(results.map((r) => r.rate)),
      unit: 'msg/s',
      note: `median of ${runs} x ${COUNT.toLocaleString('en-US')}; ${(results[0].passed * 100).toFixed(1)}% passed on`,
    },
    {
      name: '  CPU per message',
      value: cpu,
      unit: 'us/msg',
      note: `${Math.round(1e6 / cpu).toLocaleString('en-US')} msg/s per core of CPU`,
    },
  ];
}

export async function dedupMemoryResults(): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const bound of [100_000, 1_000_000]) {
    const m = await dedupMemory(bound);
    out.push({
      name: `dedup heap at its bound of ${bound.toLocaleString('en-US')} keys`,
      value: m.bytes / 1048576,
      unit: 'MB',
      note: `${Math.round(m.perKey)} bytes per key (keys of ~18 chars)`,
    });
  }
  return out;
}

export async function runStreamNodes(): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const [name, type, config, runs] of STREAM_CASES) out.push(...(await runStreamCase(name, type, config, runs)));
  out.push(...(await dedupMemoryResults()));
  return out;
}
