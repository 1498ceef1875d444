import type { ServerConnectionConfig } from '../../../src/connectors/sql/connection-schema.js';
import { checkPg, PgDriver } from '../../../src/connectors/sql/drivers/pg.js';
import type { ConnectionRuntime } from '../../../src/spec/runtime-contract.js';

/** The shared client is the driver (a pg pool); it connects lazily, so a database that is down does not stop the flow. */
export const runtime: ConnectionRuntime<ServerConnectionConfig, PgDriver> = {
  open: async (config, ctx) => PgDriver.open(config, ctx.log),
  close: (driver) => driver.close(),
  check: (config) => checkPg(config),
};
