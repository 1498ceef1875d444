/**
 * Global test setup: starts what the tests need that the machine does not run on its own
 * (the Kafka mock cluster), and exports addresses through environment variables.
 * It runs in vitest's main process before the worker processes start; they inherit process.env.
 */
import { startControlServer } from './kafka-mock/control-server.js';
import { startKafkaMock } from './kafka-mock/index.js';

type Teardown = () => Promise<void> | void;
const teardowns: Teardown[] = [];

export async function setup(): Promise<void> {
  // Services are registered here by their support modules (see test/support/*).
  await startKafka();
}

export async function teardown(): Promise<void> {
  for (const t of teardowns.reverse()) await t();
}

/** One Kafka cluster per run, shared by all test files (see kafka.ts for the variables). */
async function startKafka(): Promise<void> {
  for (const name of ['BROKERS', 'CONTROL', 'EXTERNAL', 'UNAVAILABLE']) delete process.env[`SLUICE_TEST_KAFKA_${name}`];
  try {
    const cluster = await startKafkaMock();
    teardowns.push(() => cluster.stop());
    const control = await startControlServer(cluster);
    teardowns.push(() => control.close());
    process.env.SLUICE_TEST_KAFKA_BROKERS = cluster.brokers.join(',');
    process.env.SLUICE_TEST_KAFKA_CONTROL = control.url;
    process.env.SLUICE_TEST_KAFKA_EXTERNAL = String(cluster.external);
  } catch (err) {
    // A missing service fails the run under CI; locally the tests that need it skip and say why.
    const reason = err instanceof Error ? err.message : String(err);
    if (process.env.CI === 'true') throw new Error(`Kafka is required under CI=true: ${reason}`, { cause: err });
    process.env.SLUICE_TEST_KAFKA_UNAVAILABLE = reason;
    console.warn(`[global-setup] Kafka unavailable, Kafka tests will be skipped: ${reason}`);
  }
}
