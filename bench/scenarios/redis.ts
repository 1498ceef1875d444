/**
 * Redis Streams against the Redis on 127.0.0.1:6379, each next to ioredis doing the same work by hand:
 *  - generate -> redis-out: XADD of a JSON body, pipelined in batches of 500, each message acked upstream when Redis
 *    answered. Raw: the same XADDs in pipelines of 500, one pipeline in flight (waiting for its answers).
 *  - redis-in -> ack sink, from a full stream: XREADGROUP (COUNT 100), JSON decode, XACK after settle. Raw: the
 *    same reads, JSON.parse per entry, one XACK per batch.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { benchEngine } from '../support/ack-sink.js';
import { type Measured, measured, until, versus } from '../support/versus.js';
import { type BenchResult, printResults } from '../types.js';

const PORT = Number(process.env.SLUICE_BENCH_REDIS_PORT ?? 6379);
const WRITE_COUNT = 100_000;
const READ_COUNT = 200_000;
/** SLUICE_BENCH_RUNS: more interleaved runs on a noisy machine. */
const RUNS = Number(process.env.SLUICE_BENCH_RUNS ?? 3);
/** SLUICE_BENCH_ONLY=in|out: one scenario of the two (to profile it alone). */
const ONLY = process.env.SLUICE_BENCH_ONLY;
const wanted = (which: 'in' | 'out') => ONLY === undefined || ONLY === which;

const connection = { id: 'redis', kind: 'redis', config: { host: '127.0.0.1', port: PORT } };
const edge = (source: string, target: string) => ({ source, sourcePort: 'out', target, targetPort: 'in' });
const key = (what: string) => `sluice-bench:${what}:${randomBytes(4).toString('hex')}`;
const body = (n: number) => JSON.stringify({ n, device: `dev-${n % 10}`, temp: 21.5 });

async function writeSluice(admin: Redis): Promise<Measured> {
  const stream = key('out');
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
            count: WRITE_COUNT,
            topic: 'bench',
            payload: '{"n": $seq, "device": "dev-" & ($seq % 10), "temp": 21.5}',
          },
        },
        { id: 'out', type: 'redis-out', config: { connection: 'redis', stream, batchSize: 500, copyHeaders: false } },
      ],
      edges: [edge('gen', 'out')],
    });
    const m = await measured(WRITE_COUNT, () =>
      until(() => (engine.counters().gen.acked ?? 0) + (engine.counters().gen.nacked ?? 0) >= WRITE_COUNT),
    );
    if (engine.counters().gen.nacked) throw new Error(`${engine.counters().gen.nacked} writes failed`);
    return m;
  } finally {
    await engine.stop();
    await admin.del(stream);
  }
}

async function writeRaw(admin: Redis): Promise<Measured> {
  const stream = key('raw-out');
  let redis: Redis | undefined;
  try {
    return await measured(WRITE_COUNT, async () => {
      const r = new Redis({ port: PORT, host: '127.0.0.1' });
      redis = r;
      for (let i = 0; i < WRITE_COUNT; i += 500) {
        const p = r.pipeline();
        for (let n = i; n < Math.min(i + 500, WRITE_COUNT); n++) p.xadd(stream, '*', 'body', body(n));
        await p.exec();
      }
    });
  } finally {
    redis?.disconnect();
    await admin.del(stream);
  }
}

async function fill(admin: Redis, stream: string, group: string): Promise<void> {
  for (let i = 0; i < READ_COUNT; i += 1000) {
    const p = admin.pipeline();
    for (let n = i; n < i + 1000; n++) p.xadd(stream, '*', 'body', body(n));
    await p.exec();
  }
  await admin.xgroup('CREATE', stream, group, '0');
}

async function readSluice(admin: Redis): Promise<Measured> {
  const stream = key('in');
  const group = 'bench';
  await fill(admin, stream, group);
  const engine = benchEngine();
  try {
    return await measured(READ_COUNT, async () => {
      await engine.start({
        format: 'sluice/flow@1',
        settings: { maxInFlight: 1000 },
        connections: [connection],
        nodes: [
          {
            id: 'in',
            type: 'redis-in',
            config: { connection: 'redis', stream, group, consumer: 'c1', batchSize: 100 },
          },
          { id: 'sink', type: 'bench-sink', config: {} },
        ],
        edges: [edge('in', 'sink')],
      });
      await until(() => (engine.counters().in.acked ?? 0) >= READ_COUNT);
    });
  } finally {
    await engine.stop();
    await admin.del(stream);
  }
}

async function readRaw(admin: Redis): Promise<Measured> {
  const stream = key('raw-in');
  const group = 'bench';
  await fill(admin, stream, group);
  let redis: Redis | undefined;
  try {
    return await measured(READ_COUNT, async () => {
      const r = new Redis({ port: PORT, host: '127.0.0.1' });
      redis = r;
      let seen = 0;
      let sum = 0;
      while (seen < READ_COUNT) {
        const reply = (await r.xreadgroup(
          'GROUP',
          group,
          'c1',
          'COUNT',
          100,
          'BLOCK',
          1000,
          'STREAMS',
          stream,
          '>',
        )) as Array<[string, Array<[string, string[]]>]> | null;
        const entries = reply?.[0]?.[1] ?? [];
        const ids: string[] = [];
        for (const [id, fields] of entries) {
          sum += (JSON.parse(fields[1]) as { n: number }).n;
          ids.push(id);
        }
        if (ids.length) await r.xack(stream, group, ...ids);
        seen += entries.length;
      }
      if (sum < 0) throw new Error('unreachable');
    });
  } finally {
    redis?.disconnect();
    await admin.del(stream);
  }
}

export async function run(): Promise<BenchResult[]> {
  const admin = new Redis({ port: PORT, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
  admin.on('error', () => {});
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(`Redis not reachable at 127.0.0.1:${PORT}: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return [
      ...(!wanted('out')
        ? []
        : await versus(
            'generate -> redis-out, XADD pipelined (batch 500)',
            WRITE_COUNT,
            RUNS,
            () => writeSluice(admin),
            () => writeRaw(admin),
          )),
      ...(!wanted('in')
        ? []
        : await versus(
            'redis-in (COUNT 100) -> ack sink, XACK after settle',
            READ_COUNT,
            RUNS,
            () => readSluice(admin),
            () => readRaw(admin),
          )),
    ];
  } finally {
    admin.disconnect();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printResults('redis', await run());
