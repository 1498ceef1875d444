/**
 * AMQP throughput against the RabbitMQ on 127.0.0.1:5672 (guest/guest), broker and flow on the same machine:
 *  - generate -> amqp-out with publisher confirms (each message acked upstream only once the broker confirmed it),
 *    persistent messages into a durable queue, and transient ones into a non-durable queue;
 *  - amqp-in -> a sink that acks at once (each delivery acked to the broker after it settles), from a full queue.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { connect } from 'amqplib';
import { benchEngine } from '../support/ack-sink.js';
import { type BenchResult, median, printResults } from '../types.js';

const BROKER = process.env.SLUICE_BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const PUBLISH_COUNT = 50_000;
const CONSUME_COUNT = 100_000;
const RUNS = 3;

const connection = { id: 'rabbit', kind: 'amqp', config: { url: BROKER.replace(/\/\/[^@]*@/, '//') } };

function edge(source: string, target: string) {
  return { source, sourcePort: 'out', target, targetPort: 'in' };
}

async function admin() {
  const model = await connect(BROKER, { clientProperties: { connection_name: 'sluice bench admin' } });
  const ch = await model.createConfirmChannel();
  return { model, ch };
}

interface Measured {
  rate: number;
  cpuUsPerMsg: number;
}

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 2));
}

async function publishOnce(persistent: boolean): Promise<Measured> {
  const { model, ch } = await admin();
  const exchange = `sluice-bench.${randomBytes(4).toString('hex')}`;
  const queue = `${exchange}.q`;
  await ch.assertExchange(exchange, 'topic', { durable: persistent });
  await ch.assertQueue(queue, { durable: persistent });
  await ch.bindQueue(queue, exchange, '#');
  const engine = benchEngine();
  try {
    await engine.start({
      format: 'sluice/flow@1',
      settings: { maxInFlight: 1000 },
      connections: [connection],
      nodes: [
        {
          id: 'gen',
          type: 'generate',
          config: {
            intervalMs: 0,
            count: PUBLISH_COUNT,
            topic: 'bench',
            payload: '{"n": $seq, "device": "dev-" & ($seq % 10), "temp": 21.5}',
          },
        },
        {
          id: 'out',
          type: 'amqp-out',
          config: {
            connection: 'rabbit',
            exchange,
            exchangeType: 'topic',
            exchangeDurable: persistent,
            persistent,
            routingKey: 'bench.{{payload.device}}',
          },
        },
      ],
      edges: [edge('gen', 'out')],
    });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await until(() => (engine.counters().gen.acked ?? 0) + (engine.counters().gen.nacked ?? 0) >= PUBLISH_COUNT);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (engine.counters().gen.nacked) throw new Error(`${engine.counters().gen.nacked} publishes failed`);
    return { rate: (PUBLISH_COUNT / ms) * 1000, cpuUsPerMsg: (cpu.user + cpu.system) / PUBLISH_COUNT };
  } finally {
    await engine.stop();
    await ch.deleteQueue(queue).catch(() => undefined);
    await ch.deleteExchange(exchange).catch(() => undefined);
    await model.close();
  }
}

async function consumeOnce(prefetch: number): Promise<Measured> {
  const { model, ch } = await admin();
  const queue = `sluice-bench.${randomBytes(4).toString('hex')}.in`;
  await ch.assertQueue(queue, { durable: true });
  const body = Buffer.from(JSON.stringify({ device: 'dev-1', temp: 21.5, text: 'a typical small reading' }));
  for (let i = 0; i < CONSUME_COUNT; i++) {
    if (!ch.sendToQueue(queue, body, { persistent: true, messageId: `b${i}` }))
      await new Promise((r) => ch.once('drain', r));
  }
  await ch.waitForConfirms();
  const engine = benchEngine();
  try {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await engine.start({
      format: 'sluice/flow@1',
      settings: { maxInFlight: 1000 },
      connections: [connection],
      nodes: [
        { id: 'in', type: 'amqp-in', config: { connection: 'rabbit', queue, prefetch } },
        { id: 'sink', type: 'bench-sink', config: {} },
      ],
      edges: [edge('in', 'sink')],
    });
    await until(() => (engine.counters().in.acked ?? 0) >= CONSUME_COUNT);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return { rate: (CONSUME_COUNT / ms) * 1000, cpuUsPerMsg: (cpu.user + cpu.system) / CONSUME_COUNT };
  } finally {
    await engine.stop();
    await ch.deleteQueue(queue).catch(() => undefined);
    await model.close();
  }
}

async function measure(name: string, count: number, once: () => Promise<Measured>): Promise<BenchResult[]> {
  await once(); // warm-up: JIT, broker queue processes
  const runs: Measured[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await once());
  return [
    {
      name,
      value: median(runs.map((r) => r.rate)),
      unit: 'msg/s',
      note: `median of ${RUNS} x ${count.toLocaleString('en-US')}`,
    },
    { name: '  CPU of this process per message', value: median(runs.map((r) => r.cpuUsPerMsg)), unit: 'us/msg' },
  ];
}

export async function run(): Promise<BenchResult[]> {
  try {
    const { model } = await admin();
    await model.close();
  } catch (err) {
    throw new Error(
      `RabbitMQ not reachable at ${BROKER.replace(/\/\/[^@]*@/, '//')}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return [
    ...(await measure('generate -> amqp-out, confirms, persistent, durable queue', PUBLISH_COUNT, () =>
      publishOnce(true),
    )),
    ...(await measure('generate -> amqp-out, confirms, transient, non-durable queue', PUBLISH_COUNT, () =>
      publishOnce(false),
    )),
    ...(await measure('amqp-in (prefetch 100) -> ack sink, ack after settle', CONSUME_COUNT, () => consumeOnce(100))),
    ...(await measure('amqp-in (prefetch 1000) -> ack sink, ack after settle', CONSUME_COUNT, () => consumeOnce(1000))),
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printResults('amqp', await run());
