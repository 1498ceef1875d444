/** kafka-out against the test Kafka (librdkafka mock cluster, or KAFKA_BROKERS); records read back with kcat. */

import { idsIn, kafkaConnection } from '../nodes/kafka/support.js';
import { kafkaForTests, uniqueTopic } from '../support/kafka.js';
import { sinkConformance } from './harness.js';

const kafka = kafkaForTests();

sinkConformance({
  name: 'kafka-out',
  available: () => kafka !== null,
  prepare: async () => {
    const k = kafka!;
    const topic = uniqueTopic('conf-out');
    await k.createTopic(topic, 3);
    return {
      connections: [kafkaConnection(k.brokers)],
      node: {
        type: 'kafka-out',
        config: {
          connection: 'kafka',
          // The bad payload names a topic Kafka refuses ("not a topic!"): that message fails, the rest land.
          topic: `{{$exists(payload.topic) ? payload.topic : "${topic}"}}`,
          batchSize: 100,
          lingerMs: 5,
        },
      },
      readBack: () => idsIn(k.brokers, topic),
      badPayload: { id: 'bad', n: 0, text: 'bad', topic: 'not a topic!' },
      // Kafka appends: a redelivered message is a second record (consumers can de-duplicate with `idHeader`).
      idempotent: false,
      cleanup: async () => {},
    };
  },
});
