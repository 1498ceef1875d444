/**
 * Helpers for the Kafka node tests: read what landed with kcat (librdkafka, not the code under test), publish with
 * a plain kafkajs producer, and build flows with a `kafka` connection.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';

const run = promisify(execFile);

export interface Landed {
  partition: number;
  offset: number;
  key: string | null;
  payload: string | null;
  headers: Record<string, string>;
}

/** Every record of `topic` from the beginning, read with kcat (exits at the end of every partition). */
export async function readTopic(brokers: string[], topic: string): Promise<Landed[]> {
  const { stdout } = await run(
    'kcat',
    ['-C', '-b', brokers.join(','), '-t', topic, '-o', 'beginning', '-e', '-q', '-J'],
    {
      maxBuffer: 256 * 1024 * 1024,
      timeout: 30_000,
    },
  );
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const j = JSON.parse(line) as {
        partition: number;
        offset: number;
        key: string | null;
        payload: string | null;
        headers?: string[];
      };
      const headers: Record<string, string> = {};
      const h = j.headers ?? [];
      for (let i = 0; i + 1 < h.length; i += 2) headers[h[i]] = h[i + 1];
      return { partition: j.partition, offset: j.offset, key: j.key, payload: j.payload, headers };
    });
}

/** `payload.id` of every JSON record in the topic (duplicates included). */
export async function idsIn(brokers: string[], topic: string): Promise<string[]> {
  return (await readTopic(brokers, topic)).map((r) => (JSON.parse(r.payload ?? 'null') as { id: string }).id);
}

export function plainProducer(brokers: string[]): Producer {
  return new Kafka({ clientId: 'sluice-test-publisher', brokers, logLevel: logLevel.NOTHING }).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

/** Publishes JSON payloads keyed by their id (so a partition keeps their order), in chunks. */
export async function publishJson(producer: Producer, topic: string, payloads: Array<{ id: string }>): Promise<void> {
  for (let i = 0; i < payloads.length; i += 500) {
    const messages = payloads.slice(i, i + 500).map((p) => ({ key: p.id, value: JSON.stringify(p) }));
    await producer.send({ topic, acks: -1, messages });
  }
}

export function kafkaConnection(brokers: string[], extra: Record<string, unknown> = {}) {
  return {
    id: 'kafka',
    kind: 'kafka',
    config: { brokers, reconnectDelayMs: 100, reconnectMaxDelayMs: 1000, ...extra },
  };
}

/** kafka-in settings that keep group joins short against the mock (see TEST_CONSUMER_CONFIG). */
export const FAST_GROUP = {
  sessionTimeoutMs: 6_000,
  heartbeatIntervalMs: 1_000,
  maxWaitTimeMs: 250,
  commitIntervalMs: 200,
};

/** A flow document with connections, from compact node and edge lists (ports default to out -> in). */
export function flowWith(
  connections: Array<{ id: string; kind: string; config: Record<string, unknown> }>,
  nodes: Array<[id: string, type: string, config?: Record<string, unknown>]>,
  edges: Array<[from: string, to: string]>,
  settings: Record<string, unknown> = {},
) {
  return {
    format: 'sluice/flow@1',
    id: 'kafka-test',
    settings,
    connections,
    nodes: nodes.map(([id, type, config]) => ({ id, type, config: config ?? {} })),
    edges: edges.map(([from, to]) => {
      const [source, sourcePort = 'out'] = from.split(':');
      const [target, targetPort = 'in'] = to.split(':');
      return { source, sourcePort, target, targetPort };
    }),
  };
}

/** A group's committed position per partition (-1: none), read with a plain kafkajs admin client. */
export async function committedOffsets(
  brokers: string[],
  groupId: string,
  topic: string,
): Promise<Map<number, number>> {
  const admin = new Kafka({ clientId: 'sluice-test-admin', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map(t.partitions.map((p) => [p.partition, Number(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}
