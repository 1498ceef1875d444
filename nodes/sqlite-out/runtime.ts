import { sqlite } from '../../src/connectors/sql/dialects/sqlite.js';
import type { SqlDriver } from '../../src/connectors/sql/driver.js';
import { type SqliteConfig, SqliteDriver } from '../../src/connectors/sql/drivers/sqlite.js';
import { createSqlSink } from '../../src/connectors/sql/sink.js';
import type { Static } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';
import type { sqliteOut } from './definition.js';

type Config = Static<typeof sqliteOut.config>;

export const create: CreateRuntime<Config> = (ctx) => {
  const c = ctx.config;
  return createSqlSink(ctx, {
    dialect: sqlite,
    strictTables: c.strict,
    open: async () => {
      if (c.connection) return { driver: await ctx.connection<SqlDriver>(c.connection) };
      // No connection: the node owns its database (closed when the node stops).
      const file: SqliteConfig = {
        file: c.file,
        synchronous: c.synchronous === 'normal' ? 'normal' : 'full',
        busyTimeoutMs: c.busyTimeoutMs,
      };
      const driver = SqliteDriver.open(file);
      return { driver, release: () => driver.close() };
    },
  });
};
