/**
 * Engine scenarios for the window, split and join nodes (run by bench/scenarios/engine.ts): generate -> node(s) ->
 * a sink that acks at once. The rate is of messages into the node per second, each acknowledged end to end (a held
 * message only once the aggregate built from it was delivered), next to the same generator straight into the sink.
 */
import { type BenchResult, median } from '../types.js';
import { benchEngine } from './ack-sink.js';

const COUNT = 200_000;

type Node = { id: string; type: string; config: Record<string, unknown> };

function flow(payload: string, middle: Node[], maxInFlight: number) {
  const nodes: Node[] = [
    { id: 'gen', type: 'generate', config: { intervalMs: 0, count: COUNT, topic: 'site/dev/temp', payload } },
    ...middle,
    { id: 'sink', type: 'bench-sink', config: {} },
  ];
  const edges = nodes
    .slice(1)
    .map((n, i) => ({ source: nodes[i].id, sourcePort: 'out', target: n.id, targetPort: 'in' }));
  return { format: 'sluice/flow@1', settings: { maxInFlight }, nodes, edges };
}

async function once(doc: ReturnType<typeof flow>): Promise<{ rate: number; cpuUsPerMsg: number; out: number }> {
  const engine = benchEngine();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await engine.start(doc);
  // Time windows still open after the last message are flushed by the stop (onStop: flush) and counted then.
  while ((engine.counters().gen.acked ?? 0) < COUNT && (engine.counters().gen.out ?? 0) < COUNT)
    await new Promise((r) => setTimeout(r, 2));
  await engine.stop({ deadlineMs: 30_000 });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  // A sliding window still holds its last messages at the end: the stop gives them back (nacked).
  const { acked = 0, nacked = 0 } = engine.counters().gen;
  if (acked + nacked !== COUNT) throw new Error(`only ${acked} + ${nacked} of ${COUNT} settled`);
  return { rate: (COUNT / ms) * 1000, cpuUsPerMsg: (cpu.user + cpu.system) / COUNT, out: engine.counters().sink.in };
}

const READING = '{"device": "dev-" & ($seq % 10), "temp": $seq % 50, "seq": $seq}';

export async function runStreamScenarios(): Promise<BenchResult[]> {
  const cases: Array<[string, ReturnType<typeof flow>]> = [
    ['generate -> ack (baseline for the stream nodes)', flow(READING, [], 1000)],
    [
      'window: count 100 per device (10 devices), avg',
      flow(
        READING,
        [
          {
            id: 'w',
            type: 'window',
            config: { by: 'count', count: 100, key: 'payload.device', value: 'payload.temp' },
          },
        ],
        1000,
      ),
    ],
    [
      'window: sliding count 10 step 5 per device, max',
      flow(
        READING,
        [
          {
            id: 'w',
            type: 'window',
            config: {
              kind: 'sliding',
              by: 'count',
              count: 10,
              slideCount: 5,
              key: 'payload.device',
              aggregate: 'max',
              value: 'payload.temp',
            },
          },
        ],
        1000,
      ),
    ],
    [
      'window: time 50 ms per device, avg (maxInFlight 100k)',
      flow(
        READING,
        [
          {
            id: 'w',
            type: 'window',
            config: { by: 'time', windowMs: 50, key: 'payload.device', value: 'payload.temp', onStop: 'flush' },
          },
        ],
        100_000,
      ),
    ],
    [
      'split: an array of 10 into 10 messages',
      flow(
        '[$seq, $seq+1, $seq+2, $seq+3, $seq+4, $seq+5, $seq+6, $seq+7, $seq+8, $seq+9]',
        [{ id: 's', type: 'split', config: {} }],
        1000,
      ),
    ],
    [
      'split 10 -> join (mode split) back into the array',
      flow(
        '[$seq, $seq+1, $seq+2, $seq+3, $seq+4, $seq+5, $seq+6, $seq+7, $seq+8, $seq+9]',
        [
          { id: 's', type: 'split', config: {} },
          { id: 'j', type: 'join', config: { mode: 'split' } },
        ],
        1000,
      ),
    ],
    [
      'join: count 10 into an array',
      flow(READING, [{ id: 'j', type: 'join', config: { mode: 'count', count: 10, output: 'array' } }], 1000),
    ],
  ];
  const out: BenchResult[] = [];
  for (const [name, doc] of cases) {
    await once(doc); // warm-up
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await once(doc));
    out.push({
      name,
      value: median(runs.map((r) => r.rate)),
      unit: 'msg/s',
      note: `median of 3 x ${COUNT.toLocaleString('en-US')} in, ${runs[0].out.toLocaleString('en-US')} out`,
    });
    out.push({ name: '  CPU per message in', value: median(runs.map((r) => r.cpuUsPerMsg)), unit: 'us/msg' });
  }
  return out;
}
