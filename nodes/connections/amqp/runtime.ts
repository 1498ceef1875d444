import { checkConnection } from '../../../src/connectors/amqp/check.js';
import { AmqpClient } from '../../../src/connectors/amqp/client.js';
import type { Static } from '../../../src/spec/index.js';
import type { ConnectionRuntime } from '../../../src/spec/runtime-contract.js';
import type { amqpConnection } from './definition.js';

// Typed by the definition: the connector's AmqpConnectionConfig must accept it.
export const runtime: ConnectionRuntime<Static<typeof amqpConnection.config>, AmqpClient> = {
  open: (config, ctx) => AmqpClient.open(config, ctx),
  close: (client) => client.close(),
  check: (config, ctx) => checkConnection(config, ctx.connectionId),
};
