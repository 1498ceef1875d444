import { postgres } from '../../src/connectors/sql/dialects/postgres.js';
import type { SqlDriver } from '../../src/connectors/sql/driver.js';
import { createSqlSink } from '../../src/connectors/sql/sink.js';
import type { Static } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';
import type { postgresOut } from './definition.js';

type Config = Static<typeof postgresOut.config>;

export const create: CreateRuntime<Config> = (ctx) =>
  createSqlSink(ctx, {
    dialect: postgres,
    open: async () => ({ driver: await ctx.connection<SqlDriver>(ctx.config.connection) }),
  });
