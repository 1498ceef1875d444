/**
 * Many flows in one runtime (issue 12): N flows of mqtt-in (QoS 1) -> transform -> a sink that acks at once, each
 * its own engine with its own MQTT client (the flow manager), all subscribed to one topic, fed by one QoS 1 publisher
 * in a child process. Every flow receives every message, so the runtime handles N x count deliveries. Compares the
 * total deliveries per second and the process RSS (idle, after deploy) of 20 flows against one flow.
 *
 *   node --import tsx bench/scenarios/many-flows.ts
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect as connectSocket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { catalog } from '../../nodes/catalog.js';
import { FlowManager } from '../../src/runtime/flow-manager.js';
import { loadNodeRuntime } from '../../src/runtime/loader.js';
import { defineNode, Type } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';
import { type BenchResult, median, printResults } from '../types.js';

const BROKER = process.env.SLUICE_BENCH_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const RUNS = 3;
/** The publisher stays at most this far ahead of the slowest flow (inside Mosquitto's per-session queue limit). */
const CREDIT = 500;

const ackSink = defineNode({
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
const createAckSink: CreateRuntime<unknown> = () => ({ handle() {} });

function newManager(): FlowManager {
  return new FlowManager({
    catalog: { nodes: [...catalog.nodes, ackSink], connections: catalog.connections },
    loadRuntime: (t) => (t === 'bench-sink' ? Promise.resolve(createAckSink) : loadNodeRuntime(t)),
  });
}

function flow(i: number, topic: string, run: string) {
  return {
    format: 'sluice/flow@1',
    id: `many-${run}-${i}`,
    settings: { maxInFlight: 1000 },
    // Clean sessions: nothing is left on the broker after the run.
    connections: [{ id: 'broker', kind: 'mqtt', config: { url: BROKER, protocolVersion: '5', clean: true } }],
    nodes: [
      {
        id: 'in',
        type: 'mqtt-in',
        config: { connection: 'broker', topics: [topic], qos: 1, codec: 'json', window: 1000 },
      },
      {
        id: 'map',
        type: 'transform',
        config: { expression: '{"device": payload.device, "tempF": payload.temp * 1.8 + 32}' },
      },
      { id: 'sink', type: 'bench-sink', config: {} },
    ],
    edges: [
      { source: 'in', sourcePort: 'out', target: 'map', targetPort: 'in' },
      { source: 'map', sourcePort: 'out', target: 'sink', targetPort: 'in' },
    ],
  };
}

function startPublisher(topic: string, count: number): Promise<ChildProcess> {
  const script = fileURLToPath(new URL('./mqtt-publisher.ts', import.meta.url));
  const child = fork(script, [BROKER, topic, String(count)], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`the publisher exited (${code})`)));
  });
}

async function settle(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

interface Measured {
  rate: number;
  rssIdleMb: number;
}

async function once(flows: number, count: number): Promise<Measured> {
  const run = randomBytes(4).toString('hex');
  const topic = `sluice-bench/many-${run}`;
  const m = newManager();
  let publisher: ChildProcess | undefined;
  let credit: NodeJS.Timeout | undefined;
  try {
    await Promise.all(Array.from({ length: flows }, (_, i) => m.deploy(`f${i}`, flow(i, topic, run), 1)));
    await settle(1000);
    (globalThis as { gc?: () => void }).gc?.();
    const rssIdleMb = process.memoryUsage().rss / 2 ** 20;
    const engines = m.flows().map((f) => f.engine);
    const out = () => Math.min(...engines.map((e) => e.nodeCounters('in')?.out ?? 0));
    const acked = () => engines.reduce((n, e) => n + (e.nodeCounters('in')?.acked ?? 0), 0);
    publisher = await startPublisher(topic, count);
    const child = publisher;
    let granted = -1;
    credit = setInterval(() => {
      const allowed = out() + CREDIT;
      if (allowed - granted < 100 || !child.connected) return;
      child.send({ allowed });
      granted = allowed;
    }, 1);
    const t0 = performance.now();
    const target = flows * count;
    let last = 0;
    let movedAt = Date.now();
    while (acked() < target) {
      await settle(2);
      const a = acked();
      if (a !== last) {
        last = a;
        movedAt = Date.now();
      } else if (Date.now() - movedAt > 15_000) throw new Error(`stalled at ${a} of ${target}`);
    }
    const ms = performance.now() - t0;
    return { rate: (target / ms) * 1000, rssIdleMb };
  } finally {
    clearInterval(credit);
    publisher?.kill();
    await m.close();
  }
}

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const s = connectSocket({ host: hostname, port: Number(port || 1883) });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

async function measure(flows: number, count: number): Promise<Measured[]> {
  await once(flows, Math.min(count, 2000)); // warm-up: JIT, broker
  const results: Measured[] = [];
  for (let i = 0; i < RUNS; i++) results.push(await once(flows, count));
  return results;
}

export async function run(): Promise<BenchResult[]> {
  if (!(await reachable(BROKER))) throw new Error(`Mosquitto not reachable at ${BROKER}`);
  const one = await measure(1, 30_000);
  const many = await measure(20, 3_000);
  const oneRate = median(one.map((r) => r.rate));
  const manyRate = median(many.map((r) => r.rate));
  return [
    {
      name: '1 flow: mqtt-in QoS 1 -> transform -> sink',
      value: oneRate,
      unit: 'msg/s',
      note: `median of ${RUNS} x 30,000`,
    },
    {
      name: '20 flows side by side, total deliveries',
      value: manyRate,
      unit: 'msg/s',
      note: `median of ${RUNS} x 20 x 3,000; ${((manyRate / oneRate - 1) * 100).toFixed(0)}% against one flow`,
    },
    { name: 'RSS idle with 1 flow deployed (whole process)', value: median(one.map((r) => r.rssIdleMb)), unit: 'MB' },
    {
      name: 'RSS idle with 20 flows deployed (whole process)',
      value: median(many.map((r) => r.rssIdleMb)),
      unit: 'MB',
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  printResults('many-flows', await run());
  process.exit(0);
}
