import { KafkaClient } from '../../../src/connectors/kafka/client.js';
import type { Static } from '../../../src/spec/index.js';
import type { ConnectionRuntime } from '../../../src/spec/runtime-contract.js';
import type { kafkaConnection } from './definition.js';

// Typed by the definition: the connector's KafkaSettings must accept it.
export const runtime: ConnectionRuntime<Static<typeof kafkaConnection.config>, KafkaClient> = {
  // Nothing connects here: the nodes' producers and consumers connect (and report status) on their own.
  open: async (config, ctx) => new KafkaClient(config, ctx.log),
  close: (client) => client.close(),
  check: (config, ctx) => new KafkaClient(config, ctx.log).check(),
};
