/**
 * The three databases the SQL sinks are tested against, behind one interface: a fresh place to write, a plain
 * client (not the code under test) to read back with, and a way to kill the sink's connections.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { FlowConnection } from '../../../src/flow/document.js';
import { requireService } from '../../support/services.js';
import { TcpProxy } from '../../support/tcp-proxy.js';

export type Row = Record<string, unknown>;

export interface Target {
  name: 'postgres' | 'mysql' | 'sqlite';
  sinkType: string;
  available(): Promise<boolean>;
  open(): Promise<TargetHandle>;
}

export interface TargetHandle {
  connections: FlowConnection[];
  /** The sink config fields that pick the database (`connection` or `file`). */
  sinkBase: Record<string, unknown>;
  query(sql: string): Promise<Row[]>;
  exec(sql: string): Promise<void>;
  /** A unique table name, dropped by close(). */
  table(prefix: string): string;
  /** Kill the server connections the sink has open on `table`'s database; how many were killed. */
  killSinkConnections(table: string): Promise<number>;
  /** A TCP proxy between sink and server (server databases only), for outages. */
  proxy?: TcpProxy;
  /** The same database reached through the proxy. */
  proxiedConnections?: FlowConnection[];
  close(): Promise<void>;
}

let seq = 0;
const unique = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${process.pid}_${++seq}`;

export const postgresTarget: Target = {
  name: 'postgres',
  sinkType: 'postgres-out',
  available: () => requireService('postgres'),
  async open() {
    const server = { host: '127.0.0.1', port: 5432, username: 'postgres', database: 'test' };
    const admin = new pg.Client({ ...server, user: server.username });
    await admin.connect();
    const tables: string[] = [];
    const proxy = new TcpProxy(5432);
    await proxy.up();
    return {
      connections: [{ id: 'db', kind: 'postgres', config: server }],
      proxiedConnections: [
        { id: 'db', kind: 'postgres', config: { ...server, port: proxy.port, connectTimeoutMs: 1000 } },
      ],
      proxy,
      sinkBase: { connection: 'db' },
      query: async (sql) => (await admin.query(sql)).rows,
      exec: async (sql) => {
        await admin.query(sql);
      },
      table: (prefix) => {
        const t = unique(prefix);
        tables.push(t);
        return t;
      },
      async killSinkConnections(table) {
        // The sink's connections are the ones whose last statement touched this (unique) table.
        const r = await admin.query(
          `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
           WHERE application_name = 'sluice' AND pid <> pg_backend_pid() AND query LIKE $1`,
          [`%${table}%`],
        );
        return r.rows.filter((x) => x.killed).length;
      },
      async close() {
        await proxy.down();
        for (const t of tables) await admin.query(`DROP TABLE IF EXISTS ${t}`);
        await admin.end();
      },
    };
  },
};

export const mysqlTarget: Target = {
  name: 'mysql',
  sinkType: 'mysql-out',
  available: () => requireService('mariadb'),
  async open() {
    // A database of its own, so that KILL can pick exactly the sink's connections.
    const database = unique('sluice_t');
    const admin = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', timezone: 'Z' });
    await admin.query(`CREATE DATABASE ${database} CHARACTER SET utf8mb4`);
    await admin.query(`USE ${database}`);
    const server = { host: '127.0.0.1', port: 3306, username: 'root', database };
    const proxy = new TcpProxy(3306);
    await proxy.up();
    return {
      connections: [{ id: 'db', kind: 'mysql', config: server }],
      proxiedConnections: [
        { id: 'db', kind: 'mysql', config: { ...server, port: proxy.port, connectTimeoutMs: 1000 } },
      ],
      proxy,
      sinkBase: { connection: 'db' },
      query: async (sql) => (await admin.query<mysql.RowDataPacket[]>(sql))[0],
      exec: async (sql) => {
        await admin.query(sql);
      },
      table: (prefix) => unique(prefix),
      async killSinkConnections() {
        const [rows] = await admin.query<mysql.RowDataPacket[]>(
          'SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()',
          [database],
        );
        for (const r of rows) await admin.query(`KILL ${Number(r.ID)}`).catch(() => undefined);
        return rows.length;
      },
      async close() {
        await proxy.down();
        await admin.query(`DROP DATABASE IF EXISTS ${database}`);
        await admin.end();
      },
    };
  },
};

export const sqliteTarget: Target = {
  name: 'sqlite',
  sinkType: 'sqlite-out',
  available: async () => true,
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-sqlite-'));
    const file = join(dir, 'test.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    return {
      connections: [],
      sinkBase: { file },
      query: async (sql) => db.prepare(sql).all() as Row[],
      exec: async (sql) => {
        db.exec(sql);
      },
      table: (prefix) => unique(prefix),
      killSinkConnections: async () => 0,
      async close() {
        db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
