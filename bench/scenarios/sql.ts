/**
 * Rows per second through each SQL sink: generate -> sink, batches of 500, every row acknowledged after its
 * commit. PostgreSQL and MariaDB on 127.0.0.1 (skipped when absent), SQLite in a temp file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { catalog } from '../../nodes/catalog.js';
import { Engine } from '../../src/runtime/engine.js';
import { type BenchResult, median, printResults } from '../types.js';

const COUNT = 50_000;
const RUNS = 3;

const MAPPING = {
  columns: { id: 'id', device: 'payload.device', temp: 'payload.temp', seq: 'payload.seq' },
  types: { id: 'text', device: 'text', temp: 'double', seq: 'integer' },
};

interface Target {
  name: string;
  type: string;
  connections: Array<{ id: string; kind: string; config: Record<string, unknown> }>;
  base: Record<string, unknown>;
  drop(table: string): Promise<void>;
  close(): Promise<void>;
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

async function once(t: Target, table: string, sink: Record<string, unknown>): Promise<number> {
  const engine = new Engine({ catalog });
  const flow = {
    format: 'sluice/flow@1',
    settings: { maxInFlight: 2000 },
    connections: t.connections,
    nodes: [
      {
        id: 'gen',
        type: 'generate',
        config: {
          intervalMs: 0,
          count: COUNT,
          payload: '{"device": "dev-" & ($seq % 10), "temp": $seq % 50, "seq": $seq}',
        },
      },
      {
        id: 'sink',
        type: t.type,
        config: { ...t.base, ...MAPPING, table, createTable: true, batchSize: 500, lingerMs: 20, ...sink },
      },
    ],
    edges: [{ source: 'gen', sourcePort: 'out', target: 'sink', targetPort: 'in' }],
  };
  const t0 = performance.now();
  await engine.start(flow);
  for (;;) {
    const c = engine.counters().gen;
    if ((c.acked ?? 0) + (c.nacked ?? 0) >= COUNT) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const ms = performance.now() - t0;
  const nacked = engine.counters().gen.nacked ?? 0;
  await engine.stop();
  if (nacked > 0) throw new Error(`${t.name}: ${nacked} messages failed`);
  return (COUNT / ms) * 1000;
}

async function measure(t: Target, label: string, sink: Record<string, unknown>): Promise<BenchResult> {
  const rates: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const table = `bench_${Date.now().toString(36)}_${i}`;
    try {
      const rate = await once(t, table, sink);
      if (i > 0) rates.push(rate); // the first run warms up (JIT, connections, compiled expressions)
    } finally {
      await t.drop(table);
    }
  }
  return {
    name: `${t.name}: ${label}`,
    value: median(rates),
    unit: 'rows/s',
    note: `median of ${RUNS} x ${COUNT.toLocaleString('en-US')}, batch 500`,
  };
}

async function targets(): Promise<{ list: Target[]; skipped: BenchResult[] }> {
  const list: Target[] = [];
  const skipped: BenchResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-sql-'));
  list.push({
    name: 'sqlite-out',
    type: 'sqlite-out',
    connections: [],
    base: { file: join(dir, 'bench.db') },
    drop: async () => undefined,
    close: async () => rmSync(dir, { recursive: true, force: true }),
  });
  if (await reachable(5432)) {
    const server = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
    const admin = new pg.Client(server);
    await admin.connect();
    list.push({
      name: 'postgres-out',
      type: 'postgres-out',
      connections: [{ id: 'db', kind: 'postgres', config: server }],
      base: { connection: 'db' },
      drop: async (table) => void (await admin.query(`DROP TABLE IF EXISTS ${table}`)),
      close: () => admin.end(),
    });
  } else skipped.push({ name: 'postgres-out: skipped, nothing on 127.0.0.1:5432', value: 0, unit: '' });
  if (await reachable(3306)) {
    const server = { host: '127.0.0.1', port: 3306, user: 'root', database: 'test' };
    const admin = await mysql.createConnection(server);
    list.push({
      name: 'mysql-out',
      type: 'mysql-out',
      connections: [{ id: 'db', kind: 'mysql', config: server }],
      base: { connection: 'db' },
      drop: async (table) => void (await admin.query(`DROP TABLE IF EXISTS ${table}`)),
      close: () => admin.end(),
    });
  } else skipped.push({ name: 'mysql-out: skipped, nothing on 127.0.0.1:3306', value: 0, unit: '' });
  return { list, skipped };
}

export async function run(): Promise<BenchResult[]> {
  const { list, skipped } = await targets();
  const out: BenchResult[] = [];
  try {
    for (const t of list) {
      out.push(await measure(t, 'insert', { key: [] }));
      out.push(await measure(t, 'upsert on id', { key: ['id'] }));
      if (t.type === 'sqlite-out')
        out.push(await measure(t, 'upsert, synchronous=normal', { key: ['id'], synchronous: 'normal' }));
    }
  } finally {
    for (const t of list) await t.close();
  }
  return [...out, ...skipped];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  printResults('sql', await run());
  process.exit(0);
}
