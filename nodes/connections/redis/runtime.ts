import { RedisClient, type RedisSettings } from '../../../src/connectors/redis/client.js';
import type { ConnectionRuntime } from '../../../src/spec/runtime-contract.js';

export const runtime: ConnectionRuntime<RedisSettings, RedisClient> = {
  // Nothing connects here: each node's client connects (and reports its status) on its own.
  open: async (config, ctx) => RedisClient.open(config, ctx),
  close: (client) => client.close(),
  check: (config, ctx) => RedisClient.check(config, ctx.connectionId),
};
