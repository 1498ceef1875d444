import { NatsClient } from '../../../src/connectors/nats/client.js';
import type { Static } from '../../../src/spec/index.js';
import type { ConnectionRuntime } from '../../../src/spec/runtime-contract.js';
import type { natsConnection } from './definition.js';

// Typed by the definition: the connector's NatsSettings must accept it.
export const runtime: ConnectionRuntime<Static<typeof natsConnection.config>, NatsClient> = {
  // Connects in the background: the flow starts while NATS is down, and the nodes show why.
  open: async (config, ctx) => new NatsClient(config, ctx.connectionId, ctx.log),
  close: (client) => client.close(),
  check: (config, ctx) => NatsClient.check(config, ctx.connectionId),
};
