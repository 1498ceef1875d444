/** The kafkajs driver: the only module of Sluice that imports kafkajs (see ../driver.ts). */
import { Kafka } from 'kafkajs';
import type { Logger } from '../../../spec/runtime-contract.js';
import type { ConsumerOptions, KafkaDriver, Partitioner } from '../driver.js';
import type { KafkaSettings } from '../settings.js';
import { kafkaConfig } from './config.js';
import { createConsumer } from './consumer.js';
import { wrap } from './errors.js';
import { createProducer } from './producer.js';

export function createKafkajsDriver(settings: KafkaSettings, log: Logger): KafkaDriver {
  const kafka = new Kafka(kafkaConfig(settings, log));
  return {
    producer: (partitioner: Partitioner) => createProducer(kafka, partitioner),
    consumer: (options: ConsumerOptions) => createConsumer(kafka, options),
    async check() {
      // One quick attempt: `sluice check` should say why it fails, not retry for a minute.
      const admin = new Kafka({ ...kafkaConfig(settings, log), retry: { retries: 0 } }).admin();
      await wrap(() => admin.connect(), 'connect');
      try {
        await wrap(() => admin.describeCluster(), 'metadata');
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
  };
}
