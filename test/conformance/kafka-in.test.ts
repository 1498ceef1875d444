/**
 * kafka-in against the test Kafka: records published with a plain kafkajs producer. The restart check runs a second
 * engine in the same consumer group: it resumes from the offsets the first one committed.
 */
import type { Producer } from 'kafkajs';
import { FAST_GROUP, kafkaConnection, plainProducer, publishJson } from '../nodes/kafka/support.js';
import { kafkaForTests, uniqueTopic } from '../support/kafka.js';
import { sourceConformance } from './harness.js';

const kafka = kafkaForTests();

sourceConformance({
  name: 'kafka-in',
  available: () => kafka !== null,
  prepare: async () => {
    const k = kafka!;
    const topic = uniqueTopic('conf-in');
    await k.createTopic(topic, 3);
    const producer: Producer = plainProducer(k.brokers);
    await producer.connect();
    return {
      connections: [kafkaConnection(k.brokers)],
      node: {
        type: 'kafka-in',
        config: {
          connection: 'kafka',
          topics: [topic],
          groupId: uniqueTopic('conf-group'),
          start: 'earliest',
          ...FAST_GROUP,
        },
      },
      publish: (payloads) => publishJson(producer, topic, payloads),
      publishBad: async () => {
        await producer.send({ topic, acks: -1, messages: [{ key: 'bad', value: '{not json' }] });
      },
      cleanup: () => producer.disconnect(),
    };
  },
});
