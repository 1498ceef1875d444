/**
 * ConsumerDriver on kafkajs: a group member that hands whole batches to Sluice and never commits by itself
 * (`autoCommit: false`, `eachBatchAutoResolve: false`): Sluice marks records taken (kafkajs' "resolve", which only
 * moves the fetch position) and commits settled offsets itself.
 */
import type { Consumer, Kafka } from 'kafkajs';
import type { ConsumerDriver, ConsumerEvents, ConsumerOptions, InBatch, TopicPartition } from '../driver.js';
import { toDriverError, wrap } from './errors.js';

type Handler = Parameters<ConsumerDriver['run']>[0];

export function createConsumer(kafka: Kafka, o: ConsumerOptions): ConsumerDriver {
  const consumer: Consumer = kafka.consumer({
    groupId: o.groupId,
    sessionTimeout: o.sessionTimeoutMs,
    heartbeatInterval: o.heartbeatIntervalMs,
    rebalanceTimeout: o.rebalanceTimeoutMs,
    maxWaitTimeInMs: o.maxWaitTimeMs,
    maxBytesPerPartition: o.maxBytesPerPartition,
    // Restart on every retriable crash (kafkajs' default too); Sluice restarts after the others, with backoff.
    retry: { restartOnFailure: async () => true },
  });
  let removers: Array<() => void> = [];

  /** kafkajs throws from pause/resume/seek while no group is running (before the first join, after a crash). */
  const quietly = (fn: () => void) => {
    try {
      fn();
    } catch {
      // Sluice re-applies its pause state on every join, and a seek is moot once the group restarts.
    }
  };

  return {
    async run(handler: Handler, events: ConsumerEvents) {
      removers.push(
        consumer.on(consumer.events.GROUP_JOIN, (e) => {
          const assignment: TopicPartition[] = [];
          for (const [topic, partitions] of Object.entries(e.payload.memberAssignment)) {
            for (const partition of partitions) assignment.push({ topic, partition });
          }
          events.joined(assignment);
        }),
        consumer.on(consumer.events.CRASH, (e) => {
          events.crashed(toDriverError(e.payload.error), e.payload.restart);
        }),
      );
      await wrap(() => consumer.connect(), 'connect');
      await wrap(() => consumer.subscribe({ topics: o.topics, fromBeginning: o.fromBeginning }), 'subscribe');
      // Not awaited: run() resolves only after the first join, which can take seconds. Failures arrive as CRASH.
      consumer
        .run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
            const b: InBatch = { topic: batch.topic, partition: batch.partition, records: batch.messages };
            await handler(b, {
              taken: resolveOffset,
              heartbeat,
              usable: () => isRunning() && !isStale(),
            });
          },
        })
        .catch((err: unknown) => events.crashed(toDriverError(err), false));
    },
    pause: (topics) => quietly(() => consumer.pause(topics)),
    resume: (topics) => quietly(() => consumer.resume(topics)),
    seek: (tp, offset) => quietly(() => consumer.seek({ ...tp, offset })),
    commit: (offsets) => wrap(() => consumer.commitOffsets(offsets), 'commit'),
    async disconnect() {
      for (const remove of removers) remove();
      removers = [];
      await wrap(() => consumer.disconnect(), 'disconnect');
    },
  };
}
