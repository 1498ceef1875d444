/**
 * Sparkplug B: the codec against raw protobufjs, and sparkplug-in end to end against a raw mqtt.js host.
 *
 * - decode: one DDATA of 10 alias-only metrics (Float, Int64, Boolean, String, ...), N times, with
 *   `PayloadType.decode` alone (protobufjs objects, Longs, no datatypes applied) and with the `sparkplug` codec
 *   (JSON-friendly values); encode the same way.
 * - end to end: an edge node (plain mqtt.js in this process) publishes NBIRTH, DBIRTH and N DDATA of 10 metrics at
 *   QoS 1 to Mosquitto. Measured: sparkplug-in (QoS 1, one message per metric, each MQTT message acked after its
 *   metrics settle) -> a 5 ms batch sink; and, as the raw client, mqtt.js subscribing with QoS 1 and decoding each
 *   message with protobufjs plus an alias lookup (no at-least-once, no per-metric messages). The publisher shares
 *   the process, so the CPU figures include it in both.
 *
 *   node --import tsx bench/scenarios/sparkplug.ts
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { catalog } from '../../nodes/catalog.js';
import { decodeSparkplug } from '../../src/connectors/sparkplug/decode.js';
import { encodeSparkplug } from '../../src/connectors/sparkplug/encode.js';
import { PayloadType } from '../../src/connectors/sparkplug/schema.js';
import { Engine } from '../../src/runtime/engine.js';
import { loadNodeRuntime } from '../../src/runtime/loader.js';
import { defineNode, Type } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';
import { type BenchResult, median, printResults } from '../types.js';

const BROKER = process.env.SLUICE_BENCH_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const METRICS = 10;

const birthMetrics = Array.from({ length: METRICS }, (_, i) => {
  const kinds = [
    ['Float', 21.5],
    ['Int64', 123456789],
    ['Boolean', true],
    ['String', 'running'],
    ['Double', 0.125],
  ] as const;
  const [datatype, value] = kinds[i % kinds.length];
  return { name: `line/m${i}`, alias: i + 1, datatype, value };
});

function data(seq: number): Uint8Array {
  return encodeSparkplug({
    timestamp: Date.now(),
    seq,
    metrics: birthMetrics.map((m) => ({ alias: m.alias, datatype: m.datatype, value: m.value })),
  });
}

/** Rates of several functions measured in alternating rounds (a busy machine slows them alike), medians. */
function interleaved(n: number, rounds: number, fns: Array<() => void>): number[] {
  const rates: number[][] = fns.map(() => []);
  for (let r = 0; r < rounds; r++) {
    fns.forEach((f, k) => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) f();
      if (r > 0) rates[k].push((n / (performance.now() - t0)) * 1000); // round 0 warms up
    });
  }
  return rates.map(median);
}

function codecFigures(): BenchResult[] {
  const bytes = data(1);
  const decoded = decodeSparkplug(bytes);
  const wire = PayloadType.decode(bytes);
  const [raw, codec, rawEnc, codecEnc] = interleaved(20_000, 9, [
    () => PayloadType.decode(bytes),
    () => decodeSparkplug(bytes),
    () => PayloadType.encode(wire).finish(),
    () => encodeSparkplug(decoded),
  ]);
  const pct = (a: number, b: number) => `${Math.round((a / b) * 100)}% of raw, interleaved rounds`;
  return [
    { name: `decode DDATA (${METRICS} metrics): protobufjs alone`, value: raw, unit: 'msg/s' },
    { name: '  sparkplug codec (JSON-friendly values)', value: codec, unit: 'msg/s', note: pct(codec, raw) },
    { name: `encode DDATA (${METRICS} metrics): protobufjs alone`, value: rawEnc, unit: 'msg/s' },
    {
      name: '  sparkplug codec (checked JSON -> protobuf)',
      value: codecEnc,
      unit: 'msg/s',
      note: pct(codecEnc, rawEnc),
    },
  ];
}

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

const createBatchSink: CreateRuntime<unknown> = () => {
  let batch: Array<() => void> = [];
  let scheduled = false;
  return {
    handle: () =>
      new Promise<void>((resolve) => {
        batch.push(resolve);
        if (!scheduled) {
          scheduled = true;
          setTimeout(() => {
            scheduled = false;
            const done = batch;
            batch = [];
            for (const d of done) d();
          }, 5);
        }
      }),
  };
};

/** The edge node: births, then `count` DDATA at QoS 1, at most 500 unacknowledged. */
async function publishEdge(client: MqttClient, group: string, count: number): Promise<void> {
  const t = (type: string, device?: string) => `spBv1.0/${group}/${type}/edge${device ? `/${device}` : ''}`;
  await client.publishAsync(
    t('NBIRTH'),
    Buffer.from(
      encodeSparkplug({ timestamp: Date.now(), seq: 0, metrics: [{ name: 'bdSeq', datatype: 'Int64', value: 0 }] }),
    ),
    { qos: 1 },
  );
  await client.publishAsync(
    t('DBIRTH', 'd1'),
    Buffer.from(encodeSparkplug({ timestamp: Date.now(), seq: 1, metrics: birthMetrics })),
    { qos: 1 },
  );
  const payloads = Array.from({ length: 256 }, (_, s) => Buffer.from(data(s)));
  for (let i = 0; i < count; i += 500) {
    const chunk: Array<Promise<unknown>> = [];
    for (let j = i; j < Math.min(count, i + 500); j++)
      chunk.push(client.publishAsync(t('DDATA', 'd1'), payloads[(j + 2) & 0xff], { qos: 1 }));
    await Promise.all(chunk);
  }
}

interface Measured {
  rate: number;
  cpuUsPerMsg: number;
}

async function waitFor(value: () => number, target: number, stallMs = 15_000): Promise<void> {
  let last = value();
  let movedAt = Date.now();
  while (last < target) {
    await new Promise((r) => setTimeout(r, 2));
    const v = value();
    if (v !== last) {
      last = v;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > stallMs) throw new Error(`stalled at ${v} of ${target}`);
  }
}

async function sparkplugInOnce(count: number): Promise<Measured> {
  const group = `bench-${randomBytes(4).toString('hex')}`;
  const engine = new Engine({
    catalog: { nodes: [...catalog.nodes, batchSink], connections: catalog.connections },
    loadRuntime: (t) => (t === 'bench-batch-sink' ? Promise.resolve(createBatchSink) : loadNodeRuntime(t)),
  });
  const pub = await mqtt.connectAsync(BROKER, { protocolVersion: 5 });
  try {
    await engine.start({
      format: 'sluice/flow@1',
      settings: { maxInFlight: 10_000 },
      connections: [{ id: 'broker', kind: 'mqtt', config: { url: BROKER, protocolVersion: '5', clean: true } }],
      nodes: [
        {
          id: 'in',
          type: 'sparkplug-in',
          config: { connection: 'broker', groupId: group, qos: 1, requestRebirth: false, window: 1000 },
        },
        { id: 'sink', type: 'bench-batch-sink', config: {} },
      ],
      edges: [{ source: 'in', sourcePort: 'out', target: 'sink', targetPort: 'in' }],
    });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const total = (count + 1) * METRICS; // DDATA and DBIRTH metrics (bdSeq is a control metric: not emitted)
    await Promise.all([publishEdge(pub, group, count), waitFor(() => engine.counters().in.acked ?? 0, total)]);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return { rate: (count / ms) * 1000, cpuUsPerMsg: (cpu.user + cpu.system) / count };
  } finally {
    await pub.endAsync();
    await engine.stop();
  }
}

async function rawOnce(count: number): Promise<Measured> {
  const group = `bench-${randomBytes(4).toString('hex')}`;
  const sub = await mqtt.connectAsync(BROKER, { protocolVersion: 5, properties: { receiveMaximum: 1000 } });
  const pub = await mqtt.connectAsync(BROKER, { protocolVersion: 5 });
  const names = new Map<number, string>();
  let metrics = 0;
  let received = 0;
  sub.on('message', (_topic, payload) => {
    const p = PayloadType.decode(payload) as unknown as { metrics: Array<{ name?: string; alias?: { low: number } }> };
    for (const m of p.metrics) {
      if (Object.hasOwn(m, 'name') && m.alias) names.set(m.alias.low, m.name as string);
      else if (m.alias && names.has(m.alias.low)) metrics++;
    }
    received++;
  });
  try {
    await sub.subscribeAsync(`spBv1.0/${group}/#`, { qos: 1 });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all([publishEdge(pub, group, count), waitFor(() => received, count + 2)]);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (metrics !== count * METRICS) throw new Error(`raw host resolved ${metrics} metrics, not ${count * METRICS}`);
    return { rate: (count / ms) * 1000, cpuUsPerMsg: (cpu.user + cpu.system) / count };
  } finally {
    await pub.endAsync();
    await sub.endAsync();
  }
}

async function measure(once: () => Promise<Measured>, runs = 3): Promise<Measured> {
  await once(); // warm-up
  const r: Measured[] = [];
  for (let i = 0; i < runs; i++) r.push(await once());
  return { rate: median(r.map((x) => x.rate)), cpuUsPerMsg: median(r.map((x) => x.cpuUsPerMsg)) };
}

export async function run(): Promise<BenchResult[]> {
  const results = codecFigures();
  const count = 20_000;
  let sp: Measured;
  let raw: Measured;
  try {
    raw = await measure(() => rawOnce(count));
    sp = await measure(() => sparkplugInOnce(count));
  } catch (err) {
    results.push({ name: `end to end skipped: ${(err as Error).message}`, value: 0, unit: '' });
    return results;
  }
  const note = `median of 3 x ${count.toLocaleString('en-US')} DDATA of ${METRICS} metrics, publisher in-process`;
  results.push(
    { name: 'raw host: mqtt.js QoS 1 + protobufjs + alias lookup', value: raw.rate, unit: 'MQTT msg/s', note },
    { name: '  CPU per MQTT message (publisher included)', value: raw.cpuUsPerMsg, unit: 'us/msg' },
    {
      name: 'sparkplug-in QoS 1 (1 message per metric) -> 5 ms batch sink',
      value: sp.rate,
      unit: 'MQTT msg/s',
      note: `${Math.round((sp.rate / raw.rate) * 100)}% of raw; ${Math.round(sp.rate * METRICS).toLocaleString('en-US')} metric msg/s`,
    },
    { name: '  CPU per MQTT message (publisher included)', value: sp.cpuUsPerMsg, unit: 'us/msg' },
  );
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  printResults('sparkplug', await run());
  process.exit(0);
}
