/**
 * NATS JetStream against the server on 127.0.0.1:4222, each next to the @nats-io client doing the same work by hand:
 *  - generate -> nats-out: JetStream publish with Nats-Msg-Id, each message acked upstream on its PubAck, up to the
 *    flow's in-flight limit (1000) at once. Raw: the same publishes, 1000 in flight, each awaited.
 *  - nats-in -> ack sink, from a full stream: a durable pull consumer, JSON decode, ack after settle. Raw: consume()
 *    on a durable with the same max_ack_pending, JSON.parse, ack.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { AckPolicy, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { benchEngine } from '../support/ack-sink.js';
import { type Measured, measured, until, versus } from '../support/versus.js';
import { type BenchResult, printResults } from '../types.js';

const URL = process.env.SLUICE_BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';
const PUBLISH_COUNT = 20_000;
const CONSUME_COUNT = 50_000;
const WINDOW = 1000;
/** SLUICE_BENCH_RUNS: more interleaved runs on a noisy machine. */
const RUNS = Number(process.env.SLUICE_BENCH_RUNS ?? 3);
/** SLUICE_BENCH_ONLY=in|out: one scenario of the two (to profile it alone). */
const ONLY = process.env.SLUICE_BENCH_ONLY;
const wanted = (which: 'in' | 'out') => ONLY === undefined || ONLY === which;

const connection = { id: 'nats', kind: 'nats', config: { servers: [URL] } };
const edge = (source: string, target: string) => ({ source, sourcePort: 'out', target, targetPort: 'in' });
const name = (what: string) => `SLUICE_BENCH_${what}_${randomBytes(4).toString('hex')}`;
const body = (n: number) => JSON.stringify({ n, device: `dev-${n % 10}`, temp: 21.5 });

async function stream(jsm: JetStreamManager, what: string): Promise<string> {
  const s = name(what);
  await jsm.streams.add({ name: s, subjects: [`${s}.>`] });
  return s;
}

async function publishSluice(jsm: JetStreamManager): Promise<Measured> {
  const s = await stream(jsm, 'OUT');
  const engine = benchEngine();
  try {
    await engine.start({
      format: 'sluice/flow@1',
      settings: { maxInFlight: WINDOW },
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
        { id: 'out', type: 'nats-out', config: { connection: 'nats', subject: `${s}.data`, copyHeaders: false } },
      ],
      edges: [edge('gen', 'out')],
    });
    const m = await measured(PUBLISH_COUNT, () =>
      until(() => (engine.counters().gen.acked ?? 0) + (engine.counters().gen.nacked ?? 0) >= PUBLISH_COUNT),
    );
    if (engine.counters().gen.nacked) throw new Error(`${engine.counters().gen.nacked} publishes failed`);
    return m;
  } finally {
    await engine.stop();
    await jsm.streams.delete(s);
  }
}

async function publishRaw(jsm: JetStreamManager): Promise<Measured> {
  const s = await stream(jsm, 'RAWOUT');
  const nc = await connect({ servers: URL });
  const js = jetstream(nc);
  try {
    return await measured(PUBLISH_COUNT, async () => {
      let next = 0;
      const lane = async () => {
        while (next < PUBLISH_COUNT) {
          const n = next++;
          const h = headers();
          h.set('Nats-Msg-Id', `raw-${n}`);
          await js.publish(`${s}.data`, body(n), { headers: h });
        }
      };
      await Promise.all(Array.from({ length: WINDOW }, lane));
    });
  } finally {
    await nc.close();
    await jsm.streams.delete(s);
  }
}

async function fill(nc: NatsConnection, s: string): Promise<void> {
  const js = jetstream(nc);
  for (let i = 0; i < CONSUME_COUNT; i += 1000) {
    await Promise.all(Array.from({ length: 1000 }, (_, k) => js.publish(`${s}.data`, body(i + k))));
  }
}

async function consumeSluice(jsm: JetStreamManager, nc: NatsConnection): Promise<Measured> {
  const s = await stream(jsm, 'IN');
  await fill(nc, s);
  const engine = benchEngine();
  try {
    return await measured(CONSUME_COUNT, async () => {
      await engine.start({
        format: 'sluice/flow@1',
        settings: { maxInFlight: WINDOW },
        connections: [connection],
        nodes: [
          { id: 'in', type: 'nats-in', config: { connection: 'nats', stream: s, durable: 'bench' } },
          { id: 'sink', type: 'bench-sink', config: {} },
        ],
        edges: [edge('in', 'sink')],
      });
      await until(() => (engine.counters().in.acked ?? 0) >= CONSUME_COUNT);
    });
  } finally {
    await engine.stop();
    await jsm.streams.delete(s);
  }
}

async function consumeRaw(jsm: JetStreamManager, nc: NatsConnection): Promise<Measured> {
  const s = await stream(jsm, 'RAWIN');
  await fill(nc, s);
  const own = await connect({ servers: URL });
  try {
    return await measured(CONSUME_COUNT, async () => {
      const m = await jetstreamManager(own);
      await m.consumers.add(s, { durable_name: 'bench', ack_policy: AckPolicy.Explicit, max_ack_pending: WINDOW });
      const consumer = await jetstream(own).consumers.get(s, 'bench');
      const messages = await consumer.consume({ max_messages: WINDOW });
      let seen = 0;
      let sum = 0;
      for await (const msg of messages) {
        sum += (JSON.parse(msg.string()) as { n: number }).n;
        msg.ack();
        if (++seen >= CONSUME_COUNT) break;
      }
      await own.flush();
      if (sum < 0) throw new Error('unreachable');
    });
  } finally {
    await own.close();
    await jsm.streams.delete(s);
  }
}

export async function run(): Promise<BenchResult[]> {
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: URL, timeout: 2000 });
  } catch (err) {
    throw new Error(`NATS not reachable at ${URL}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const jsm = await jetstreamManager(nc);
  try {
    return [
      ...(!wanted('out')
        ? []
        : await versus(
            'generate -> nats-out, JetStream publish, PubAck awaited',
            PUBLISH_COUNT,
            RUNS,
            () => publishSluice(jsm),
            () => publishRaw(jsm),
          )),
      ...(!wanted('in')
        ? []
        : await versus(
            'nats-in (durable pull) -> ack sink, ack after settle',
            CONSUME_COUNT,
            RUNS,
            () => consumeSluice(jsm, nc),
            () => consumeRaw(jsm, nc),
          )),
    ];
  } finally {
    await nc.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printResults('nats', await run());
