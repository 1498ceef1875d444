import { KafkaClient } from '../../../src/connectors/kafka/client.js';
import type { KafkaSettings } from '../../../src/connectors/kafka/settings.js';
import type { ConnectionRuntime } from '../../../src/spec/runtime-contract.js';

export const runtime: ConnectionRuntime<KafkaSettings, KafkaClient> = {
  // Nothing connects here: the nodes' producers and consumers connect (and report status) on their own.
  open: async (config, ctx) => new KafkaClient(config, ctx.log),
  close: (client) => client.close(),
  check: (config, ctx) => new KafkaClient(config, ctx.log).check(),
};
