/**
 * What the ops metrics cost: the engine scenario's identity flow (generate -> transform -> filter -> ack) with and
 * without the metrics observer (settle latency per message), runs interleaved so machine noise hits both alike; and
 * how long a /metrics scrape of 20 running flows takes.
 */
import { fileURLToPath } from 'node:url';
import { catalog } from '../../nodes/catalog.js';
import { FlowMetrics } from '../../src/ops/metrics.js';
import type { Engine } from '../../src/runtime/engine.js';
import { benchEngine } from '../support/ack-sink.js';
import { type BenchResult, median, printResults } from '../types.js';

const COUNT = 200_000;

function flow(count: number, intervalMs = 0) {
  return {
    format: 'sluice/flow@1',
    settings: { maxInFlight: 1000 },
    nodes: [
      { id: 'gen', type: 'generate', config: { intervalMs, count, payload: '{"seq": $seq}' } },
      { id: 'map', type: 'transform', config: { expression: 'payload' } },
      { id: 'keep', type: 'filter', config: { condition: 'true' } },
      { id: 'sink', type: 'bench-sink', config: {} },
    ],
    edges: [
      { source: 'gen', sourcePort: 'out', target: 'map', targetPort: 'in' },
      { source: 'map', sourcePort: 'out', target: 'keep', targetPort: 'in' },
      { source: 'keep', sourcePort: 'out', target: 'sink', targetPort: 'in' },
    ],
  };
}

async function once(observed: boolean): Promise<{ rate: number; cpuUsPerMsg: number }> {
  const engine = benchEngine();
  const metrics = observed
    ? new FlowMetrics({ flows: () => [{ id: 'bench', state: 'running', engine }] }, catalog)
    : undefined;
  metrics?.attach();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await engine.start(flow(COUNT));
  while ((engine.counters().gen.acked ?? 0) < COUNT) await new Promise((r) => setTimeout(r, 2));
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await engine.stop();
  metrics?.close();
  return { rate: (COUNT / ms) * 1000, cpuUsPerMsg: (cpu.user + cpu.system) / COUNT };
}

async function scrapeOf20(): Promise<{ ms: number; bytes: number }> {
  const engines: Engine[] = [];
  for (let i = 0; i < 20; i++) {
    const e = benchEngine();
    await e.start(flow(1000, 1));
    engines.push(e);
  }
  const metrics = new FlowMetrics(
    { flows: () => engines.map((engine, i) => ({ id: `f${i}`, state: 'running', engine })) },
    catalog,
  );
  metrics.attach();
  await new Promise((r) => setTimeout(r, 300));
  await metrics.scrape(); // warm-up
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    bytes = (await metrics.scrape()).length;
    times.push(performance.now() - t0);
  }
  metrics.close();
  for (const e of engines) await e.stop({ deadlineMs: 100 });
  return { ms: median(times), bytes };
}

export async function run(): Promise<BenchResult[]> {
  await once(false);
  await once(true); // warm-up both paths
  const plain: Array<{ rate: number; cpuUsPerMsg: number }> = [];
  const observed: Array<{ rate: number; cpuUsPerMsg: number }> = [];
  for (let i = 0; i < 5; i++) {
    plain.push(await once(false));
    observed.push(await once(true));
  }
  const note = `median of 5 x ${COUNT.toLocaleString('en-US')}, interleaved`;
  const scrape = await scrapeOf20();
  return [
    { name: 'identity flow, no metrics observer', value: median(plain.map((r) => r.rate)), unit: 'msg/s', note },
    { name: '  CPU per message', value: median(plain.map((r) => r.cpuUsPerMsg)), unit: 'us/msg' },
    {
      name: 'identity flow, metrics observer (settle latency)',
      value: median(observed.map((r) => r.rate)),
      unit: 'msg/s',
      note,
    },
    { name: '  CPU per message', value: median(observed.map((r) => r.cpuUsPerMsg)), unit: 'us/msg' },
    {
      name: '/metrics scrape, 20 flows x 4 nodes',
      value: scrape.ms,
      unit: 'ms',
      note: `${scrape.bytes} bytes of text`,
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printResults('ops', await run());
