/** MySQL and MariaDB through `mysql2`: a pool shared by the nodes of one connection, server-side prepared statements. */
import { isIP } from 'node:net';
import mysql from 'mysql2/promise';
import type { Logger } from '../../../spec/runtime-contract.js';
import { MYSQL_TLS_IP, type ServerConnectionConfig } from '../connection-schema.js';
import type { SqlValue } from '../dialect.js';
import { mysql as dialect } from '../dialects/mysql.js';
import type { FailureKind, SqlDriver } from '../driver.js';
import type { Row } from '../rows.js';
import type { InsertBuilder } from '../statement.js';
import { tlsOptions } from '../tls.js';
import { resolveServer } from '../url.js';

export const MYSQL_PROTOCOLS = ['mysql', 'mariadb'] as const;

export interface MysqlConnectionConfig extends ServerConnectionConfig {
  strict: boolean;
}

export function mysqlConfig(c: MysqlConnectionConfig): mysql.ConnectionOptions {
  const s = resolveServer(c, MYSQL_PROTOCOLS);
  const tls = tlsOptions(c);
  // mysql2 skips the certificate name check when the host is an IP address (found by test/nodes/sql/tls.test.ts).
  if (tls?.rejectUnauthorized && isIP(s.host)) throw new Error(MYSQL_TLS_IP);
  return {
    host: s.host,
    port: s.port,
    database: s.database,
    user: s.username,
    password: s.password,
    // mysql2 checks the certificate chain with rejectUnauthorized but the host name only with verifyIdentity.
    ssl: tls ? { ...tls, verifyIdentity: tls.rejectUnauthorized } : undefined,
    connectTimeout: c.connectTimeoutMs,
    charset: 'utf8mb4',
    // Dates are written as UTC wall time; the session time zone is UTC too (see sessionSetup).
    timezone: 'Z',
    enableKeepAlive: true,
    // Each batch size is its own prepared statement; keep the server's statement count bounded.
    maxPreparedStatements: 64,
    supportBigNumbers: true,
  };
}

function poolConfig(c: MysqlConnectionConfig): mysql.PoolOptions {
  return { ...mysqlConfig(c), connectionLimit: c.poolSize };
}

/**
 * Strict mode makes the server refuse a bad value instead of storing a truncated or zero one with a warning;
 * UTC makes TIMESTAMP columns store what Sluice sends.
 */
export function sessionSetup(strict: boolean): string {
  const mode = strict ? ", sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'STRICT_ALL_TABLES')" : '';
  return `SET SESSION time_zone = '+00:00'${mode}`;
}

interface MysqlError extends Error {
  errno?: number;
  code?: string;
  sqlState?: string;
  sqlMessage?: string;
  fatal?: boolean;
}

/** Server errors about one row's value: bad null, duplicate, out of range, truncation, wrong value, FK, CHECK, JSON. */
const ROW_ERRNOS = new Set([1048, 1062, 1264, 1265, 1292, 1364, 1366, 1367, 1406, 1451, 1452, 1690, 3140, 3819, 4025]);
/** Too many connections, shutdown, lock wait timeout, deadlock, interrupted, killed, gone away, lost, statement timeout. */
const TRANSIENT_ERRNOS = new Set([1040, 1053, 1205, 1213, 1317, 1927, 1969, 2006, 2013, 3024, 4031]);

export function classifyMysql(err: unknown): FailureKind {
  const e = err as MysqlError;
  if (typeof e?.errno === 'number' && e.sqlState !== undefined) {
    if (ROW_ERRNOS.has(e.errno) || /^2[23]/.test(e.sqlState)) return 'row';
    if (TRANSIENT_ERRNOS.has(e.errno) || e.sqlState === '40001' || /^08/.test(e.sqlState)) return 'transient';
    return 'fatal';
  }
  // No server error: a refused or dropped socket, a timeout, a closed connection.
  return 'transient';
}

export function describeMysql(err: unknown): string {
  const e = err as MysqlError;
  if (!(e instanceof Error)) return String(err);
  let text = e.sqlMessage ?? e.message ?? e.name;
  if (e.errno === 1146) text += ': create the table or turn on "Create the table if missing"';
  return text;
}

export class MysqlDriver implements SqlDriver {
  readonly dialect = dialect;

  constructor(
    readonly pool: mysql.Pool,
    private readonly timeoutMs: number,
  ) {}

  static open(c: MysqlConnectionConfig, log: Logger): MysqlDriver {
    const pool = mysql.createPool(poolConfig(c));
    const setup = sessionSetup(c.strict);
    // Runs on each new connection before any other command (commands queue in order on a connection).
    // The core pool's event: it hands over the callback-style connection.
    pool.pool.on('connection', (conn) => {
      conn.query(setup, (err) => {
        if (err) log.warn({ err: err.message }, 'MySQL session setup failed');
      });
    });
    return new MysqlDriver(pool, c.queryTimeoutMs);
  }

  /**
   * A connection for one unit of work. mysql2 keeps a connection whose statement timed out in the pool, busy
   * until the server finishes: drop it instead, so a hung server cannot stall every later write.
   */
  private async withConnection(work: (conn: mysql.PoolConnection) => Promise<void>): Promise<void> {
    const conn = await this.pool.getConnection();
    let dead = false;
    try {
      await work(conn);
    } catch (err) {
      const e = err as MysqlError;
      dead = e.fatal === true || e.code === 'PROTOCOL_SEQUENCE_TIMEOUT';
      throw err;
    } finally {
      if (dead) conn.destroy();
      else conn.release();
    }
  }

  private run(conn: mysql.PoolConnection, sql: string, values: SqlValue[]): Promise<unknown> {
    return conn.execute({ sql, values, timeout: this.timeoutMs });
  }

  execute(sql: string, params: SqlValue[] = []): Promise<void> {
    return this.withConnection(async (conn) => {
      await this.run(conn, sql, params);
    });
  }

  insert(builder: InsertBuilder, rows: Row[]): Promise<void> {
    return this.withConnection(async (conn) => {
      // One statement is its own transaction; bigger batches run several statements in one transaction.
      if (rows.length <= builder.maxRows) {
        await this.run(conn, builder.sql(rows.length), rows.flat());
        return;
      }
      await conn.beginTransaction();
      try {
        for (let i = 0; i < rows.length; i += builder.maxRows) {
          const chunk = rows.slice(i, i + builder.maxRows);
          await this.run(conn, builder.sql(chunk.length), chunk.flat());
        }
        await conn.commit();
      } catch (err) {
        await conn.rollback().catch(() => undefined);
        throw err;
      }
    });
  }

  classify = classifyMysql;
  describe = describeMysql;

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** `sluice check`: connect, one round trip, close. */
export async function checkMysql(c: MysqlConnectionConfig): Promise<void> {
  const conn = await mysql.createConnection(mysqlConfig(c));
  try {
    await conn.query('SELECT 1');
  } finally {
    await conn.end();
  }
}
