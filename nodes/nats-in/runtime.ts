import type { NatsClient } from '../../src/connectors/nats/client.js';
import { CoreReader } from '../../src/connectors/nats/core-reader.js';
import { JetStreamReader } from '../../src/connectors/nats/jetstream-reader.js';
import { nodeProblem, problemStatus } from '../../src/kit/index.js';
import type { Static } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';
import type { natsIn } from './definition.js';

type Config = Static<typeof natsIn.config>;

/** The durable's place in the stream belongs to its name: it must be the same on every run of this node. */
export function defaultDurable(flowId: string | undefined, nodeId: string): string {
  return ['sluice', flowId, nodeId]
    .filter(Boolean)
    .join('-')
    .replace(/[\s.*>/\\]/g, '_');
}

/** Used when the flow says nothing (the engine's default in-flight limit). */
const FALLBACK_WINDOW = 1000;

export const create: CreateRuntime<Config> = (ctx) => {
  const c = ctx.config;
  let reader: JetStreamReader | CoreReader | undefined;
  let unwatch: (() => void) | undefined;

  return {
    async start() {
      ctx.status({ state: 'connecting' });
      const client = await ctx.connection<NatsClient>(c.connection);
      unwatch = client.status.follow(
        problemStatus('nats-in', ctx.nodeId, "check the connection's settings and that the server is reachable", (s) =>
          ctx.status(s),
        ),
      );
      if (c.mode === 'core') {
        reader = new CoreReader({
          client,
          subject: c.subject,
          queue: c.queue,
          codec: c.codec,
          ingest: (msg) => ctx.ingest(msg),
          ingestFailed: (msg, reason) =>
            ctx.ingestFailed(
              msg,
              nodeProblem('nats-in', ctx.nodeId, reason, "check that the node's codec matches what is published"),
            ),
          log: ctx.log,
        });
      } else {
        reader = new JetStreamReader({
          client,
          stream: c.stream,
          createStream: c.createStream,
          subject: c.subject,
          durable: c.durable ?? defaultDurable(ctx.flowId, ctx.nodeId),
          deliverPolicy: c.deliverPolicy,
          ackWaitMs: c.ackWaitMs,
          nakDelayMs: c.nakDelayMs,
          maxAckPending: c.maxAckPending || ctx.maxInFlight || FALLBACK_WINDOW,
          codec: c.codec,
          ingest: (msg, settle) => ctx.ingest(msg, settle),
          ingestFailed: (msg, reason, settle) =>
            ctx.ingestFailed(
              msg,
              nodeProblem('nats-in', ctx.nodeId, reason, "check that the node's codec matches what is published"),
              settle,
            ),
          setupFailed: (reason) =>
            ctx.status({
              state: 'error',
              reason: nodeProblem('nats-in', ctx.nodeId, reason, 'check the stream and consumer settings; retrying'),
            }),
          setupDone: () => ctx.status(client.status.status),
          log: ctx.log,
        });
      }
      // Connecting and consuming go on behind; the status says how far they got.
      reader.start();
    },
    stopIntake() {
      unwatch?.();
      unwatch = undefined;
      reader?.stopIntake();
    },
    async stop() {
      await reader?.stop();
      unwatch?.();
    },
    snapshot: () => (reader instanceof JetStreamReader ? { ...reader.counts } : undefined),
  };
};
