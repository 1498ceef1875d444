/**
 * Fault suite, MQTT -> Kafka: the Kafka broker down (a private mock cluster's fault injection: connections dropped
 * and refused; the shared cluster is never touched), then back. An oracle consumes the topic from the start;
 * at least once: nothing the MQTT broker acknowledged to the publisher may be missing.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateMosquitto } from '../support/fault-mosquitto.js';
import { kafkaUnavailableReason } from '../support/kafka.js';
import { type KafkaTestCluster, startKafkaMock } from '../support/kafka-mock/index.js';
import { printTable, size, sleep, tmpDir, waitFor } from './harness.js';
import { runScenario } from './runner.js';

const COUNT = size(1_500, 24_000);
const RATE = size(300, 800);
const SPAN_MS = (COUNT / RATE) * 1000;

describe.runIf(kafkaUnavailableReason() === null)(
  'fault suite: MQTT -> Kafka',
  { timeout: size(240_000, 1_200_000) },
  () => {
    let dir: string;
    let broker: PrivateMosquitto;
    let cluster: KafkaTestCluster;
    let consumer: Consumer | undefined;
    const names: string[] = [];

    beforeAll(async () => {
      dir = tmpDir('kafka');
      broker = await PrivateMosquitto.start(join(dir, 'mosquitto'));
      cluster = await startKafkaMock({ mock: true });
    });

    afterAll(async () => {
      await consumer?.disconnect();
      await cluster?.stop();
      await broker?.down();
      printTable('MQTT -> Kafka', names);
    });

    const outageMs = size(3_000, 30_000);
    it(`the Kafka broker down for ${outageMs / 1000} s, then back`, async () => {
      const topic = `sluice-faults-${randomUUID().slice(0, 8)}`;
      await cluster.createTopic(topic, 3);
      const seen = new Map<string, number>();
      let total = 0;
      const kafka = new Kafka({ brokers: cluster.brokers, logLevel: logLevel.NOTHING, clientId: 'faults-oracle' });
      consumer = kafka.consumer({ groupId: `oracle-${topic}` });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const id = String((JSON.parse(message.value?.toString() ?? '{}') as { id?: unknown }).id);
          seen.set(id, (seen.get(id) ?? 0) + 1);
          total++;
        },
      });
      const admin = kafka.admin();
      await admin.connect();
      let written = 0;
      const name = `Kafka down ${outageMs / 1000} s`;
      names.push(name);
      const faults = cluster.faults!;
      const outcome = await runScenario({
        name,
        dir,
        broker,
        count: COUNT,
        ratePerSecond: RATE,
        sink: {
          node: { type: 'kafka-out', config: { connection: 'kafka', topic, codec: 'json', acks: 'all' } },
          connections: [{ id: 'kafka', kind: 'kafka', config: { brokers: cluster.brokers } }],
          // Records in the topic (high watermarks), not what the oracle consumed so far: the consumer is hit by the
          // outage too, and its own reconnect must not count as Sluice's time to recover.
          rows: async () => {
            try {
              const offsets = await admin.fetchTopicOffsets(topic);
              written = offsets.reduce((n, o) => n + Number(o.high), 0);
            } catch {
              // the broker is still down: the last count
            }
            return written;
          },
          tally: async () => {
            await waitFor(() => total >= written, 30_000); // the consumer catches up after the outage
            return seen;
          },
        },
        during: async (ctx) => {
          await sleep(SPAN_MS / 3);
          await faults.brokerDown(-1);
          await sleep(outageMs);
          await faults.brokerUp(-1);
          ctx.endFault();
        },
      });
      await admin.disconnect();
      expect(outcome.messages).toBe(COUNT);
      expect(outcome.lost, `${name}: lost of ${outcome.messages}`).toBe(0);
    });
  },
);
