import { mysql } from '../../src/connectors/sql/dialects/mysql.js';
import type { SqlDriver } from '../../src/connectors/sql/driver.js';
import { createSqlSink } from '../../src/connectors/sql/sink.js';
import type { Static } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';
import type { mysqlOut } from './definition.js';

type Config = Static<typeof mysqlOut.config>;

export const create: CreateRuntime<Config> = (ctx) =>
  createSqlSink(ctx, {
    dialect: mysql,
    open: async () => ({ driver: await ctx.connection<SqlDriver>(ctx.config.connection) }),
  });
