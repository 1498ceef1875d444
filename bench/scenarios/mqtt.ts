/**
 * MQTT at-least-once throughput against the Mosquitto on 127.0.0.1:1883, everything on this machine.
 * mqtt-in (QoS 1, persistent session, codec json) -> a sink that acks each batch 5 ms after its first message,
 * fed by a publisher in a child process (so CPU figures are the flow's own):
 *  - gate design (PUBACK withheld until settled, released in order), MQTT 5 (receive maximum = window 1000);
 *  - the same over MQTT 3.1.1 (no receive maximum: Mosquitto's max_inflight_messages, loosely held under load);
 *  - the fallback (hold mqtt.js's callback per message), for comparison.
 * And generate -> mqtt-out, QoS 1 (acked upstream after each PUBACK).
 *
 *   node --import tsx bench/scenarios/mqtt.ts
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect as connectSocket } from 'node:net';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { catalog } from '../../nodes/catalog.js';
import { Engine } from '../../src/runtime/engine.js';
import { loadNodeRuntime } from '../../src/runtime/loader.js';
import { defineNode, Type } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';
import { benchHoldMode } from '../support/mqtt-hold.js';
import { type BenchResult, median, printResults } from '../types.js';

const BROKER = process.env.SLUICE_BENCH_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const RUNS = 3;
/** The publisher stays this far ahead of the flow: inside Mosquitto's receive maximum + max_queued_messages. */
const CREDIT = 500;

const batchSink = defineNode({
  type: 'bench-batch-sink',
  version: 1,
  category: 'sink',
  title: 'Bench batch sink',
  summary: 'Acks each batch 5 ms after its first message.',
  docs: 'Benchmark only.',
  inputs: [{ name: 'in' }],
  outputs: [],
  config: Type.Object({}),
});

/** Like a database sink: a batch commits 5 ms after its first message, and every message in it resolves. */
const createBatchSink: CreateRuntime<unknown> = () => {
  let batch: Array<() => void> = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const done = batch;
    batch = [];
    for (const d of done) d();
  };
  return {
    handle: () =>
      new Promise<void>((resolve) => {
        batch.push(resolve);
        if (!scheduled) {
          scheduled = true;
          setTimeout(flush, 5);
        }
      }),
  };
};

function newEngine(): Engine {
  return new Engine({
    catalog: { nodes: [...catalog.nodes, batchSink], connections: catalog.connections },
    loadRuntime: (t) => (t === 'bench-batch-sink' ? Promise.resolve(createBatchSink) : loadNodeRuntime(t)),
  });
}

interface Measured {
  rate: number;
  cpuUsPerMsg: number;
}

/** Waits until `value()` reaches `target`; throws when it stops moving for `stallMs` (e.g. the broker dropped messages). */
async function until(value: () => number, target: number, state: () => unknown, stallMs = 10_000): Promise<void> {
  let last = value();
  let movedAt = Date.now();
  while (last < target) {
    await new Promise((r) => setTimeout(r, 2));
    const v = value();
    if (v !== last) {
      last = v;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > stallMs) {
      throw new Error(`stalled at ${v} of ${target}: ${JSON.stringify(state())}`);
    }
  }
}

function startPublisher(topic: string, count: number): Promise<ChildProcess> {
  const script = fileURLToPath(new URL('./mqtt-publisher.ts', import.meta.url));
  const child = fork(script, [BROKER, topic, String(count)], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`the publisher exited (${code})`)));
  });
}

async function subscribeOnce(count: number, protocolVersion: '5' | '3.1.1', hold: boolean): Promise<Measured> {
  const id = randomBytes(4).toString('hex');
  const topic = `sluice-bench/${id}`;
  const clientId = `sluice-bench-${id}`;
  benchHoldMode(hold);
  const engine = newEngine();
  let publisher: ChildProcess | undefined;
  let credit: NodeJS.Timeout | undefined;
  try {
    await engine.start({
      format: 'sluice/flow@1',
      settings: { maxInFlight: 1000 },
      connections: [{ id: 'broker', kind: 'mqtt', config: { url: BROKER, protocolVersion } }],
      nodes: [
        {
          id: 'in',
          type: 'mqtt-in',
          config: { connection: 'broker', topics: [topic], qos: 1, codec: 'json', clientId, window: 1000 },
        },
        { id: 'sink', type: 'bench-batch-sink', config: {} },
      ],
      edges: [{ source: 'in', sourcePort: 'out', target: 'sink', targetPort: 'in' }],
    });
    if (engine.snapshot('in') && (engine.snapshot('in') as { mode: string }).mode !== (hold ? 'hold' : 'gate')) {
      throw new Error('the subscriber is not in the mode this run measures');
    }
    publisher = await startPublisher(topic, count);
    const child = publisher;
    const acked = () => engine.counters().in.acked ?? 0;
    let granted = -1;
    credit = setInterval(() => {
      const allowed = (engine.counters().in.out ?? 0) + CREDIT;
      if (allowed - granted < 100 || !child.connected) return;
      child.send({ allowed });
      granted = allowed;
    }, 1);
    await until(
      () => engine.counters().in.out ?? 0,
      1,
      () => engine.snapshot('in'),
    );
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const first = acked();
    await until(acked, count, () => engine.snapshot('in'));
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const n = count - first;
    return { rate: (n / ms) * 1000, cpuUsPerMsg: (cpu.user + cpu.system) / n };
  } finally {
    clearInterval(credit);
    publisher?.kill();
    await engine.stop();
    benchHoldMode(false);
    const clean = await mqtt.connectAsync(BROKER, {
      clientId,
      clean: true,
      protocolVersion: 5,
      properties: { sessionExpiryInterval: 0 },
    });
    await clean.endAsync();
  }
}

async function publishOnce(count: number): Promise<Measured> {
  const engine = newEngine();
  try {
    await engine.start({
      format: 'sluice/flow@1',
      settings: { maxInFlight: 1000 },
      connections: [{ id: 'broker', kind: 'mqtt', config: { url: BROKER, protocolVersion: '5' } }],
      nodes: [
        {
          id: 'gen',
          type: 'generate',
          config: {
            intervalMs: 0,
            count,
            topic: 'bench',
            payload: '{"n": $seq, "device": "dev-" & ($seq % 10), "temp": 21.5}',
          },
        },
        {
          id: 'out',
          type: 'mqtt-out',
          config: { connection: 'broker', topic: `sluice-bench/out/{{payload.device}}`, qos: 1 },
        },
      ],
      edges: [{ source: 'gen', sourcePort: 'out', target: 'out', targetPort: 'in' }],
    });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await until(
      () => (engine.counters().gen.acked ?? 0) + (engine.counters().gen.nacked ?? 0),
      count,
      () => engine.counters(),
    );
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (engine.counters().gen.nacked) throw new Error(`${engine.counters().gen.nacked} publishes failed`);
    return { rate: (count / ms) * 1000, cpuUsPerMsg: (cpu.user + cpu.system) / count };
  } finally {
    await engine.stop();
  }
}

async function measure(
  name: string,
  count: number,
  once: () => Promise<Measured>,
  runs = RUNS,
): Promise<BenchResult[]> {
  // Mosquitto drops QoS 1 messages past a session's queue limit, and its in-flight accounting is loose under
  // load: a run that stalls is retried (and counted) rather than hanging the benchmark.
  let retries = 0;
  const attempt = async (): Promise<Measured> => {
    for (;;) {
      try {
        return await once();
      } catch (err) {
        if (++retries > 3) throw err;
      }
    }
  };
  await attempt(); // warm-up: JIT, broker
  const results: Measured[] = [];
  for (let i = 0; i < runs; i++) results.push(await attempt());
  return [
    {
      name,
      value: median(results.map((r) => r.rate)),
      unit: 'msg/s',
      note: `median of ${runs} x ${count.toLocaleString('en-US')}${retries ? `, ${retries} stalled run(s) retried` : ''}`,
    },
    { name: '  CPU of the flow process per message', value: median(results.map((r) => r.cpuUsPerMsg)), unit: 'us/msg' },
  ];
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

export async function run(): Promise<BenchResult[]> {
  if (!(await reachable(BROKER))) throw new Error(`Mosquitto not reachable at ${BROKER}`);
  return [
    ...(await measure('mqtt-in QoS 1, MQTT 5, gate (window 1000) -> 5 ms batch sink', 50_000, () =>
      subscribeOnce(50_000, '5', false),
    )),
    ...(await measure('mqtt-in QoS 1, MQTT 3.1.1, gate (window 1000)', 20_000, () =>
      subscribeOnce(20_000, '3.1.1', false),
    )),
    ...(await measure(
      'mqtt-in QoS 1, MQTT 5, fallback: hold callback per message',
      1_000,
      () => subscribeOnce(1_000, '5', true),
      1,
    )),
    ...(await measure('generate -> mqtt-out QoS 1 (acked after PUBACK)', 50_000, () => publishOnce(50_000))),
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  printResults('mqtt', await run());
  process.exit(0);
}
