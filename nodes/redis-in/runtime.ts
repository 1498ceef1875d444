import { hostname } from 'node:os';
import type { RedisClient, RedisLink } from '../../src/connectors/redis/client.js';
import { StreamReader } from '../../src/connectors/redis/stream-reader.js';
import { nodeProblem, problemStatus } from '../../src/kit/index.js';
import type { Static } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';
import type { redisIn } from './definition.js';

type Config = Static<typeof redisIn.config>;

/** The pending entries belong to the group: it must be the same on every run of this node. */
export function defaultGroup(flowId: string | undefined, nodeId: string): string {
  return ['sluice', flowId, nodeId].filter(Boolean).join('-');
}

export const create: CreateRuntime<Config> = (ctx) => {
  const c = ctx.config;
  let client: RedisClient | undefined;
  let link: RedisLink | undefined;
  let reader: StreamReader | undefined;
  let unwatch: (() => void) | undefined;

  return {
    async start() {
      ctx.status({ state: 'connecting' });
      client = await ctx.connection<RedisClient>(c.connection);
      link = client.dedicated(`redis-in ${ctx.nodeId}`);
      unwatch = link.status.follow(
        problemStatus('redis-in', ctx.nodeId, "check the connection's settings and that the server is reachable", (s) =>
          ctx.status(s),
        ),
      );
      reader = new StreamReader({
        stream: c.stream,
        group: c.group ?? defaultGroup(ctx.flowId, ctx.nodeId),
        consumer: c.consumer ?? `${hostname()}-${ctx.nodeId}`,
        startId: c.start === 'earliest' ? '0' : '$',
        batchSize: c.batchSize,
        blockMs: c.blockMs,
        claimIdleMs: c.claimIdleMs,
        redeliveryDelayMs: c.redeliveryDelayMs,
        codec: c.codec,
        bodyField: c.bodyField,
        reader: link,
        commands: client.shared(),
        reconnectDelayMs: client.settings.reconnectDelayMs,
        reconnectMaxDelayMs: client.settings.reconnectMaxDelayMs,
        ingest: (msg, settle) => ctx.ingest(msg, settle),
        ingestFailed: (msg, reason, settle) =>
          ctx.ingestFailed(
            msg,
            nodeProblem('redis-in', ctx.nodeId, reason, "check that the node's codec matches what is published"),
            settle,
          ),
        log: ctx.log,
      });
      // Connecting and reading go on behind; the status says how far they got.
      reader.start();
    },
    stopIntake() {
      // Closing the reading client is the stop, not a lost connection: the status stops following it first.
      unwatch?.();
      unwatch = undefined;
      reader?.stopIntake();
    },
    async stop() {
      await reader?.stop();
      unwatch?.();
      if (client && link) client.release(link);
    },
    snapshot: () => (reader ? { ...reader.counts, inFlight: reader.inFlight } : undefined),
  };
};
