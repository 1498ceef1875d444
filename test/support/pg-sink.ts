/** A PostgreSQL sink's table seen from a test, with the sink's connection going through a TCP proxy to cut. */
import pg from 'pg';
import { TcpProxy } from './tcp-proxy.js';

export const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };

/** A sink creates its table on its first write: until then a probe sees no rows instead of an error. */
export async function rowsOrNone(
  db: pg.Client,
  sql: string,
  params?: unknown[],
): Promise<Array<Record<string, unknown>>> {
  try {
    return (await db.query(sql, params)).rows as Array<Record<string, unknown>>;
  } catch (err) {
    if ((err as { code?: string }).code === '42P01') return []; // undefined_table
    throw err;
  }
}

export interface PgBehindProxy {
  db: pg.Client;
  /** A fresh table name for the sink to create. */
  table: string;
  /** Point the sink's connection at `proxy.port`; `down()`/`up()` make the outage. */
  proxy: TcpProxy;
  count(): Promise<number>;
  has(id: string): Promise<boolean>;
  /** Every stored `id`, sorted. */
  ids(): Promise<string[]>;
  /** Drops the table, closes the client and the proxy. */
  close(): Promise<void>;
}

export async function postgresBehindProxy(prefix: string): Promise<PgBehindProxy> {
  const db = new pg.Client(PG);
  await db.connect();
  const table = `${prefix}_${Date.now().toString(36)}_${process.pid}`;
  const proxy = new TcpProxy(PG.port);
  await proxy.up();
  return {
    db,
    table,
    proxy,
    count: async () => Number((await rowsOrNone(db, `SELECT count(*) AS n FROM ${table}`))[0]?.n ?? 0),
    has: async (id) => (await rowsOrNone(db, `SELECT 1 FROM ${table} WHERE id = $1`, [id])).length === 1,
    ids: async () => (await rowsOrNone(db, `SELECT id FROM ${table}`)).map((r) => String(r.id)).sort(),
    close: async () => {
      await proxy.down().catch(() => undefined);
      await db.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
      await db.end().catch(() => undefined);
    },
  };
}
