/**
 * The SQL sink all three database nodes run: map each message to a row (handle), batch rows (size + linger),
 * write each batch in one transaction, and resolve each message's handle only once its row is committed.
 * Bad rows fail alone; transient errors retry; status follows the database.
 */
import { Batcher } from '../../kit/batcher.js';
import { problemStatus } from '../../kit/problem-text.js';
import { isThenable } from '../../kit/thenable.js';
import type { Message } from '../../spec/index.js';
import type { NodeContext, NodeRuntime } from '../../spec/runtime-contract.js';
import type { Dialect } from './dialect.js';
import type { SqlDriver } from './driver.js';
import { Health } from './health.js';
import { type Row, RowMapper } from './rows.js';
import { COLUMN_TYPES, type ColumnType, type SqlSinkConfig } from './schema.js';
import { checkPlan, createTableSql, InsertBuilder, quoteTable, type TablePlan } from './statement.js';
import { BatchWriter } from './writer.js';

export interface OpenedDriver {
  driver: SqlDriver;
  /** Set when the node opened the driver itself (not a shared connection): closes it. */
  release?: () => Promise<void>;
}

export interface SqlSinkSetup {
  dialect: Dialect;
  open: () => Promise<OpenedDriver>;
  /** SQLite: create STRICT tables (values must match the column types). */
  strictTables?: boolean;
}

/** Reconnect probes (a SELECT) back off up to this; writes use the node's own retry settings. */
const PROBE_MAX_MS = 10_000;

function isColumnType(t: string): t is ColumnType {
  return (COLUMN_TYPES as readonly string[]).includes(t);
}

export function planOf(c: SqlSinkConfig): TablePlan {
  const types: Partial<Record<string, ColumnType>> = {};
  for (const [column, type] of Object.entries(c.types ?? {})) {
    if (!isColumnType(type)) throw new Error(`column "${column}": unknown type "${type}" (${COLUMN_TYPES.join(', ')})`);
    types[column] = type;
  }
  return checkPlan({
    table: c.table,
    columns: Object.keys(c.columns),
    types,
    key: c.key,
    onConflict: c.onConflict === 'nothing' ? 'nothing' : 'update',
  });
}

export function createSqlSink(ctx: NodeContext<SqlSinkConfig>, setup: SqlSinkSetup): NodeRuntime {
  const c = ctx.config;
  const d = setup.dialect;
  // Everything that can be wrong with the config fails here, at start-up, not per message.
  const plan = planOf(c);
  const mapper = new RowMapper(c.columns, plan.types, d, { timeoutMs: c.timeoutMs });
  const builder = new InsertBuilder(d, plan);
  const createSql = c.createTable ? createTableSql(d, plan, { strict: setup.strictTables ?? false }) : undefined;
  // Proves the table and every mapped column exist, without reading a row.
  const checkSql = `SELECT ${plan.columns.map(d.quote).join(', ')} FROM ${quoteTable(d, plan.table)} WHERE 1 = 0`;

  let opened: OpenedDriver | undefined;
  let prepared = false;
  let preparing: Promise<void> | undefined;
  const driver = (): SqlDriver => {
    if (!opened) throw new Error('the sink has not started');
    return opened.driver;
  };
  const createAndCheck = async () => {
    if (createSql) {
      try {
        await driver().execute(createSql);
      } catch (err) {
        // Two concurrent CREATE TABLE IF NOT EXISTS can collide in PostgreSQL; fine if the table is there now.
        await driver()
          .execute(checkSql)
          .catch(() => Promise.reject(err));
      }
    }
    await driver().execute(checkSql);
    prepared = true;
  };
  /** Once per sink, single flight: the status probe and the first batch share it. */
  const prepare = (): Promise<void> => {
    if (prepared) return Promise.resolve();
    preparing ??= createAndCheck().finally(() => {
      preparing = undefined;
    });
    return preparing;
  };
  const probe = () => (prepared ? driver().execute(checkSql) : prepare());
  const health = new Health({
    status: problemStatus(
      `${d.name}-out`,
      ctx.nodeId,
      'check the connection settings and that the database is reachable',
      (s) => {
        if (s.state === 'error') ctx.log.warn({ reason: s.reason }, 'database sink not writing');
        else if (s.state === 'connected') ctx.log.info('database sink connected');
        ctx.status(s);
      },
    ),
    signal: ctx.signal,
    probe,
    describe: (err) => driver().describe(err),
    baseMs: c.retryDelayMs,
    maxMs: PROBE_MAX_MS,
  });

  let writer: BatchWriter | undefined;
  const batcher = new Batcher<Row>({
    maxSize: c.batchSize,
    lingerMs: c.lingerMs,
    flush: async (rows) => {
      const failures = await writer!.write(rows);
      const first = failures.values().next();
      if (!first.done) throw first.value;
    },
    flushPartial: (rows) => writer!.write(rows),
  });

  return {
    async start() {
      opened = await setup.open();
      writer = new BatchWriter(opened.driver, builder, {
        attempts: c.attempts,
        baseMs: c.retryDelayMs,
        maxMs: c.retryMaxDelayMs,
        signal: ctx.signal,
        prepare,
        onSuccess: () => health.ok(),
        onTransient: (reason) => health.down(reason),
        onFatal: (reason) => health.refused(reason),
        key: {
          indexes: plan.key.map((k) => plan.columns.indexOf(k)),
          keep: c.onConflict === 'update' ? 'last' : 'first',
        },
      });
      health.start();
    },

    handle(msg: Message) {
      const row = mapper.row(msg);
      return isThenable(row) ? row.then((r) => batcher.add(r)) : batcher.add(row);
    },

    async stop() {
      await batcher.close();
      await opened?.release?.();
    },

    snapshot: () => ({ pending: batcher.size, table: plan.table }),
  };
}
