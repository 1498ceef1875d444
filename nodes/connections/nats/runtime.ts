import { NatsClient, type NatsSettings } from '../../../src/connectors/nats/client.js';
import type { ConnectionRuntime } from '../../../src/spec/runtime-contract.js';

export const runtime: ConnectionRuntime<NatsSettings, NatsClient> = {
  // Connects in the background: the flow starts while NATS is down, and the nodes show why.
  open: async (config, ctx) => new NatsClient(config, ctx.connectionId, ctx.log),
  close: (client) => client.close(),
  check: (config, ctx) => NatsClient.check(config, ctx.connectionId),
};
