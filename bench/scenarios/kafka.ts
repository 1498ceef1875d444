/**
 * MQTT -> Kafka, everything on this machine: Mosquitto on 127.0.0.1:1883, Kafka from KAFKA_BROKERS or else
 * librdkafka's mock cluster (in memory: it measures the clients, not a real broker's disk and replication).
 *
 *  (a) the raw pipe: a plain mqtt.js QoS 1 subscriber (PUBACK on receipt) feeding a plain kafkajs producer
 *      (batches of 500 or 5 ms, acks all), no processing and no delivery guarantee;
 *  (b) Sluice: mqtt-in (QoS 1, PUBACK only once Kafka acked) -> transform (mapping) -> filter -> kafka-out (acks all),
 *      at full speed (msg/s, CPU per message, resident memory) and at 5k msg/s in (p99 latency from the publish to
 *      a consumer reading the record back).
 * The publisher runs in a child process (this file with `--publisher`), so CPU figures are the pipe's own. At full
 * speed it publishes on credit: at most 1,000 ahead of what the pipe has delivered, which keeps Mosquitto from
 * dropping QoS 1 messages for a subscriber that falls behind (max_queued_messages 1000); should it drop some
 * anyway, a run ends when nothing arrived for 3 s and the figures count what was delivered.
 *
 *   node --import tsx bench/scenarios/kafka.ts
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect as connectSocket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import mqtt from 'mqtt';
import { catalog } from '../../nodes/catalog.js';
import { Engine } from '../../src/runtime/engine.js';
import { type KafkaTestCluster, startKafkaMock } from '../../test/support/kafka-mock/index.js';
import { type BenchResult, median, printResults } from '../types.js';

const MQTT_URL = process.env.SLUICE_BENCH_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const COUNT = 60_000;
const RUNS = 3;
const CREDIT = 1_000;
const STALL_MS = 3_000;
const LATENCY_RATE = 5_000;
const LATENCY_SECONDS = 8;
const PARTITIONS = 4;

const now = () => performance.timeOrigin + performance.now();

// ---- the publisher (child process) ------------------------------------------------------------

type ToPublisher = { start: { topic: string; count: number; rate?: number } } | { allowed: number };
type FromPublisher = { ready: true } | { done: true };

async function publisher(): Promise<void> {
  const client = await mqtt.connectAsync(MQTT_URL, { protocolVersion: 5, clean: true });
  let allowed = 0;
  let wake: (() => void) | undefined;
  const ping = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const started = new Promise<{ topic: string; count: number; rate?: number }>((resolve) => {
    process.on('message', (m: ToPublisher) => {
      if ('start' in m) resolve(m.start);
      else {
        allowed = m.allowed;
        ping();
      }
    });
  });
  process.send?.({ ready: true } satisfies FromPublisher);
  const { topic, count, rate } = await started;
  const t0 = now();
  let outstanding = 0;
  for (let seq = 0; seq < count; seq++) {
    // Open loop at `rate`, or on credit from the parent.
    while (rate ? seq > ((now() - t0) / 1000) * rate : seq >= allowed || outstanding >= 500) {
      await new Promise<void>((r) => {
        wake = r;
        if (rate) setTimeout(ping, 2);
      });
    }
    const body = JSON.stringify({ id: `p${seq}`, seq, ts: now(), temp: 15 + (seq % 20), unit: 'C' });
    outstanding++;
    client.publish(`${topic}/dev-${seq % 10}/temperature`, body, { qos: 1 }, () => {
      outstanding--;
      if (!rate) ping();
    });
    if (seq % 256 === 0) await new Promise((r) => setImmediate(r));
  }
  while (outstanding > 0) await new Promise<void>((r) => setTimeout(r, 5));
  await client.endAsync();
  process.send?.({ done: true } satisfies FromPublisher);
}

interface Publisher {
  child: ChildProcess;
  /** Starts publishing; resolves when every publish was acknowledged by Mosquitto. */
  publish(topic: string, count: number, rate?: number): Promise<void>;
  grant(allowed: number): void;
}

async function startPublisher(): Promise<Publisher> {
  const child = fork(fileURLToPath(import.meta.url), ['--publisher'], { execArgv: ['--import', 'tsx'] });
  // A grant racing the child's exit: nothing to do.
  child.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the publisher exited (${code})`)));
  });
  return {
    child,
    publish: (topic, count, rate) =>
      new Promise<void>((resolve) => {
        child.on('message', (m: FromPublisher) => {
          if ('done' in m) resolve();
        });
        child.send({ start: { topic, count, rate } } satisfies ToPublisher);
      }),
    grant: (allowed) => {
      // After its last publish the child exits: nothing more to grant.
      if (child.connected) child.send({ allowed } satisfies ToPublisher);
    },
  };
}

// ---- measuring ---------------------------------------------------------------------------------

interface Throughput {
  rate: number;
  cpuUsPerMsg: number;
  rssMb: number;
  /** Published but never delivered (dropped by the broker). */
  lost: number;
}

/** Publishes COUNT on credit while `delivered()` counts what the pipe finished; times first grant to last delivery. */
async function measure(topicRoot: string, delivered: () => number): Promise<Throughput> {
  const pub = await startPublisher();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let rss = 0;
  let last = { n: 0, at: t0 };
  const done = pub.publish(topicRoot, COUNT);
  pub.grant(CREDIT);
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const n = delivered();
      const t = performance.now();
      if (n !== last.n) last = { n, at: t };
      pub.grant(n + CREDIT);
      rss = Math.max(rss, process.memoryUsage.rss());
      if (n >= COUNT || t - last.at > STALL_MS) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  const ms = last.at - t0;
  const cpu = process.cpuUsage(cpu0);
  if (last.n < COUNT) pub.grant(COUNT);
  await done;
  pub.child.kill();
  return {
    rate: (last.n / ms) * 1000,
    // CPU of the stall wait is small next to the run's; counted per delivered message.
    cpuUsPerMsg: (cpu.user + cpu.system) / last.n,
    rssMb: rss / 1024 / 1024,
    lost: COUNT - last.n,
  };
}

// ---- (a) the raw pipe ---------------------------------------------------------------------------

async function rawPipe(brokers: string[], topic: string): Promise<Throughput> {
  const producer = new Kafka({ clientId: 'bench-raw', brokers, logLevel: logLevel.NOTHING }).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const root = `bench/raw-${randomBytes(4).toString('hex')}`;
  const sub = await mqtt.connectAsync(MQTT_URL, {
    protocolVersion: 5,
    clean: true,
    properties: { receiveMaximum: 1000 },
  });
  await sub.subscribeAsync(`${root}/#`, { qos: 1 });
  let delivered = 0;
  let batch: Array<{ value: Buffer }> = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const messages = batch;
    batch = [];
    void producer.send({ topic, acks: -1, messages }).then(() => {
      delivered += messages.length;
    });
  };
  sub.on('message', (_t, payload) => {
    batch.push({ value: payload });
    if (batch.length >= 500) flush();
    else timer ??= setTimeout(flush, 5);
  });
  try {
    return await measure(root, () => delivered);
  } finally {
    await sub.endAsync();
    await producer.disconnect();
  }
}

// ---- (b) Sluice ---------------------------------------------------------------------------------

function flow(brokers: string[], root: string, topic: string) {
  return {
    format: 'sluice/flow@1',
    id: `bench-kafka-${randomBytes(3).toString('hex')}`,
    settings: { maxInFlight: 1000 },
    connections: [
      // A short session expiry: the persistent sessions of these runs should not stay on the broker.
      { id: 'broker', kind: 'mqtt', config: { url: MQTT_URL, protocolVersion: '5', sessionExpiry: 30 } },
      { id: 'kafka', kind: 'kafka', config: { brokers } },
    ],
    nodes: [
      { id: 'in', type: 'mqtt-in', config: { connection: 'broker', topics: [`${root}/#`], qos: 1, codec: 'json' } },
      {
        id: 'map',
        type: 'transform',
        config: {
          expression:
            '{"id": payload.id, "device": $split(topic, "/")[2], "tempC": payload.temp, "tempF": payload.temp * 1.8 + 32, "ts": payload.ts}',
        },
      },
      { id: 'keep', type: 'filter', config: { condition: 'payload.tempC > -50' } },
      {
        id: 'out',
        type: 'kafka-out',
        config: { connection: 'kafka', topic, acks: 'all', batchSize: 500, lingerMs: 5 },
      },
    ],
    edges: [
      { source: 'in', sourcePort: 'out', target: 'map', targetPort: 'in' },
      { source: 'map', sourcePort: 'out', target: 'keep', targetPort: 'in' },
      { source: 'keep', sourcePort: 'out', target: 'out', targetPort: 'in' },
    ],
  };
}

async function withSluice<T>(brokers: string[], topic: string, body: (root: string, engine: Engine) => Promise<T>) {
  const root = `bench/sluice-${randomBytes(4).toString('hex')}`;
  const engine = new Engine({ catalog });
  await engine.start(flow(brokers, root, topic));
  try {
    return await body(root, engine);
  } finally {
    await engine.stop();
  }
}

function sluice(brokers: string[], topic: string): Promise<Throughput> {
  return withSluice(brokers, topic, (root, engine) => measure(root, () => engine.counters().in.acked ?? 0));
}

/** p50/p99 from the publish (timestamp in the payload) to a plain kafkajs consumer receiving the record. */
async function latency(brokers: string[], topic: string): Promise<{ p50: number; p99: number; count: number }> {
  const consumer = new Kafka({ clientId: 'bench-latency', brokers, logLevel: logLevel.NOTHING }).consumer({
    groupId: `bench-${randomBytes(4).toString('hex')}`,
    maxWaitTimeInMs: 20,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const samples: number[] = [];
  let joined!: () => void;
  const ready = new Promise<void>((r) => {
    joined = r;
  });
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const t = now();
      for (const m of batch.messages) samples.push(t - (JSON.parse(String(m.value)) as { ts: number }).ts);
    },
  });
  await ready;
  try {
    const count = LATENCY_RATE * LATENCY_SECONDS;
    await withSluice(brokers, topic, async (root, engine) => {
      const pub = await startPublisher();
      await pub.publish(root, count, LATENCY_RATE);
      pub.child.kill();
      await engine.whenIdle(10_000);
    });
    const until = Date.now() + 10_000;
    while (samples.length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    // The first second warms up the JIT and the connections.
    const steady = samples.slice(LATENCY_RATE).sort((a, b) => a - b);
    const at = (q: number) => steady[Math.min(steady.length - 1, Math.floor(q * steady.length))];
    return { p50: at(0.5), p99: at(0.99), count: samples.length };
  } finally {
    await consumer.disconnect();
  }
}

// ---- the scenario -------------------------------------------------------------------------------

function mosquittoUp(): Promise<boolean> {
  const url = new URL(MQTT_URL);
  return new Promise((resolve) => {
    const s = connectSocket({ host: url.hostname, port: Number(url.port || 1883) });
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
  if (!(await mosquittoUp())) throw new Error(`Mosquitto is not reachable at ${MQTT_URL}`);
  const cluster: KafkaTestCluster = await startKafkaMock();
  const kind = cluster.external ? 'Kafka at KAFKA_BROKERS' : 'librdkafka mock cluster';
  try {
    const topic = () => `bench-${randomBytes(5).toString('hex')}`;
    const fresh = async () => {
      const t = topic();
      await cluster.createTopic(t, PARTITIONS);
      return t;
    };
    // Warm-up of both pipes (JIT, connections), not counted.
    await rawPipe(cluster.brokers, await fresh());
    await sluice(cluster.brokers, await fresh());
    const raw: Throughput[] = [];
    const ours: Throughput[] = [];
    for (let i = 0; i < RUNS; i++) {
      raw.push(await rawPipe(cluster.brokers, await fresh()));
      ours.push(await sluice(cluster.brokers, await fresh()));
    }
    const lat = await latency(cluster.brokers, await fresh());
    const rawRate = median(raw.map((r) => r.rate));
    const ourRate = median(ours.map((r) => r.rate));
    const lost = [...raw, ...ours].reduce((sum, r) => sum + r.lost, 0);
    const note = `median of ${RUNS} x ${COUNT.toLocaleString('en-US')}, ${kind}${lost ? `; ${lost} dropped by the broker` : ''}`;
    return [
      { name: '(a) raw pipe: mqtt.js QoS 1 -> kafkajs producer', value: rawRate, unit: 'msg/s', note },
      { name: '    CPU per message', value: median(raw.map((r) => r.cpuUsPerMsg)), unit: 'us/msg' },
      { name: '(b) Sluice mqtt-in -> transform -> filter -> kafka-out', value: ourRate, unit: 'msg/s', note },
      { name: '    CPU per message', value: median(ours.map((r) => r.cpuUsPerMsg)), unit: 'us/msg' },
      { name: '    resident memory at full load (max)', value: median(ours.map((r) => r.rssMb)), unit: 'MB' },
      {
        name: '    ratio to the raw pipe',
        value: (ourRate / rawRate) * 100,
        unit: '%',
        note: 'goal >= 85%, with PUBACK only after the Kafka ack',
      },
      {
        name: `(b) latency p50 at ${LATENCY_RATE.toLocaleString('en-US')} msg/s in`,
        value: lat.p50,
        unit: 'ms',
        note: `publish -> consumer, ${lat.count.toLocaleString('en-US')} samples`,
      },
      { name: `(b) latency p99 at ${LATENCY_RATE.toLocaleString('en-US')} msg/s in`, value: lat.p99, unit: 'ms' },
    ];
  } finally {
    await cluster.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--publisher')) {
    await publisher();
    process.exit(0);
  }
  printResults('kafka', await run());
  process.exit(0);
}
