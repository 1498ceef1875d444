import type { KafkaClient } from '../../src/connectors/kafka/client.js';
import { GroupConsumer } from '../../src/connectors/kafka/group-consumer.js';
import { nodeProblem, problemStatus } from '../../src/kit/index.js';
import type { Static } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';
import type { kafkaIn } from './definition.js';

type Config = Static<typeof kafkaIn.config>;

/** The committed offsets belong to the group: it must be the same on every run of this node. */
export function defaultGroupId(flowId: string | undefined, nodeId: string): string {
  return ['sluice', flowId, nodeId].filter(Boolean).join('-');
}

export const create: CreateRuntime<Config> = (ctx) => {
  const c = ctx.config;
  let consumer: GroupConsumer | undefined;

  return {
    async start() {
      ctx.status({ state: 'connecting' });
      const client = await ctx.connection<KafkaClient>(c.connection);
      const options = {
        groupId: c.groupId ?? defaultGroupId(ctx.flowId, ctx.nodeId),
        topics: c.topics,
        fromBeginning: c.start === 'earliest',
        sessionTimeoutMs: c.sessionTimeoutMs,
        heartbeatIntervalMs: c.heartbeatIntervalMs,
        rebalanceTimeoutMs: c.rebalanceTimeoutMs,
        maxWaitTimeMs: c.maxWaitTimeMs,
        maxBytesPerPartition: c.maxBytesPerPartition,
      };
      consumer = new GroupConsumer({
        createDriver: () => client.consumer(options),
        topics: c.topics,
        codec: c.codec,
        commitIntervalMs: c.commitIntervalMs,
        rewindDelayMs: c.rewindDelayMs,
        restartDelayMs: client.settings.reconnectDelayMs,
        restartMaxDelayMs: client.settings.reconnectMaxDelayMs,
        ingest: (msg, settle) => ctx.ingest(msg, settle),
        ingestFailed: (msg, reason, settle) =>
          ctx.ingestFailed(
            msg,
            nodeProblem('kafka-in', ctx.nodeId, reason, "check that the node's codec matches what is published"),
            settle,
          ),
        status: problemStatus(
          'kafka-in',
          ctx.nodeId,
          "check the connection's settings and that the cluster is reachable",
          (s) => ctx.status(s),
        ),
        log: ctx.log,
      });
      // Connecting and joining the group go on behind; the status says how far they got.
      consumer.start();
    },
    stopIntake: () => consumer?.stopIntake(),
    stop: () => consumer?.stop(),
    snapshot: () => consumer?.snapshot(),
  };
};
