/**
 * End to end, everything on this machine: an MQTT 5 QoS 1 publisher -> Mosquitto (127.0.0.1:1883) -> Sluice
 * (mqtt-in codec json -> transform (JSONata mapping) -> filter -> a sink) -> the sink's service, read back there
 * by a plain client. Delivery guarantees on: mqtt-in withholds each PUBACK until the sink confirmed the message
 * (kafka-out: the broker's ack of the batch, acks all; amqp-out: publisher confirm of a persistent, mandatory
 * message routed to a durable queue; postgres-out: commit of the upsert; mqtt-out: the broker's PUBACK).
 *
 * Sluice runs in a process of its own (bench/support/flow-process.mjs): plain `node` on the compiled runtime, as
 * `sluice run` runs, so its CPU and resident memory are measured alone. The raw pipes run the same way.
 *
 * For each sink (Kafka: KAFKA_BROKERS or librdkafka's mock cluster; AMQP on 127.0.0.1:5672; PostgreSQL on
 * 127.0.0.1:5432 db `test`; MQTT back into Mosquitto):
 *  - flat out: COUNT messages published as fast as Mosquitto takes them, on credit (at most CREDIT ahead of what
 *    Sluice has settled: beyond Mosquitto's receive window + max_queued_messages (1000) the broker would drop QoS 1
 *    messages for the subscriber). Throughput is counted at the sink's service, first to last message there;
 *    CPU per message is the Sluice process's (`process.cpuUsage`) over the run divided by the messages: the
 *    publisher, the sink-side reader and the bench itself run in other processes and are not counted; the Sluice
 *    process's report of its settled count every 5 ms is (a few microseconds each).
 *    Resident memory is the largest `process.memoryUsage.rss()` of the Sluice process, sampled every 10 ms.
 *  - paced at LATENCY_RATE msg/s in: p50/p99 from the publish (timestamp in the payload) to the plain client at the
 *    sink's service receiving the message (AMQP: a consumer on the bound queue; MQTT: a subscriber on the output
 *    topics; PostgreSQL: LISTEN on a NOTIFY sent by a row trigger, delivered at commit), first LATENCY_SKIP_S s
 *    dropped (connections, JIT).
 * Plus, interleaved run by run with Sluice's, the raw pipes: a plain mqtt.js QoS 1 subscriber (PUBACK on receipt)
 * feeding a plain kafkajs producer (batches of 500 or 5 ms, acks all) or a plain mqtt.js QoS 1 publisher, no
 * processing and no delivery guarantee, measured the same way.
 *
 * Every run uses its own topics, exchange, queue and table, removed afterwards. A sink whose service is not reachable
 * is skipped with a line saying so.
 *
 *   npm run build && node --import tsx bench/scenarios/e2e.ts     (`npm run bench` builds first)
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { connect as amqpConnect } from 'amqplib';
import mqtt from 'mqtt';
import pg from 'pg';
import { type KafkaTestCluster, startKafkaMock } from '../../test/support/kafka-mock/index.js';
import { now, sleep } from '../support/clock.js';
import { type MeasuredPipe, startPipe } from '../support/flow-process.js';
import { type LoadPublisher, type LoadReader, startPublisher, startReader } from '../support/load.js';
import { reachableUrl } from '../support/services.js';
import { type LatencySummary, summarize } from '../support/stats.js';
import { type BenchResult, median, printResults } from '../types.js';

const MQTT_URL = process.env.SLUICE_BENCH_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const AMQP_URL = process.env.SLUICE_BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const PG_URL = process.env.SLUICE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Which sinks to measure: a comma list of kafka, mqtt, amqp, postgres (default all). */
const SINKS = (process.env.SLUICE_BENCH_E2E_SINKS ?? 'kafka,mqtt,amqp,postgres').split(',').map((s) => s.trim());

const RUNS = 3;
const COUNT = 60_000;
const WARMUP_COUNT = 20_000;
/** Flat out: the publisher stays at most this many messages ahead of what the pipe has settled. */
const CREDIT = 1_000;
/** A flat-out run ends when nothing settled for this long (messages dropped), or after RUN_LIMIT_MS. */
const STALL_MS = 3_000;
const RUN_LIMIT_MS = 60_000;
const LATENCY_RATE = 5_000;
const LATENCY_SECONDS = 4;
const LATENCY_SKIP_S = 0.5;
const KAFKA_PARTITIONS = 4;

const MAPPING = '{"device": $split(topic, "/")[1], "tempF": payload.temp * 1.8 + 32, "ts": payload.ts}';
const CONDITION = 'payload.tempF > -1000';

const hex = (n = 4) => randomBytes(n).toString('hex');
const fmt = (n: number) => n.toLocaleString('en-US');

// ---- measuring -----------------------------------------------------------------------------------------

interface Throughput {
  /** Messages per second at the sink's service, first to last arrival. */
  rate: number;
  /** Messages per second from the publish command to the last message settled in Sluice (a cross-check). */
  wallRate: number;
  cpuUsPerMsg: number;
  /** Main-thread GC pauses per message. */
  gcUsPerMsg: number;
  maxRssMb: number;
  rssAtStartMb: number;
  /** V8 heap (committed) and memory outside it (buffers) when the RSS was largest. */
  heapTotalMb: number;
  externalMb: number;
  /** Published but not read back at the sink (dropped by the broker, or still missing after the wait). */
  missing: number;
}

interface ReadBack {
  count: number;
  firstAt: number;
  lastAt: number;
}

interface Paced extends LatencySummary {
  received: number;
  cpuUsPerMsg: number;
  /** In the pipe's process: event loop delay p99 and the longest GC pause. */
  loopDelayP99Ms: number;
  gcMaxMs: number;
}

/** Counts at the sink's service what arrived since `reset`. */
interface SinkReadBack {
  reset(): Promise<void>;
  read(want: number): Promise<ReadBack>;
}

/**
 * Flat out: COUNT messages on credit. `flow.settled()` counts what the pipe finished (cumulative), `back` counts at
 * the sink's service what arrived.
 */
async function flatOut(pub: LoadPublisher, flow: RunningFlow, back: SinkReadBack, count = COUNT): Promise<Throughput> {
  const { root, settled } = flow;
  await back.reset();
  const base = settled();
  flow.pipe.measure();
  const started = performance.now();
  const { run, done } = pub.publish(root, count);
  pub.grant(run, CREDIT);
  let granted = CREDIT;
  let last = { n: 0, at: started };
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const n = settled() - base;
      const t = performance.now();
      if (n !== last.n) last = { n, at: t };
      if (n + CREDIT - granted >= 50) {
        granted = n + CREDIT;
        pub.grant(run, granted);
      }
      if (n >= count || t - last.at > STALL_MS || t - started > RUN_LIMIT_MS) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  const use = await flow.pipe.measured();
  const wallMs = last.at - started;
  pub.grant(run, count); // after a stall: let the publisher finish
  await done;
  const got = await back.read(count);
  return {
    rate: got.count > 1 ? ((got.count - 1) / (got.lastAt - got.firstAt)) * 1000 : 0,
    wallRate: (last.n / wallMs) * 1000,
    cpuUsPerMsg: use.cpuUs / Math.max(1, last.n),
    gcUsPerMsg: (use.gcMs * 1000) / Math.max(1, last.n),
    maxRssMb: use.maxRss / 2 ** 20,
    rssAtStartMb: use.rssAtStart / 2 ** 20,
    heapTotalMb: use.atMaxRss.heapTotal / 2 ** 20,
    externalMb: use.atMaxRss.external / 2 ** 20,
    missing: count - got.count,
  };
}

/** LATENCY_RATE msg/s for LATENCY_SECONDS, read back by `reader` with each message's publish-to-arrival time. */
async function paced(pub: LoadPublisher, flow: RunningFlow, reader: LoadReader): Promise<Paced> {
  const count = LATENCY_RATE * LATENCY_SECONDS;
  await reader.reset();
  flow.pipe.measure();
  await pub.publish(flow.root, count, { rate: LATENCY_RATE }).done;
  const report = await reader.report(count, { waitMs: 5_000, latencies: true });
  const use = await flow.pipe.measured();
  return {
    ...summarize(report.latencies.slice(LATENCY_RATE * LATENCY_SKIP_S)),
    received: report.count,
    cpuUsPerMsg: use.cpuUs / Math.max(1, report.count),
    loopDelayP99Ms: use.loopDelayP99Ms,
    gcMaxMs: use.gcMaxMs,
  };
}

const readerBack = (reader: LoadReader): SinkReadBack => ({
  reset: () => reader.reset(),
  async read(want) {
    const r = await reader.report(want, { waitMs: STALL_MS });
    return { count: r.count, firstAt: r.firstAt, lastAt: r.lastAt };
  },
});

// ---- Sluice --------------------------------------------------------------------------------------------

interface FlowConnection {
  id: string;
  kind: string;
  config: Record<string, unknown>;
}

export interface SinkSpec {
  connections: FlowConnection[];
  type: string;
  config: Record<string, unknown>;
}

/** mqtt-in (QoS 1, json) -> transform -> filter -> the sink, on `<root>/#` (the many-flows scenario runs it too). */
export function sluiceFlow(root: string, clientId: string, sink: SinkSpec) {
  return {
    format: 'sluice/flow@1',
    id: `bench-e2e-${hex(3)}`,
    settings: { maxInFlight: 1000 },
    connections: [
      // A short session expiry: the persistent session of a run should not outlive it on the broker.
      { id: 'broker', kind: 'mqtt', config: { url: MQTT_URL, protocolVersion: '5', sessionExpirySeconds: 30 } },
      ...sink.connections,
    ],
    nodes: [
      {
        id: 'in',
        type: 'mqtt-in',
        config: { connection: 'broker', topics: [`${root}/#`], qos: 1, codec: 'json', clientId, window: 1000 },
      },
      { id: 'map', type: 'transform', config: { expression: MAPPING } },
      { id: 'keep', type: 'filter', config: { condition: CONDITION } },
      { id: 'out', type: sink.type, config: sink.config },
    ],
    edges: [
      { source: 'in', sourcePort: 'out', target: 'map', targetPort: 'in' },
      { source: 'map', sourcePort: 'out', target: 'keep', targetPort: 'in' },
      { source: 'keep', sourcePort: 'out', target: 'out', targetPort: 'in' },
    ],
  };
}

interface RunningFlow {
  root: string;
  pipe: MeasuredPipe;
  settled: () => number;
  stop(): Promise<void>;
}

async function startSluice(sink: SinkSpec): Promise<RunningFlow> {
  const root = `sluice-e2e-${hex()}`;
  const clientId = `sluice-e2e-${hex()}`;
  const pipe = await startPipe({ kind: 'flow', flow: sluiceFlow(root, clientId, sink) });
  return {
    root,
    pipe,
    settled: () => pipe.settled(),
    async stop() {
      await pipe.stop();
      // Remove the persistent session mqtt-in left on the broker.
      const c = await mqtt.connectAsync(MQTT_URL, {
        clientId,
        clean: true,
        protocolVersion: 5,
        reconnectPeriod: 0,
        properties: { sessionExpiryInterval: 0 },
      });
      await c.endAsync();
    },
  };
}

// ---- the raw pipes -------------------------------------------------------------------------------------

/** A plain mqtt.js subscriber (PUBACK on receipt) feeding a plain mqtt.js or kafkajs producer: no processing. */
async function startRawPipe(
  to: { kind: 'raw-mqtt'; outTopic: string } | { kind: 'raw-kafka'; brokers: string[]; topic: string },
): Promise<RunningFlow> {
  const root = `sluice-e2e-raw-${hex()}`;
  const where = { url: MQTT_URL, root };
  const pipe = await startPipe(to.kind === 'raw-mqtt' ? { ...to, ...where } : { ...to, ...where });
  return { root, pipe, settled: () => pipe.settled(), stop: () => pipe.stop() };
}

// ---- the sinks -----------------------------------------------------------------------------------------

interface SinkFigures {
  flat: Throughput[];
  lat: Paced[];
  /** The raw pipe to the same service, measured interleaved with Sluice's runs. */
  raw?: { label: string; flat: Throughput[]; lat: Paced[] };
}

interface SinkCase {
  key: string;
  label: string;
  detail: string;
  /** Why the sink cannot run here, or undefined. */
  unavailable(): Promise<string | undefined>;
  measure(pub: LoadPublisher): Promise<SinkFigures>;
}

/** Warm-up, RUNS flat-out runs, RUNS paced runs on one running flow. */
async function measureFlow(
  pub: LoadPublisher,
  flow: RunningFlow,
  back: SinkReadBack,
  latencyReader: () => Promise<LoadReader>,
): Promise<SinkFigures> {
  await flatOut(pub, flow, back, WARMUP_COUNT);
  const flat: Throughput[] = [];
  for (let i = 0; i < RUNS; i++) flat.push(await flatOut(pub, flow, back));
  const reader = await latencyReader();
  const lat: Paced[] = [];
  for (let i = 0; i < RUNS; i++) lat.push(await paced(pub, flow, reader));
  return { flat, lat };
}

/** Like measureFlow, with the raw pipe's runs interleaved (same broker, same reader, same conditions). */
async function measureAgainstRaw(
  pub: LoadPublisher,
  raw: RunningFlow,
  flow: RunningFlow,
  reader: LoadReader,
): Promise<{ ours: SinkFigures; raw: SinkFigures }> {
  const back = readerBack(reader);
  const run = (f: RunningFlow, count = COUNT) => flatOut(pub, f, back, count);
  await run(raw, WARMUP_COUNT);
  await run(flow, WARMUP_COUNT);
  const rawFigures: SinkFigures = { flat: [], lat: [] };
  const ours: SinkFigures = { flat: [], lat: [] };
  for (let i = 0; i < RUNS; i++) {
    rawFigures.flat.push(await run(raw));
    ours.flat.push(await run(flow));
  }
  for (let i = 0; i < RUNS; i++) {
    rawFigures.lat.push(await paced(pub, raw, reader));
    ours.lat.push(await paced(pub, flow, reader));
  }
  return { ours, raw: rawFigures };
}

const amqpSink: SinkCase = {
  key: 'amqp',
  label: 'AMQP',
  detail: 'amqp-out: confirms, persistent, mandatory, durable queue',
  async unavailable() {
    return (await reachableUrl(AMQP_URL, 5672)) ? undefined : `RabbitMQ not reachable at ${AMQP_URL}`;
  },
  async measure(pub) {
    const exchange = `sluice-e2e.${hex()}`;
    const queue = `${exchange}.q`;
    const admin = await amqpConnect(AMQP_URL);
    const ch = await admin.createChannel();
    let reader: LoadReader | undefined;
    let flow: RunningFlow | undefined;
    try {
      await ch.assertExchange(exchange, 'topic', { durable: true });
      await ch.assertQueue(queue, { durable: true });
      await ch.bindQueue(queue, exchange, 'readings.#');
      reader = await startReader({ kind: 'amqp', url: AMQP_URL, queue });
      const r = reader;
      flow = await startSluice({
        // The password of user guest defaults to guest.
        connections: [{ id: 'rabbit', kind: 'amqp', config: { url: AMQP_URL.replace(/\/\/[^@]*@/, '//') } }],
        type: 'amqp-out',
        config: {
          connection: 'rabbit',
          exchange,
          exchangeMode: 'declare',
          exchangeType: 'topic',
          exchangeDurable: true,
          routingKey: 'readings.{{payload.device}}',
          persistent: true,
          mandatory: true,
        },
      });
      return await measureFlow(pub, flow, readerBack(r), async () => r);
    } finally {
      await flow?.stop();
      await reader?.close();
      await ch.deleteQueue(queue).catch(() => undefined);
      await ch.deleteExchange(exchange).catch(() => undefined);
      await admin.close();
    }
  },
};

const pgSink: SinkCase = {
  key: 'postgres',
  label: 'PostgreSQL',
  detail: 'postgres-out: upsert on msg id, batches of 500, linger 5 ms',
  async unavailable() {
    if (!(await reachableUrl(PG_URL, 5432))) return `PostgreSQL not reachable at ${PG_URL}`;
    const c = new pg.Client({ connectionString: PG_URL });
    try {
      await c.connect();
      await c.query('SELECT 1');
      return undefined;
    } catch (err) {
      return `PostgreSQL at ${PG_URL}: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      await c.end().catch(() => undefined);
    }
  },
  async measure(pub) {
    const id = hex();
    const table = `sluice_e2e_${id}`;
    const channel = `sluice_e2e_${id}`;
    const notify = `sluice_e2e_notify_${id}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    let flow: RunningFlow | undefined;
    let reader: LoadReader | undefined;
    const u = new URL(PG_URL);
    try {
      // The table Sluice would create (createTable), plus `written_at`: when the row was inserted.
      await admin.query(
        `CREATE TABLE ${table} (msg_id text PRIMARY KEY, device text, temp_f double precision, ts double precision, written_at timestamptz NOT NULL DEFAULT clock_timestamp())`,
      );
      flow = await startSluice({
        connections: [
          {
            id: 'pg',
            kind: 'postgres',
            config: {
              host: u.hostname,
              port: Number(u.port || 5432),
              user: decodeURIComponent(u.username || 'postgres'),
              database: u.pathname.slice(1) || 'postgres',
            },
          },
        ],
        type: 'postgres-out',
        config: {
          connection: 'pg',
          table,
          columns: { msg_id: 'id', device: 'payload.device', temp_f: 'payload.tempF', ts: 'payload.ts' },
          types: { msg_id: 'text', device: 'text', temp_f: 'double', ts: 'double' },
          key: ['msg_id'],
          createTable: false,
          batchSize: 500,
          lingerMs: 5,
        },
      });
      // Flat out: rows counted after the run; first and last by insert time (the commit follows in the same batch).
      const back: SinkReadBack = {
        reset: async () => {
          await admin.query(`TRUNCATE ${table}`);
        },
        async read(want) {
          const until = performance.now() + STALL_MS;
          for (;;) {
            const { rows } = await admin.query<{ n: string; first: string; last: string }>(
              `SELECT count(*) AS n, extract(epoch FROM min(written_at)) * 1000 AS first, extract(epoch FROM max(written_at)) * 1000 AS last FROM ${table}`,
            );
            const got = { count: Number(rows[0].n), firstAt: Number(rows[0].first), lastAt: Number(rows[0].last) };
            if (got.count >= want || performance.now() > until) return got;
            await sleep(50);
          }
        },
      };
      const latencyReader = async () => {
        // Latency runs only: a NOTIFY per row, delivered to the listener when the batch commits.
        await admin.query(
          `CREATE FUNCTION ${notify}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('${channel}', NEW.ts::text); RETURN NULL; END $$`,
        );
        await admin.query(
          `CREATE TRIGGER ${notify} AFTER INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION ${notify}()`,
        );
        reader = await startReader({ kind: 'pg', connectionString: PG_URL, channel });
        return reader;
      };
      return await measureFlow(pub, flow, back, latencyReader);
    } finally {
      await flow?.stop();
      await reader?.close();
      await admin.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
      await admin.query(`DROP FUNCTION IF EXISTS ${notify}()`).catch(() => undefined);
      await admin.end();
    }
  },
};

const kafkaSink: SinkCase = {
  key: 'kafka',
  label: 'Kafka',
  detail: 'kafka-out: acks all, batches of 500, linger 5 ms',
  async unavailable() {
    return undefined; // KAFKA_BROKERS, or the mock cluster built here (its start says what is missing)
  },
  async measure(pub) {
    const cluster: KafkaTestCluster = await startKafkaMock();
    const topic = `sluice-e2e-${hex()}`;
    let reader: LoadReader | undefined;
    let raw: RunningFlow | undefined;
    let flow: RunningFlow | undefined;
    try {
      await cluster.createTopic(topic, KAFKA_PARTITIONS);
      const { brokers } = cluster;
      reader = await startReader({ kind: 'kafka', brokers, topic, groupId: `sluice-e2e-${hex()}` });
      raw = await startRawPipe({ kind: 'raw-kafka', brokers, topic });
      flow = await startSluice({
        connections: [{ id: 'kafka', kind: 'kafka', config: { brokers } }],
        type: 'kafka-out',
        // SLUICE_BENCH_KAFKA_OUT='{"batchesInFlight":4}' tries other kafka-out settings.
        config: {
          connection: 'kafka',
          topic,
          acks: 'all',
          batchSize: 500,
          lingerMs: 5,
          ...(JSON.parse(process.env.SLUICE_BENCH_KAFKA_OUT ?? '{}') as Record<string, unknown>),
        },
      });
      const m = await measureAgainstRaw(pub, raw, flow, reader);
      const kind = cluster.external ? 'Kafka at KAFKA_BROKERS' : "librdkafka's mock cluster";
      return { ...m.ours, raw: { label: `MQTT -> Kafka (mqtt.js sub -> kafkajs producer, ${kind})`, ...m.raw } };
    } finally {
      await flow?.stop();
      await raw?.stop();
      await reader?.close();
      await cluster.stop();
    }
  },
};

const mqttSink: SinkCase = {
  key: 'mqtt',
  label: 'MQTT',
  // MQTT 5 lets the broker cap unacknowledged publishes (Mosquitto: 20); mqtt-out keeps to it, the raw pipe does not.
  detail: "mqtt-out QoS 1, acked after PUBACK, at most the broker's Receive Maximum in flight",
  async unavailable() {
    return undefined; // the same Mosquitto as the source
  },
  async measure(pub) {
    const outRoot = `sluice-e2e-out-${hex()}`;
    const reader = await startReader({ kind: 'mqtt', url: MQTT_URL, topic: `${outRoot}/#` });
    let raw: RunningFlow | undefined;
    let flow: RunningFlow | undefined;
    try {
      raw = await startRawPipe({ kind: 'raw-mqtt', outTopic: `${outRoot}/raw` });
      flow = await startSluice({
        connections: [],
        type: 'mqtt-out',
        config: { connection: 'broker', topic: `${outRoot}/sluice/{{payload.device}}`, qos: 1 },
      });
      const m = await measureAgainstRaw(pub, raw, flow, reader);
      return {
        ...m.ours,
        raw: { label: 'MQTT -> MQTT (mqtt.js sub -> pub, QoS 1, no Receive Maximum)', ...m.raw },
      };
    } finally {
      await flow?.stop();
      await raw?.stop();
      await reader.close();
    }
  },
};

// ---- results -------------------------------------------------------------------------------------------

function flatNote(runs: Throughput[]): string {
  const missing = runs.reduce((s, r) => s + r.missing, 0);
  const wall = Math.round(median(runs.map((r) => r.wallRate)));
  return `median of ${runs.length} x ${fmt(COUNT)}, credit ${fmt(CREDIT)}, ${fmt(wall)}/s from the first publish${missing ? `; ${fmt(missing)} not read back` : ''}`;
}

const mb = (runs: Throughput[], key: 'rssAtStartMb' | 'heapTotalMb' | 'externalMb') =>
  Math.round(median(runs.map((r) => r[key])));

function sinkResults(label: string, detail: string, f: SinkFigures, rawRate?: number): BenchResult[] {
  const rate = median(f.flat.map((r) => r.rate));
  const out: BenchResult[] = [
    {
      name: `MQTT -> Sluice -> ${label}: flat out`,
      value: rate,
      unit: 'msg/s',
      note: `${detail}; ${flatNote(f.flat)}`,
    },
    {
      name: '    CPU per message (Sluice process)',
      value: median(f.flat.map((r) => r.cpuUsPerMsg)),
      unit: 'us/msg',
      note: `goal <= 30; publisher and reader in child processes, not counted; GC pauses ${median(f.flat.map((r) => r.gcUsPerMsg)).toFixed(1)} us of it`,
    },
    {
      name: '    resident memory at full load (max)',
      value: median(f.flat.map((r) => r.maxRssMb)),
      unit: 'MB',
      note: `goal <= 150; the Sluice process, ${mb(f.flat, 'rssAtStartMb')} MB before the run; at the peak V8 heap ${mb(f.flat, 'heapTotalMb')} MB, buffers ${mb(f.flat, 'externalMb')} MB`,
    },
  ];
  if (rawRate !== undefined) {
    out.push({ name: '    ratio to the raw pipe', value: (rate / rawRate) * 100, unit: '%', note: 'goal >= 85' });
  }
  out.push(...latencyResults(f.lat));
  return out;
}

function latencyResults(lat: Paced[]): BenchResult[] {
  const received = lat.reduce((s, r) => s + r.received, 0);
  const sent = lat.length * LATENCY_RATE * LATENCY_SECONDS;
  return [
    {
      name: `    latency p50 at ${fmt(LATENCY_RATE)} msg/s in`,
      value: median(lat.map((r) => r.p50)),
      unit: 'ms',
      note: `publish -> plain client at the service; median of ${lat.length} x ${LATENCY_SECONDS} s${received < sent ? `; ${fmt(sent - received)} of ${fmt(sent)} never arrived (Mosquitto drops beyond max_queued_messages 1000 when a subscriber stalls)` : ''}`,
    },
    {
      name: `    latency p99 at ${fmt(LATENCY_RATE)} msg/s in`,
      value: median(lat.map((r) => r.p99)),
      unit: 'ms',
      note: `goal <= 20; worst run ${Math.max(...lat.map((r) => r.p99)).toFixed(1)} ms, max ${Math.max(...lat.map((r) => r.max)).toFixed(1)} ms; in the pipe's process: event loop delay p99 ${median(lat.map((r) => r.loopDelayP99Ms)).toFixed(1)} ms, longest GC pause ${Math.max(...lat.map((r) => r.gcMaxMs)).toFixed(1)} ms`,
    },
    {
      name: `    CPU per message at ${fmt(LATENCY_RATE)} msg/s`,
      value: median(lat.map((r) => r.cpuUsPerMsg)),
      unit: 'us/msg',
    },
  ];
}

function rawResults(raw: NonNullable<SinkFigures['raw']>): BenchResult[] {
  return [
    {
      name: `raw pipe ${raw.label}`,
      value: median(raw.flat.map((r) => r.rate)),
      unit: 'msg/s',
      note: `PUBACK on receipt, no processing; ${flatNote(raw.flat)}`,
    },
    {
      name: '    CPU per message (pipe process)',
      value: median(raw.flat.map((r) => r.cpuUsPerMsg)),
      unit: 'us/msg',
      note: `GC pauses ${median(raw.flat.map((r) => r.gcUsPerMsg)).toFixed(1)} us of it`,
    },
    {
      name: '    resident memory at full load (max)',
      value: median(raw.flat.map((r) => r.maxRssMb)),
      unit: 'MB',
      note: `V8 heap ${mb(raw.flat, 'heapTotalMb')} MB, buffers ${mb(raw.flat, 'externalMb')} MB`,
    },
    ...latencyResults(raw.lat),
  ];
}

function skipped(label: string, why: string): BenchResult {
  return { name: `MQTT -> Sluice -> ${label}: skipped`, value: 0, unit: '-', note: why };
}

export async function run(): Promise<BenchResult[]> {
  if (!(await reachableUrl(MQTT_URL, 1883))) throw new Error(`Mosquitto not reachable at ${MQTT_URL}`);
  const load0 = loadavg()[0];
  const pub = await startPublisher(MQTT_URL);
  const results: BenchResult[] = [];
  try {
    for (const sink of [kafkaSink, mqttSink, amqpSink, pgSink]) {
      const why = SINKS.includes(sink.key) ? await sink.unavailable() : 'not in SLUICE_BENCH_E2E_SINKS';
      if (why) {
        results.push(skipped(sink.label, why));
        continue;
      }
      try {
        const f = await sink.measure(pub);
        const rawRate = f.raw ? median(f.raw.flat.map((r) => r.rate)) : undefined;
        if (f.raw) results.push(...rawResults(f.raw));
        results.push(...sinkResults(sink.label, sink.detail, f, rawRate));
      } catch (err) {
        results.push(skipped(sink.label, `failed: ${err instanceof Error ? err.message : String(err)}`));
      }
    }
  } finally {
    await pub.close();
  }
  results.push({
    name: 'machine load (1-min load average, start / end)',
    value: loadavg()[0],
    unit: '',
    note: `${load0.toFixed(1)} at the start; ${availableParallelism()} cores shared with the brokers and the load processes`,
  });
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = now();
  printResults('e2e', await run());
  console.log(`\n  (${((now() - t0) / 1000).toFixed(0)} s)`);
  process.exit(0);
}
