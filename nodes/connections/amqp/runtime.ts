import { checkConnection } from '../../../src/connectors/amqp/check.js';
import { AmqpClient } from '../../../src/connectors/amqp/client.js';
import type { AmqpConnectionConfig } from '../../../src/connectors/amqp/connect-options.js';
import type { ConnectionRuntime } from '../../../src/spec/runtime-contract.js';

export const runtime: ConnectionRuntime<AmqpConnectionConfig, AmqpClient> = {
  open: (config, ctx) => AmqpClient.open(config, ctx),
  close: (client) => client.close(),
  check: (config, ctx) => checkConnection(config, ctx.connectionId),
};
