import { RedisClient } from '../../../src/connectors/redis/client.js';
import type { Static } from '../../../src/spec/index.js';
import type { ConnectionRuntime } from '../../../src/spec/runtime-contract.js';
import type { redisConnection } from './definition.js';

// Typed by the definition: the connector's RedisSettings must accept it.
export const runtime: ConnectionRuntime<Static<typeof redisConnection.config>, RedisClient> = {
  // Nothing connects here: each node's client connects (and reports its status) on its own.
  open: async (config, ctx) => RedisClient.open(config, ctx),
  close: (client) => client.close(),
  check: (config, ctx) => RedisClient.check(config, ctx.connectionId),
};
