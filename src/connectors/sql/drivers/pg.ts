/** PostgreSQL through `pg`: a pool shared by the nodes of one connection. */
import pg from 'pg';
import type { Logger } from '../../../spec/runtime-contract.js';
import type { ServerConnectionConfig } from '../connection-schema.js';
import type { SqlValue } from '../dialect.js';
import { postgres } from '../dialects/postgres.js';
import type { FailureKind, SqlDriver } from '../driver.js';
import type { Row } from '../rows.js';
import type { InsertBuilder } from '../statement.js';
import { tlsOptions } from '../tls.js';
import { resolveServer } from '../url.js';

export const PG_PROTOCOLS = ['postgres', 'postgresql'] as const;

export function pgConfig(c: ServerConnectionConfig): pg.PoolConfig {
  const s = resolveServer(c, PG_PROTOCOLS);
  return {
    host: s.host,
    port: s.port,
    database: s.database,
    user: s.username,
    password: s.password,
    ssl: tlsOptions(c) ?? false,
    max: c.poolSize,
    connectionTimeoutMillis: c.connectTimeoutMs,
    // Client-side: the query fails and pool.query drops its client.
    query_timeout: c.queryTimeoutMs,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    application_name: 'sluice',
  };
}

/**
 * SQLSTATE classes: 21 cardinality (an upsert touching a row twice), 22 data exception, 23 integrity constraint,
 * 54 limit exceeded (a value too big).
 */
const ROW_CLASSES = new Set(['21', '22', '23', '54']);
/** 08 connection, 40 rollback (deadlock, serialization), 53 resources, 57 operator intervention (shutdown, cancel), 58 system. */
const TRANSIENT_CLASSES = new Set(['08', '40', '53', '57', '58']);

export function classifyPg(err: unknown): FailureKind {
  if (err instanceof pg.DatabaseError) {
    const cls = (err.code ?? '').slice(0, 2);
    if (ROW_CLASSES.has(cls)) return 'row';
    if (TRANSIENT_CLASSES.has(cls) || err.code === '55P03') return 'transient';
    return 'fatal';
  }
  // Not a server answer: a refused or dropped socket, a timeout, a pool that could not connect.
  return 'transient';
}

export function describePg(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (!(err instanceof pg.DatabaseError)) return err.message || err.name;
  let text = err.message;
  if (err.detail) text += ` (${err.detail})`;
  if (err.code === '42P01') text += ': create the table or turn on "Create the table if missing"';
  if (err.code === '42P10')
    text += ': the upsert key needs a primary key or unique constraint on exactly those columns';
  return text;
}

export class PgDriver implements SqlDriver {
  readonly dialect = postgres;

  constructor(readonly pool: pg.Pool) {}

  static open(c: ServerConnectionConfig, log: Logger): PgDriver {
    const pool = new pg.Pool(pgConfig(c));
    // An idle client whose server went away emits here; without a listener that would crash the process.
    pool.on('error', (err) => log.warn({ err: err.message }, 'an idle PostgreSQL connection failed'));
    return new PgDriver(pool);
  }

  async execute(sql: string, params: SqlValue[] = []): Promise<void> {
    await this.pool.query(sql, params);
  }

  async insert(builder: InsertBuilder, rows: Row[]): Promise<void> {
    // One statement is its own transaction; bigger batches run several statements in one transaction.
    if (rows.length <= builder.maxRows) return this.execute(builder.sql(rows.length), rows.flat());
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      for (let i = 0; i < rows.length; i += builder.maxRows) {
        const chunk = rows.slice(i, i + builder.maxRows);
        await client.query(builder.sql(chunk.length), chunk.flat());
      }
      await client.query('COMMIT');
    } catch (err) {
      // A server error leaves a usable connection; anything else (timeout, lost socket) drops it.
      if (!(err instanceof pg.DatabaseError)) broken = err instanceof Error ? err : new Error(String(err));
      else {
        await client.query('ROLLBACK').catch((e: Error) => {
          broken = e;
        });
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  classify = classifyPg;
  describe = describePg;

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** `sluice check`: connect, one round trip, close. */
export async function checkPg(c: ServerConnectionConfig): Promise<void> {
  const client = new pg.Client({ ...pgConfig(c), connectionTimeoutMillis: c.connectTimeoutMs });
  await client.connect();
  try {
    await client.query('SELECT 1');
  } finally {
    await client.end();
  }
}
