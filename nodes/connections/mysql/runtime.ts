import { checkMysql, type MysqlConnectionConfig, MysqlDriver } from '../../../src/connectors/sql/drivers/mysql.js';
import type { ConnectionRuntime } from '../../../src/spec/runtime-contract.js';

/** The shared client is the driver (a mysql2 pool); it connects lazily. */
export const runtime: ConnectionRuntime<MysqlConnectionConfig, MysqlDriver> = {
  open: async (config, ctx) => MysqlDriver.open(config, ctx.log),
  close: (driver) => driver.close(),
  check: (config) => checkMysql(config),
};
