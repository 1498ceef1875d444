/**
 * A real Kafka cluster named by KAFKA_BROKERS, used instead of the mock. Topics are created through the admin API,
 * which real brokers support (the mock does not).
 */
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaTestCluster } from './index.js';

export async function connectExternalKafka(brokers: string[]): Promise<KafkaTestCluster> {
  const admin = new Kafka({
    clientId: 'sluice-test-admin',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 }, // fail within seconds, not kafkajs' ~19 s, when the address is wrong
  }).admin();
  // Connect now so that a wrong address fails in global setup, not in the middle of a test.
  await admin.connect().catch((err: unknown) => {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`Kafka: cannot reach KAFKA_BROKERS=${brokers.join(',')}: ${why}`, { cause: err });
  });
  return {
    brokers,
    external: true,
    async createTopic(name, partitions = 1) {
      const created = await admin.createTopics({
        topics: [{ topic: name, numPartitions: partitions }],
        waitForLeaders: true,
      });
      if (!created) throw new Error(`Kafka: topic '${name}' already exists`);
    },
    async stop() {
      await admin.disconnect();
    },
  };
}
