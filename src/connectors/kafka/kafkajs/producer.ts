/** ProducerDriver on kafkajs: one producer, records grouped per topic into one produce request set per send. */
import {
  CompressionTypes,
  type ICustomPartitioner,
  type Kafka,
  type Message,
  Partitioners,
  type TopicMessages,
} from 'kafkajs';
import type { OutRecord, Partitioner, ProducerDriver, SendOptions } from '../driver.js';
import { wrap } from './errors.js';

/** Every record to the next available partition in turn, whatever its key. */
const roundRobin: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata }) => {
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    const pool = available.length > 0 ? available : partitionMetadata;
    const n = (counters.get(topic) ?? 0) + 1;
    counters.set(topic, n % 0x7fffffff);
    return pool[n % pool.length].partitionId;
  };
};

const partitioners: Record<Partitioner, ICustomPartitioner> = {
  default: Partitioners.DefaultPartitioner,
  legacy: Partitioners.LegacyPartitioner,
  'round-robin': roundRobin,
};

/** An OutRecord is a kafkajs Message as it is (kafkajs copies what it keeps): only grouped by topic. */
function byTopic(records: OutRecord[]): TopicMessages[] {
  const first = records[0]?.topic;
  if (records.every((r) => r.topic === first)) return [{ topic: first, messages: records }];
  const groups = new Map<string, Message[]>();
  for (const r of records) {
    let list = groups.get(r.topic);
    if (!list) {
      list = [];
      groups.set(r.topic, list);
    }
    list.push(r);
  }
  return [...groups].map(([topic, messages]) => ({ topic, messages }));
}

export function createProducer(kafka: Kafka, partitioner: Partitioner): ProducerDriver {
  const producer = kafka.producer({
    createPartitioner: partitioners[partitioner],
    // A few quick retries inside one attempt ride out leader changes; the node's own retry budget does the rest.
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
    // Experimental in kafkajs 2.2.4 (and it forces one request in flight): off; see kafka-out's docs.
    idempotent: false,
  });
  return {
    connect: () => wrap(() => producer.connect()),
    async send(records: OutRecord[], o: SendOptions) {
      await wrap(() =>
        producer.sendBatch({
          acks: o.acks,
          timeout: o.timeoutMs,
          compression: o.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
          topicMessages: byTopic(records),
        }),
      );
    },
    disconnect: () => wrap(() => producer.disconnect()),
  };
}
