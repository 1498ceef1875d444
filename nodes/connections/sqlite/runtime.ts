import { checkSqlite, type SqliteConfig, SqliteDriver } from '../../../src/connectors/sql/drivers/sqlite.js';
import type { ConnectionRuntime } from '../../../src/spec/runtime-contract.js';

export const runtime: ConnectionRuntime<SqliteConfig, SqliteDriver> = {
  open: async (config) => SqliteDriver.open(config),
  close: (driver) => driver.close(),
  check: (config) => checkSqlite(config),
};
