/**
 * Engine throughput on one core: generate -> transform (JSONata mapping) -> filter (JSONata condition) -> a sink
 * that acks at once. Every message is tracked end to end (lineage, counters, settle).
 */
import { fileURLToPath } from 'node:url';
import { benchEngine } from '../support/ack-sink.js';
import { runStreamNodes } from '../support/stream-nodes.js';
import { runStreamScenarios } from '../support/stream-scenarios.js';
import { type BenchResult, median, printResults } from '../types.js';

const COUNT = 400_000;

function flow(mapping: string, condition: string) {
  return {
    format: 'sluice/flow@1',
    settings: { maxInFlight: 1000 },
    nodes: [
      {
        id: 'gen',
        type: 'generate',
        config: {
          intervalMs: 0,
          count: COUNT,
          topic: 'site/dev/temp',
          payload: '{"device": "dev-" & ($seq % 10), "temp": $seq % 50, "seq": $seq}',
        },
      },
      { id: 'map', type: 'transform', config: { expression: mapping } },
      { id: 'keep', type: 'filter', config: { condition } },
      { id: 'sink', type: 'bench-sink', config: {} },
    ],
    edges: [
      { source: 'gen', sourcePort: 'out', target: 'map', targetPort: 'in' },
      { source: 'map', sourcePort: 'out', target: 'keep', targetPort: 'in' },
      { source: 'keep', sourcePort: 'out', target: 'sink', targetPort: 'in' },
    ],
  };
}

async function once(
  mapping: string,
  condition: string,
  tapped = false,
): Promise<{ rate: number; cpuUsPerMsg: number; taps: number }> {
  const engine = benchEngine();
  let taps = 0;
  engine.on('tap', () => taps++);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await engine.start(flow(mapping, condition));
  // Watch the busiest wire (every message passes it), as the editor's "watch this output" does, at its rate.
  if (tapped) engine.setTaps([{ nodeId: 'map', port: 'out' }], 20);
  while ((engine.counters().gen.acked ?? 0) < COUNT) await new Promise((r) => setTimeout(r, 2));
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await engine.stop();
  return { rate: (COUNT / ms) * 1000, cpuUsPerMsg: (cpu.user + cpu.system) / COUNT, taps };
}

/**
 * The cost of watching a busy wire: the identity flow with and without a tap on its busiest output, runs
 * interleaved (so the machine's load falls on both alike), CPU per message.
 */
export async function tapCost(runs = 5): Promise<BenchResult[]> {
  const [mapping, condition] = ['payload', 'true'];
  await once(mapping, condition);
  await once(mapping, condition, true);
  const plain: number[] = [];
  const watched: number[] = [];
  let sampled = 0;
  for (let i = 0; i < runs; i++) {
    plain.push((await once(mapping, condition)).cpuUsPerMsg);
    const w = await once(mapping, condition, true);
    watched.push(w.cpuUsPerMsg);
    sampled = Math.max(sampled, w.taps);
  }
  const [p, w] = [median(plain), median(watched)];
  return [
    { name: 'identity flow, no wire watched: CPU per message', value: p, unit: 'us/msg', note: `median of ${runs}` },
    {
      name: 'identity flow, busiest wire watched: CPU per message',
      value: w,
      unit: 'us/msg',
      note: `median of ${runs}, interleaved; ratio ${(w / p).toFixed(3)}; at most ${sampled} copies sampled per run`,
    },
  ];
}

export async function run(): Promise<BenchResult[]> {
  const cases: Array<[string, string, string]> = [
    [
      'generate -> transform -> filter -> ack (mapping + condition)',
      '{"device": $split(topic, "/")[1], "tempF": payload.temp * 1.8 + 32, "seq": payload.seq}',
      'payload.tempF > 70',
    ],
    ['generate -> transform -> filter -> ack (identity, true)', 'payload', 'true'],
  ];
  const out: BenchResult[] = [];
  for (const [name, mapping, condition] of cases) {
    await once(mapping, condition); // warm-up: JIT and compiled expressions
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await once(mapping, condition));
    out.push({
      name,
      value: median(runs.map((r) => r.rate)),
      unit: 'msg/s',
      note: `median of 5 x ${COUNT.toLocaleString('en-US')}`,
    });
    out.push({ name: `  CPU per message`, value: median(runs.map((r) => r.cpuUsPerMsg)), unit: 'us/msg' });
  }
  out.push(...(await tapCost()));
  out.push(...(await runStreamScenarios()));
  out.push(...(await runStreamNodes()));
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // `-- taps`: only the cost of a watched wire.
  printResults('engine', process.argv.includes('taps') ? await tapCost() : await run());
}
