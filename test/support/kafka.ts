/**
 * Kafka for test files. Global setup (global-setup.ts) starts one cluster per test run and publishes it through
 * environment variables, which vitest's worker processes inherit:
 *   SLUICE_TEST_KAFKA_BROKERS      comma-separated bootstrap addresses
 *   SLUICE_TEST_KAFKA_CONTROL      control channel URL (topic creation)
 *   SLUICE_TEST_KAFKA_EXTERNAL     "true" when KAFKA_BROKERS pointed at a real cluster
 *   SLUICE_TEST_KAFKA_UNAVAILABLE  why there is no cluster (outside CI only; under CI setup fails instead)
 *
 *   const kafka = kafkaForTests();
 *   describe.runIf(kafka)('kafka sink', () => {
 *     it('...', async () => { await kafka!.createTopic(uniqueTopic('sink'), 3); ... });
 *   });
 * vitest still runs a skipped describe's body to collect its tests: touch `kafka!` only inside tests and hooks.
 * The cluster is shared by files running in parallel: use unique topics and group ids, and for broker faults start
 * a private mock in the test file (`startKafkaMock({ mock: true })` from ./kafka-mock/index.js, then `faults`).
 *
 * Contract for a missing service: under CI=true kafkaForTests() throws (the file fails); otherwise it returns null,
 * prints why, and the caller skips.
 */
import { randomBytes } from 'node:crypto';

export interface KafkaForTests {
  brokers: string[];
  /** True for a real cluster (KAFKA_BROKERS). */
  external: boolean;
  /** Creates a topic on the shared cluster; rejects if it exists (use uniqueTopic). */
  createTopic(name: string, partitions?: number): Promise<void>;
}

/** Why Kafka is not available to this test process, or null when it is. */
export function kafkaUnavailableReason(): string | null {
  const env = process.env;
  if (env.SLUICE_TEST_KAFKA_BROKERS && env.SLUICE_TEST_KAFKA_CONTROL) return null;
  return (
    env.SLUICE_TEST_KAFKA_UNAVAILABLE ?? 'Kafka: global setup did not run (use the vitest config in the repo root)'
  );
}

export function kafkaForTests(): KafkaForTests | null {
  const reason = kafkaUnavailableReason();
  if (reason !== null) {
    if (process.env.CI === 'true') throw new Error(`Kafka is required under CI=true: ${reason}`);
    console.warn(`[skip] Kafka tests skipped: ${reason}`);
    return null;
  }
  const control = process.env.SLUICE_TEST_KAFKA_CONTROL!;
  return {
    brokers: process.env.SLUICE_TEST_KAFKA_BROKERS!.split(','),
    external: process.env.SLUICE_TEST_KAFKA_EXTERNAL === 'true',
    createTopic: (name, partitions = 1) => post(control, 'topic', { name, partitions }),
  };
}

/**
 * kafkajs consumer settings that keep tests against the mock fast (spread them into `kafka.consumer({...})`).
 * - The mock holds a group's first JoinGroup for 3 s (Kafka's initial rebalance delay) and, after the last member
 *   left, holds the next join for sessionTimeout - 1 s (29 s with kafkajs' default 30 s). sessionTimeout must stay
 *   above 3 s or the member expires while its first join is held. Here: first join ~3 s, rejoin ~5 s.
 * - The mock honours a fetch's MaxWaitTime and `consumer.disconnect()` waits for the fetch in flight, so kafkajs'
 *   default 5 s wait made every disconnect take ~5 s.
 */
export const TEST_CONSUMER_CONFIG = { sessionTimeout: 6_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 250 } as const;

/** A topic name no other test file or earlier run uses (the cluster is shared and, if external, persistent). */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

async function post(control: string, route: string, body: object): Promise<void> {
  const res = await fetch(`${control}/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`Kafka test control ${route} failed (${res.status}): ${await res.text()}`);
}
