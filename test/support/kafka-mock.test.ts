/**
 * Proves the test Kafka (librdkafka mock cluster, or KAFKA_BROKERS) is fit for the Kafka connector tests:
 * keyed produce with acks=-1, consumer-group consumption with manual commits, resume from committed offsets,
 * plus the support contracts (control channel errors, missing-service behaviour, toolchain error messages).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Consumer, Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { kafkaForTests, kafkaUnavailableReason, TEST_CONSUMER_CONFIG, uniqueTopic } from './kafka.js';
import { ensureLauncherBinary } from './kafka-mock/build.js';
import { startKafkaMock } from './kafka-mock/index.js';

const kafka = kafkaForTests();

interface Seen {
  key: string;
  partition: number;
  offset: string;
}

function client(brokers: string[]): Kafka {
  return new Kafka({ clientId: 'sluice-mock-test', brokers, logLevel: logLevel.NOTHING });
}

/** Consumes with manual commits until `expected` messages arrived, then disconnects (leaving the group). */
async function consumeAndCommit(consumer: Consumer, topic: string, expected: number, graceMs = 500): Promise<Seen[]> {
  const seen: Seen[] = [];
  let reached: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    reached = resolve;
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      for (const m of batch.messages) {
        seen.push({ key: m.key?.toString() ?? '', partition: batch.partition, offset: m.offset });
        resolveOffset(m.offset);
      }
      const next = (BigInt(batch.lastOffset()) + 1n).toString();
      await consumer.commitOffsets([{ topic, partition: batch.partition, offset: next }]);
      await heartbeat();
      if (seen.length >= expected) reached();
    },
  });
  await done;
  // A short grace period so that duplicates arriving after the last expected message are caught too.
  await new Promise((r) => setTimeout(r, graceMs));
  await consumer.disconnect();
  return seen;
}

async function produceKeyed(producer: Producer, topic: string, keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 250) {
    const messages = keys.slice(i, i + 250).map((key) => ({ key, value: JSON.stringify({ key, n: i }) }));
    await producer.send({ topic, acks: -1, messages });
  }
}

describe('test support: environment from global setup', () => {
  it('reaches this worker process', () => {
    // Either the cluster's address or the reason it is missing must have crossed from global setup to the worker.
    const published = process.env.SLUICE_TEST_KAFKA_BROKERS ?? process.env.SLUICE_TEST_KAFKA_UNAVAILABLE;
    expect(published).toBeTruthy();
  });
});

describe.runIf(kafka)('test Kafka cluster', () => {
  const k = kafka!;
  const open: Array<{ disconnect(): Promise<void> }> = [];
  afterEach(async () => {
    // Reverse order: clients before the private cluster they talk to.
    for (const c of open.splice(0).reverse()) await c.disconnect().catch(() => {});
  });

  it('delivers 1,000 keyed messages exactly once through a group and resumes from committed offsets', async () => {
    const topic = uniqueTopic('support-mock');
    const group = uniqueTopic('support-group');
    await k.createTopic(topic, 3);
    const kc = client(k.brokers);

    const admin = kc.admin();
    open.push(admin);
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]?.partitions).toHaveLength(3);

    const producer = kc.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    open.push(producer);
    await producer.connect();
    const keys = Array.from({ length: 1000 }, (_, i) => `key-${i}`);
    await produceKeyed(producer, topic, keys);

    const first = await consumeAndCommit(kc.consumer({ groupId: group, ...TEST_CONSUMER_CONFIG }), topic, keys.length);
    const counts = new Map<string, number>();
    for (const s of first) counts.set(s.key, (counts.get(s.key) ?? 0) + 1);
    expect(first).toHaveLength(1000);
    expect([...counts.keys()].sort()).toEqual([...keys].sort());
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    // Keys are hashed over all three partitions, and a key always lands on one partition.
    expect(new Set(first.map((s) => s.partition))).toEqual(new Set([0, 1, 2]));

    const committed = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const total = committed[0]!.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
    expect(total).toBe(1000);

    // A second member of the same group (also fromBeginning) must see only what was produced after the commits.
    const fresh = Array.from({ length: 30 }, (_, i) => `late-${i}`);
    await produceKeyed(producer, topic, fresh);
    const second = await consumeAndCommit(
      kc.consumer({ groupId: group, ...TEST_CONSUMER_CONFIG }),
      topic,
      fresh.length,
    );
    expect(second.map((s) => s.key).sort()).toEqual([...fresh].sort());
  });

  it('creates topics through the control channel and reports its errors', async () => {
    const topic = uniqueTopic('support-dup');
    await k.createTopic(topic, 2);
    await expect(k.createTopic(topic, 2)).rejects.toThrow(/already exists/i);
    await expect(k.createTopic('bad name', 1)).rejects.toThrow(/invalid topic name/);
    await expect(k.createTopic(uniqueTopic('support-zero'), 0)).rejects.toThrow(/invalid partition count/);
  });

  // Faults go to a private mock: the shared cluster serves test files running in parallel.
  it.skipIf(kafka?.external === true)(
    'injects faults on a private 3-broker mock: outage of a leader, latency',
    async () => {
      const mock = await startKafkaMock({ brokers: 3, mock: true });
      open.push({ disconnect: () => mock.stop() });
      const faults = mock.faults!;
      expect(mock.brokers).toHaveLength(3);
      await mock.createTopic('faults', 3);
      // The mock places leaders at random, sometimes all on one broker: pin them so the outage hits one partition.
      for (const p of [0, 1, 2]) await faults.setLeader('faults', p, p + 1);
      // Client-level retry governs reconnects; kafkajs' default gives up on a dead broker only after ~19 s.
      const kc = new Kafka({
        clientId: 'sluice-mock-fault',
        brokers: mock.brokers,
        logLevel: logLevel.NOTHING,
        retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 100 },
      });
      const admin = kc.admin();
      const producer = kc.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      open.push(producer, admin);
      await Promise.all([admin.connect(), producer.connect()]);
      const leaders = (await admin.fetchTopicMetadata({ topics: ['faults'] })).topics[0]!.partitions;
      const leader = leaders.find((p) => p.partitionId === 0)!.leader;
      const other = leaders.find((p) => p.leader !== leader)!.partitionId;
      const send = (partition: number) =>
        producer.send({ topic: 'faults', acks: -1, messages: [{ partition, value: 'x' }] });

      await send(0);
      await faults.brokerDown(leader);
      await expect(send(0)).rejects.toThrow(/ECONNREFUSED/);
      await send(other); // partitions led by the other brokers still take writes
      await faults.brokerUp(leader);
      await send(0);

      await faults.setRtt(-1, 200);
      const started = performance.now();
      await send(0);
      expect(performance.now() - started).toBeGreaterThanOrEqual(190);
      await faults.setRtt(-1, 0);
    },
  );
});

describe('test support: missing Kafka', () => {
  const keys = ['CI', 'SLUICE_TEST_KAFKA_BROKERS', 'SLUICE_TEST_KAFKA_UNAVAILABLE'] as const;
  const saved = keys.map((key) => [key, process.env[key]] as const);
  afterEach(() => {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('returns null with a reason locally and throws under CI=true', () => {
    delete process.env.SLUICE_TEST_KAFKA_BROKERS;
    process.env.SLUICE_TEST_KAFKA_UNAVAILABLE = 'Kafka mock: C compiler not found';
    delete process.env.CI;
    expect(kafkaUnavailableReason()).toBe('Kafka mock: C compiler not found');
    expect(kafkaForTests()).toBeNull();
    process.env.CI = 'true';
    expect(() => kafkaForTests()).toThrow(/required under CI=true: Kafka mock: C compiler not found/);
  });
});

describe('test support: building the launcher', () => {
  it('names the packages to install when the compiler is missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-kafka-build-'));
    try {
      await expect(ensureLauncherBinary({ cc: '/nonexistent/gcc', out: join(dir, 'kafka-mock') })).rejects.toThrow(
        /C compiler '\/nonexistent\/gcc' not found; .*apt-get install -y gcc libc6-dev librdkafka-dev/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names librdkafka-dev when its headers are missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-kafka-build-'));
    try {
      // A stand-in compiler failing the way gcc does without librdkafka-dev, so no toolchain is needed here.
      const cc = join(dir, 'fake-cc');
      const gccError = 'launcher.c:23:10: fatal error: librdkafka/rdkafka.h: No such file or directory';
      await writeFile(cc, `#!/bin/sh\necho '${gccError}' >&2\nexit 1\n`, { mode: 0o755 });
      await expect(ensureLauncherBinary({ cc, out: join(dir, 'kafka-mock') })).rejects.toThrow(
        /librdkafka development files not found \(.*rdkafka\.h: No such file.*\); .*apt-get install -y gcc libc6-dev librdkafka-dev/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
