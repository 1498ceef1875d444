/**
 * A load process of the end-to-end benchmarks, so that its CPU is not counted as the flow's:
 *
 *   --publisher <mqtt url>   an MQTT 5 QoS 1 publisher (clean session) of small JSON readings
 *                            `{"id","seq","ts","temp","unit"}` on `<root>/dev-<n>/temperature`, either at a fixed
 *                            rate (open loop) or flat out on credit granted by the parent;
 *   --reader <spec json>     a plain client at the sink's service (MQTT, AMQP, PostgreSQL LISTEN, Kafka) that counts what arrives and records, per message,
 *                            arrival time minus the publish timestamp (`ts`) it carries.
 *
 * Started by bench/support/load.ts; talks to the parent over the IPC channel (bench/support/protocol.ts).
 */
import { fileURLToPath } from 'node:url';
import { connect as amqpConnect } from 'amqplib';
import { Kafka, logLevel } from 'kafkajs';
import mqtt from 'mqtt';
import pg from 'pg';
import { now, sleep } from './clock.js';
import type { FromPublisher, FromReader, ReaderSpec, ToPublisher, ToReader } from './protocol.js';

/** Publishes not yet acknowledged by the broker, at most (flat out). */
const MAX_OUTSTANDING = 500;

function send(m: FromPublisher | FromReader): void {
  process.send?.(m);
}

const cpuUs = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

// ---- publisher -----------------------------------------------------------------------------------------

async function publisher(url: string): Promise<void> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 5, clean: true, reconnectPeriod: 0 });
  /** The latest credit, for the run it was granted to (a grant may arrive before its run starts here). */
  let credit = { run: -1, allowed: 0 };
  let wake: (() => void) | undefined;
  const ping = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const queue: Array<Extract<ToPublisher, { op: 'publish' }>> = [];
  process.on('message', (m: ToPublisher) => {
    if (m.op === 'publish') {
      queue.push(m);
      ping();
    } else if (m.op === 'grant') {
      if (m.run !== credit.run || m.allowed > credit.allowed) {
        credit = { run: m.run, allowed: m.allowed };
        ping();
      }
    } else {
      void client.endAsync().finally(() => process.exit(0));
    }
  });
  send({ op: 'ready' });
  for (;;) {
    while (queue.length === 0) await new Promise<void>((r) => (wake = r));
    const job = queue.shift()!;
    const allowed = () => (credit.run === job.run ? credit.allowed : 0);
    const cpu0 = cpuUs();
    const t0 = now();
    let outstanding = 0;
    let firstAt = 0;
    const devices = job.devices ?? 10;
    for (let seq = 0; seq < job.count; seq++) {
      const rate = job.rate;
      while (rate ? seq > ((now() - t0) / 1000) * rate : seq >= allowed() || outstanding >= MAX_OUTSTANDING) {
        await new Promise<void>((r) => {
          wake = r;
          if (rate) setTimeout(ping, 1);
        });
      }
      const ts = now();
      if (seq === 0) firstAt = ts;
      const body = `{"id":"p${seq}","seq":${seq},"ts":${ts},"temp":${15 + (seq % 20)},"unit":"C"}`;
      outstanding++;
      client.publish(`${job.root}/dev-${seq % devices}/temperature`, body, { qos: 1 }, () => {
        outstanding--;
        if (!rate) ping();
      });
      // Let grants (IPC) and PUBACKs in.
      if (seq % 128 === 127) await new Promise((r) => setImmediate(r));
    }
    while (outstanding > 0) await sleep(2);
    send({ op: 'published', run: job.run, count: job.count, firstAt, lastAt: now(), cpuUs: cpuUs() - cpu0 });
  }
}

// ---- reader --------------------------------------------------------------------------------------------

interface Tally {
  count: number;
  firstAt: number;
  lastAt: number;
  latencies: number[];
}

async function reader(spec: ReaderSpec): Promise<void> {
  let tally: Tally = { count: 0, firstAt: 0, lastAt: 0, latencies: [] };
  const arrived = (ts: number) => {
    const t = now();
    if (tally.count === 0) tally.firstAt = t;
    tally.lastAt = t;
    tally.count++;
    tally.latencies.push(t - ts);
  };
  const tsOf = (body: string | Buffer): number => (JSON.parse(String(body)) as { ts: number }).ts;
  let close: () => Promise<void>;

  if (spec.kind === 'mqtt') {
    const client = await mqtt.connectAsync(spec.url, {
      protocolVersion: 5,
      clean: true,
      reconnectPeriod: 0,
      // Everything in flight to us at once: nothing waits in (or is dropped from) the broker's queue.
      properties: { receiveMaximum: 65535 },
    });
    client.on('message', (_topic, payload) => arrived(tsOf(payload)));
    await client.subscribeAsync(spec.topic, { qos: 1 });
    close = () => client.endAsync();
  } else if (spec.kind === 'amqp') {
    const conn = await amqpConnect(spec.url);
    const ch = await conn.createChannel();
    await ch.consume(spec.queue, (m) => m && arrived(tsOf(m.content)), { noAck: true });
    close = () => conn.close();
  } else if (spec.kind === 'kafka') {
    const consumer = new Kafka({
      clientId: 'bench-reader',
      brokers: spec.brokers,
      logLevel: logLevel.NOTHING,
    }).consumer(
      // librdkafka's mock cluster answers a fetch that finds nothing only after the full wait, even when records
      // arrive meanwhile: a short wait keeps that from adding to the measured latency.
      { groupId: spec.groupId, maxWaitTimeInMs: 2 },
    );
    await consumer.connect();
    await consumer.subscribe({ topics: [spec.topic], fromBeginning: true });
    const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) if (m.value) arrived(tsOf(m.value));
      },
    });
    await joined;
    close = () => consumer.disconnect();
  } else {
    const client = new pg.Client({ connectionString: spec.connectionString });
    await client.connect();
    client.on('notification', (n) => arrived(Number(n.payload)));
    await client.query(`LISTEN ${spec.channel}`);
    close = () => client.end();
  }

  process.on('message', async (m: ToReader) => {
    if (m.op === 'reset') {
      tally = { count: 0, firstAt: 0, lastAt: 0, latencies: [] };
      send({ op: 'reset', run: m.run });
    } else if (m.op === 'count') {
      send({ op: 'count', run: m.run, count: tally.count });
    } else if (m.op === 'report') {
      const until = performance.now() + m.waitMs;
      while (tally.count < m.want && performance.now() < until) await sleep(5);
      const { count, firstAt, lastAt, latencies } = tally;
      send({
        op: 'report',
        run: m.run,
        count,
        firstAt,
        lastAt,
        latencies: m.latencies ? latencies : [],
        cpuUs: cpuUs(),
      });
    } else {
      await close().catch(() => undefined);
      process.exit(0);
    }
  });
  send({ op: 'ready' });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [role, arg] = process.argv.slice(2);
  const main = role === '--publisher' ? publisher(arg) : reader(JSON.parse(arg) as ReaderSpec);
  main.catch((err: unknown) => {
    send({ op: 'failed', message: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  });
  process.on('disconnect', () => process.exit(0));
}
