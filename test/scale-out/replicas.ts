/**
 * Replicas for the scale-out tests: several real `sluice run` processes (the CLI from source, as in
 * test/support/cli.ts) on one flow file, each with its own identity from the environment, as a StatefulSet gives
 * each pod its HOSTNAME. Plus a PostgreSQL table the tests count ids in, and a poll helper.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { repoRoot } from '../support/cli.js';

export const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' } as const;

export interface Replica {
  name: string;
  /** Resolves once the runner logged that the flow runs; rejects if it exits first. */
  ready: Promise<void>;
  exited: Promise<number | null>;
  output(): string;
  kill(signal: NodeJS.Signals): void;
}

/** Starts `sluice run <flowFile>` with HOSTNAME=<name> (what a StatefulSet pod sees) and `env`. */
export function startReplica(name: string, flowFile: string, env: Record<string, string> = {}): Replica {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'run', flowFile, '--log-level', 'info', '--drain-timeout', '2000'],
    { cwd: repoRoot, env: { ...process.env, HOSTNAME: name, ...env } },
  );
  let out = '';
  let markReady: () => void = () => {};
  let fail: (err: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    fail = reject;
  });
  const onData = (d: Buffer) => {
    out += d.toString();
    if (/"msg":"running/.test(out)) markReady();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => {
      fail(new Error(`replica ${name} exited (${code}) before it ran:\n${out.slice(-2000)}`));
      resolve(code);
    });
  });
  return { name, ready, exited, output: () => out, kill: (sig) => child.kill(sig) };
}

/** Stops every replica still running (SIGKILL: the tests have what they need by then). */
export async function stopAll(replicas: Replica[]): Promise<void> {
  for (const r of replicas) r.kill('SIGKILL');
  await Promise.all(replicas.map((r) => r.exited));
}

/** A temporary directory with the flow written into it; `cleanup()` removes it. */
export function writeFlow(flow: object): { file: string; dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-scale-'));
  const file = join(dir, 'flow.json');
  writeFileSync(file, JSON.stringify(flow, null, 2));
  return { file, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A table of plain inserts (no key, so every duplicate is a row) and the counts the tests report. */
export class IdTable {
  private readonly client = new pg.Client(PG);
  constructor(readonly name: string) {}

  async create(): Promise<void> {
    await this.client.connect();
    await this.client.query(`CREATE TABLE "${this.name}" (msg_id text NOT NULL, detail text)`);
  }

  async counts(): Promise<{ rows: number; distinct: number }> {
    const r = await this.client.query<{ rows: string; distinct: string }>(
      `SELECT count(*) AS rows, count(DISTINCT msg_id) AS distinct FROM "${this.name}"`,
    );
    return { rows: Number(r.rows[0].rows), distinct: Number(r.rows[0].distinct) };
  }

  /** Ids of `expected` not in the table. */
  async missing(expected: string[]): Promise<string[]> {
    const r = await this.client.query<{ msg_id: string }>(`SELECT DISTINCT msg_id FROM "${this.name}"`);
    const seen = new Set(r.rows.map((row) => row.msg_id));
    return expected.filter((id) => !seen.has(id));
  }

  async count(where: string): Promise<number> {
    const r = await this.client.query<{ n: string }>(`SELECT count(*) AS n FROM "${this.name}" WHERE ${where}`);
    return Number(r.rows[0].n);
  }

  async drop(): Promise<void> {
    await this.client.query(`DROP TABLE IF EXISTS "${this.name}"`).catch(() => {});
    await this.client.end();
  }
}

/** Polls `check` until it returns true; rejects with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Polls the table until its distinct count stops changing for `quietMs` (or `timeoutMs` passes). */
export async function waitUntilQuiet(table: IdTable, quietMs: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let since = Date.now();
  for (;;) {
    const { distinct } = await table.counts();
    if (distinct !== last) {
      last = distinct;
      since = Date.now();
    } else if (Date.now() - since >= quietMs || Date.now() > deadline) {
      return distinct;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The PostgreSQL sink every scale-out flow ends in: one plain INSERT per message, no upsert key. */
export function pgSinkNode(table: string, detail: string) {
  return {
    id: 'store',
    type: 'postgres-out',
    name: table,
    position: { x: 400, y: 0 },
    config: {
      connection: 'pg',
      table,
      columns: { msg_id: 'payload.id', detail },
      types: { msg_id: 'text', detail: 'text' },
      key: [],
      createTable: false,
      batchSize: 500,
      lingerMs: 20,
    },
  };
}

export const pgConnection = {
  id: 'pg',
  kind: 'postgres',
  name: 'PostgreSQL',
  config: { host: PG.host, port: PG.port, database: PG.database, username: PG.user },
};

export const uniqueName = (prefix: string) =>
  `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
