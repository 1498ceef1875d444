/**
 * A Kafka cluster for tests and benchmarks. By default librdkafka's mock cluster (real wire protocol, in memory,
 * starts in ~10-40 ms); when KAFKA_BROKERS is set, that real cluster instead (unless `mock: true`).
 *
 *   const kafka = await startKafkaMock({ brokers: 3 });
 *   await kafka.createTopic('orders', 3);
 *   ... new Kafka({ brokers: kafka.brokers }) ...
 *   await kafka.stop();
 *
 * Mock behaviour that differs from a real broker (librdkafka 2.0.2, measured with kafkajs 2.2.4):
 * - CreateTopics is not implemented and Metadata names controller 0, which does not exist (brokers are 1..N), so
 *   every kafkajs call that goes to the controller fails with "Broker 0 not found": admin createTopics, deleteTopics,
 *   createPartitions, describeConfigs, and connect() of an idempotent non-transactional producer. Create topics here.
 *   Transactional producers work (they use the transaction coordinator).
 * - Unknown topics are auto-created with 4 partitions on produce or metadata.
 * - Each partition keeps only about 5 MB: older record batches are dropped and the log start offset moves up.
 * - A fetch returns one record batch per partition, so consumers read as fast as producers batched.
 * - ListGroups, DescribeGroups, DeleteGroups, DeleteRecords are unsupported; admin setOffsets/resetOffsets fail.
 */
import { ensureLauncherBinary } from './build.js';
import { connectExternalKafka } from './external.js';
import { startMockProcess } from './mock-process.js';

export interface KafkaTestCluster {
  /** host:port bootstrap addresses, ready for `new Kafka({ brokers })`. */
  brokers: string[];
  /** Creates a topic; rejects if it already exists (including one auto-created by an earlier produce). */
  createTopic(name: string, partitions?: number): Promise<void>;
  stop(): Promise<void>;
  /** True when KAFKA_BROKERS pointed at a real cluster. */
  external: boolean;
  /**
   * Fault injection, mock only: broker ids run from 1 to the broker count; -1 means every broker. Use it on a private
   * cluster (`startKafkaMock({ mock: true })` in the test file), never on the shared one: other files run alongside.
   */
  faults?: KafkaFaults;
}

export interface KafkaFaults {
  /** Drops the broker's connections and refuses new ones (leadership does not move). */
  brokerDown(brokerId: number): Promise<void>;
  brokerUp(brokerId: number): Promise<void>;
  /** Delays every response of the broker by this many milliseconds (0 restores). */
  setRtt(brokerId: number, ms: number): Promise<void>;
  /** Moves a partition's leader to this broker. */
  setLeader(topic: string, partition: number, brokerId: number): Promise<void>;
}

/** Kafka's own rule for topic names; also keeps names safe for the launcher's line protocol. */
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export function checkTopic(name: string, partitions: number): void {
  if (!TOPIC_NAME.test(name)) throw new Error(`Kafka: invalid topic name '${name}' (allowed: [a-zA-Z0-9._-]{1,249})`);
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 10_000) {
    throw new Error(`Kafka: invalid partition count ${partitions}`);
  }
}

function checkBroker(id: number): number {
  if (!Number.isInteger(id) || id < -1) throw new Error(`Kafka mock: invalid broker id ${id}`);
  return id;
}

export interface StartOptions {
  /** Mock brokers (1..16), default 1. Ignored for an external cluster. */
  brokers?: number;
  /** Always start a private mock, even when KAFKA_BROKERS is set: fault injection needs one. */
  mock?: boolean;
}

export async function startKafkaMock(opts: StartOptions = {}): Promise<KafkaTestCluster> {
  const external = opts.mock ? undefined : process.env.KAFKA_BROKERS?.trim();
  if (external) {
    const cluster = await connectExternalKafka(
      external
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    );
    return {
      ...cluster,
      createTopic(name, partitions = 1) {
        checkTopic(name, partitions);
        return cluster.createTopic(name, partitions);
      },
    };
  }
  const count = opts.brokers ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > 16) throw new Error(`Kafka mock: brokers must be 1..16`);
  const proc = await startMockProcess(await ensureLauncherBinary(), count);
  return {
    brokers: proc.brokers,
    external: false,
    async createTopic(name, partitions = 1) {
      checkTopic(name, partitions);
      await proc.command(`topic ${name} ${partitions}`);
    },
    stop: proc.stop,
    faults: {
      brokerDown: (id) => proc.command(`down ${checkBroker(id)}`),
      brokerUp: (id) => proc.command(`up ${checkBroker(id)}`),
      async setLeader(topic, partition, id) {
        checkTopic(topic, partition + 1);
        await proc.command(`leader ${topic} ${partition} ${checkBroker(id)}`);
      },
      async setRtt(id, ms) {
        if (!Number.isInteger(ms) || ms < 0) throw new Error(`Kafka mock: invalid rtt ${ms}`);
        await proc.command(`rtt ${checkBroker(id)} ${ms}`);
      },
    },
  };
}
