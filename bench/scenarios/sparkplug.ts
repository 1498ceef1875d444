/**
 * Sparkplug B: the codec against raw protobufjs, and sparkplug-in end to end against a raw mqtt.js host.
 *
 * - decode: one DDATA of 10 alias-only metrics (Float, Int64, Boolean, String, ...), N times, with
 *   `PayloadType.decode` alone (protobufjs objects, Longs, no datatypes applied) and with the `sparkplug` codec
 *   (JSON-friendly values); encode the same way.
 * - end to end: an edge node (plain mqtt.js in a process of its own, bench/support/sparkplug-edge.mjs) publishes
 *   NBIRTH, DBIRTH and N DDATA of 10 metrics at QoS 1 to Mosquitto. Measured, in this process, run by run
 *   alternately: sparkplug-in (QoS 1, one message per metric, each MQTT message acked after its metrics settle) ->
 *   a 5 ms batch sink; and, as the raw client, a hand-written host doing the same work (see rawOnce). CPU is this
 *   process's alone (the host's), per MQTT message.
 *
 *   node --import tsx bench/scenarios/sparkplug.ts
 *   SLUICE_BENCH_SPARKPLUG_E2E_ONLY=1 SLUICE_BENCH_SPARKPLUG_PROFILE=sluice node --cpu-prof --import tsx \
 *     bench/scenarios/sparkplug.ts      (sparkplug-in alone, for its profile)
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { catalog } from '../../nodes/catalog.js';
import { DATATYPES, DT } from '../../src/connectors/sparkplug/datatypes.js';
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

/** A DDATA's protobufjs view, as a hand-written host reads it. */
type Long = number | { toNumber(): number };

interface WireData {
  timestamp?: Long;
  metrics: Array<{
    name?: string;
    alias?: Long;
    timestamp?: Long;
    datatype?: number;
    intValue?: number;
    longValue?: Long;
    floatValue?: number;
    doubleValue?: number;
    booleanValue?: boolean;
    stringValue?: string;
  }>;
}

/** The edge node, in a process of its own (bench/support/sparkplug-edge.mjs): connected and ready for `go()`. */
interface Edge {
  /** Publish; `hostDone` says how many DDATA the host has finished, to pace the publisher by. */
  go(hostDone: () => number): Promise<void>;
  stop(): void;
}

const EDGE = fileURLToPath(new URL('../support/sparkplug-edge.mjs', import.meta.url));

async function startEdge(group: string, count: number): Promise<Edge> {
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
  const spec = {
    url: BROKER,
    group,
    count,
    nbirth: b64(
      encodeSparkplug({ timestamp: Date.now(), seq: 0, metrics: [{ name: 'bdSeq', datatype: 'Int64', value: 0 }] }),
    ),
    dbirth: b64(encodeSparkplug({ timestamp: Date.now(), seq: 1, metrics: birthMetrics })),
    // The k-th DDATA carries seq k + 2 (after NBIRTH 0 and DBIRTH 1), mod 256.
    payloads: Array.from({ length: 256 }, (_, k) => b64(data((k + 2) & 0xff))),
  };
  const child = fork(EDGE, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.on('error', () => {});
  const reply = () =>
    new Promise<void>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the edge node process exited (${code})`));
      child.once('exit', onExit);
      child.once('message', (m: { op: string; message?: string }) => {
        child.off('exit', onExit);
        if (m.op === 'failed') reject(new Error(`edge node: ${m.message}`));
        else resolve();
      });
    });
  const ready = reply();
  child.send(spec);
  try {
    await ready;
  } catch (err) {
    child.kill();
    throw err;
  }
  return {
    go: (hostDone) => {
      const onMessage = (m: { op: string; n?: number }) => {
        if (m.op !== 'published') return;
        const target = (m.n as number) - 1000;
        const check = () => {
          if (hostDone() >= target) child.send({ op: 'more' });
          else setTimeout(check, 1);
        };
        check();
      };
      child.on('message', onMessage);
      const done = new Promise<void>((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`the edge node process exited (${code})`));
        child.once('exit', onExit);
        const onEnd = (m: { op: string; message?: string }) => {
          if (m.op === 'published') return;
          child.off('exit', onExit);
          child.off('message', onEnd);
          child.off('message', onMessage);
          if (m.op === 'failed') reject(new Error(`edge node: ${m.message}`));
          else resolve();
        };
        child.on('message', onEnd);
      });
      child.send({ op: 'go' });
      return done;
    },
    stop: () => child.kill(),
  };
}

interface Measured {
  rate: number;
  cpuUsPerMsg: number;
}

async function waitFor(value: () => number, target: number, what: string, stallMs = 15_000): Promise<void> {
  let last = value();
  let movedAt = Date.now();
  while (last < target) {
    await new Promise((r) => setTimeout(r, 2));
    const v = value();
    if (v !== last) {
      last = v;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > stallMs) throw new Error(`${what} stalled at ${v} of ${target}`);
  }
}

async function sparkplugInOnce(count: number): Promise<Measured> {
  const group = `bench-${randomBytes(4).toString('hex')}`;
  const engine = new Engine({
    catalog: { nodes: [...catalog.nodes, batchSink], connections: catalog.connections },
    loadRuntime: (t) => (t === 'bench-batch-sink' ? Promise.resolve(createBatchSink) : loadNodeRuntime(t)),
  });
  let edge: Edge | undefined;
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
    edge = await startEdge(group, count);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const total = (count + 1) * METRICS; // DDATA and DBIRTH metrics (bdSeq is a control metric: not emitted)
    const acked = () => engine.counters().in.acked ?? 0;
    await Promise.all([edge.go(() => acked() / METRICS - 1), waitFor(acked, total, 'sparkplug-in')]);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return { rate: (count / ms) * 1000, cpuUsPerMsg: (cpu.user + cpu.system) / count };
  } finally {
    edge?.stop();
    await engine.stop();
  }
}

/** One record per metric, what the host hands on: the same facts sparkplug-in's messages carry at least. */
interface RawRecord {
  name: string;
  type: string;
  value: unknown;
  timestamp: number;
}

const toNumber = (v: Long | undefined): number | undefined =>
  v === undefined ? undefined : typeof v === 'number' ? v : v.toNumber();

/** A metric's value by its birth datatype, as a hand-written host reads it (64-bit integers as numbers). */
function rawValue(m: WireData['metrics'][number], dt: number): unknown {
  switch (dt) {
    case DT.Int8:
    case DT.Int16:
    case DT.Int32:
    case DT.UInt8:
    case DT.UInt16:
    case DT.UInt32:
      return m.intValue;
    case DT.Int64:
    case DT.UInt64:
    case DT.DateTime:
      return toNumber(m.longValue);
    case DT.Float:
      return m.floatValue;
    case DT.Double:
      return m.doubleValue;
    case DT.Boolean:
      return m.booleanValue;
    case DT.String:
    case DT.Text:
    case DT.UUID:
      return m.stringValue;
    default:
      return null;
  }
}

/**
 * The raw client: what a hand-written host must do for the same output. mqtt.js subscribes with QoS 1; each message
 * is decoded with protobufjs; a DBIRTH's metrics give each alias its name and datatype; every metric becomes a
 * record (name, datatype, value, timestamp) handed to a sink that takes batches every 5 ms, like the Sluice side's;
 * mqtt.js sends the PUBACK once the 'message' handler returned, so after the records were handed off. (Less than
 * Sluice does: no ack after the sink took the batch, no seq check, no per-metric quality or headers.)
 */
async function rawOnce(count: number): Promise<Measured> {
  const group = `bench-${randomBytes(4).toString('hex')}`;
  const sub = await mqtt.connectAsync(BROKER, { protocolVersion: 5, properties: { receiveMaximum: 1000 } });
  let edge: Edge | undefined;
  const births = new Map<string, Map<number, { name: string; datatype: number }>>();
  let batch: RawRecord[] = [];
  let timer: NodeJS.Timeout | undefined;
  let sunk = 0;
  const flush = () => {
    timer = undefined;
    sunk += batch.length;
    batch = [];
  };
  sub.on('message', (topic, payload) => {
    const parts = topic.split('/');
    const type = parts[2];
    const device = `${parts[1]}/${parts[3]}/${parts[4] ?? ''}`;
    const p = PayloadType.decode(payload) as unknown as WireData;
    const at = toNumber(p.timestamp) ?? Date.now();
    let aliases = births.get(device);
    if (type === 'DBIRTH' || type === 'NBIRTH') {
      aliases = new Map();
      births.set(device, aliases);
    }
    if (!aliases) return;
    for (const m of p.metrics) {
      let known: { name: string; datatype: number } | undefined;
      if (type === 'DBIRTH' || type === 'NBIRTH') {
        if (m.name === undefined || m.name === 'bdSeq') continue;
        known = { name: m.name, datatype: m.datatype ?? 0 };
        if (m.alias !== undefined) aliases.set(toNumber(m.alias) as number, known);
      } else if (m.alias !== undefined) known = aliases.get(toNumber(m.alias) as number);
      if (!known) continue;
      const dt = Object.hasOwn(m, 'datatype') ? (m.datatype as number) : known.datatype;
      batch.push({
        name: known.name,
        type: DATATYPES[dt] ?? 'Unknown',
        value: rawValue(m, dt),
        timestamp: toNumber(m.timestamp) ?? at,
      });
    }
    timer ??= setTimeout(flush, 5);
  });
  try {
    await sub.subscribeAsync(`spBv1.0/${group}/#`, { qos: 1 });
    edge = await startEdge(group, count);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const total = (count + 1) * METRICS;
    await Promise.all([edge.go(() => sunk / METRICS - 1), waitFor(() => sunk, total, 'raw host')]);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (sunk !== total) throw new Error(`raw host handed on ${sunk} records, not ${total}`);
    return { rate: (count / ms) * 1000, cpuUsPerMsg: (cpu.user + cpu.system) / count };
  } finally {
    edge?.stop();
    clearTimeout(timer);
    await sub.endAsync();
  }
}

const range = (xs: number[], digits = 0) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;

export async function run(): Promise<BenchResult[]> {
  // SLUICE_BENCH_SPARKPLUG_E2E_ONLY=1 skips the codec figures (e.g. to profile the end-to-end part alone).
  const results = process.env.SLUICE_BENCH_SPARKPLUG_E2E_ONLY ? [] : codecFigures();
  const count = Number(process.env.SLUICE_BENCH_SPARKPLUG_COUNT ?? 20_000);
  const runs = Number(process.env.SLUICE_BENCH_SPARKPLUG_RUNS ?? 5);
  const raw: Measured[] = [];
  const sp: Measured[] = [];
  const loads: number[] = [];
  try {
    // Warm-up of each, then the two alternate run by run: a busy machine slows both alike.
    if (process.env.SLUICE_BENCH_SPARKPLUG_PROFILE === 'sluice') {
      // Only sparkplug-in, e.g. under --cpu-prof: the profile is then its alone. SLUICE_BENCH_ALLOC_PROFILE=<dir>:
      // what the runs after the first allocated (collected or not), as a .heapprofile for Chrome's DevTools.
      await sparkplugInOnce(count);
      const dir = process.env.SLUICE_BENCH_ALLOC_PROFILE;
      const session = dir ? new Session() : undefined;
      session?.connect();
      await session?.post('HeapProfiler.startSampling', {
        samplingInterval: 16384,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
      for (let i = 0; i < runs; i++) sp.push(await sparkplugInOnce(count));
      if (session && dir) {
        const { profile } = await session.post('HeapProfiler.stopSampling');
        writeFileSync(join(dir, `alloc-sparkplug-in-${process.pid}.heapprofile`), JSON.stringify(profile));
      }
      results.push({ name: 'sparkplug-in alone', value: median(sp.map((x) => x.cpuUsPerMsg)), unit: 'us/msg' });
      return results;
    }
    await rawOnce(count);
    await sparkplugInOnce(count);
    for (let i = 0; i < runs; i++) {
      loads.push(loadavg()[0]);
      raw.push(await rawOnce(count));
      sp.push(await sparkplugInOnce(count));
    }
    loads.push(loadavg()[0]);
  } catch (err) {
    results.push({ name: `end to end skipped: ${(err as Error).message}`, value: 0, unit: '' });
    return results;
  }
  const cpuRatios = sp.map((s, i) => raw[i].cpuUsPerMsg / s.cpuUsPerMsg);
  const rateRatios = sp.map((s, i) => s.rate / raw[i].rate);
  const med = (xs: Measured[], k: keyof Measured) => median(xs.map((x) => x[k]));
  const note = `median of ${runs} interleaved runs x ${count.toLocaleString('en-US')} DDATA of ${METRICS} metrics, edge node in its own process; load average ${range(loads, 1)}`;
  results.push(
    { name: 'raw host: mqtt.js QoS 1 + protobufjs + records', value: med(raw, 'rate'), unit: 'MQTT msg/s', note },
    {
      name: '  CPU per MQTT message (host only)',
      value: med(raw, 'cpuUsPerMsg'),
      unit: 'us/msg',
      note: `runs ${range(
        raw.map((r) => r.cpuUsPerMsg),
        1,
      )}`,
    },
    {
      name: 'sparkplug-in QoS 1 (1 message per metric) -> 5 ms batch sink',
      value: med(sp, 'rate'),
      unit: 'MQTT msg/s',
      note: `${Math.round(median(rateRatios) * 100)}% of raw (runs ${range(rateRatios.map((r) => r * 100))}%); ${Math.round(med(sp, 'rate') * METRICS).toLocaleString('en-US')} metric msg/s`,
    },
    {
      name: '  CPU per MQTT message (host only)',
      value: med(sp, 'cpuUsPerMsg'),
      unit: 'us/msg',
      note: `runs ${range(
        sp.map((r) => r.cpuUsPerMsg),
        1,
      )}; raw/sluice CPU ${Math.round(median(cpuRatios) * 100)}% (runs ${range(cpuRatios.map((r) => r * 100))}%)`,
    },
  );
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  printResults('sparkplug', await run());
  process.exit(0);
}
