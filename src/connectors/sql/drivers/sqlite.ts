/** SQLite through `better-sqlite3` (synchronous, in-process): WAL journal, one prepared single-row INSERT per batch. */
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { allowedSqliteFile } from '../../../kit/sqlite-path.js';
import type { SqlValue } from '../dialect.js';
import { sqlite } from '../dialects/sqlite.js';
import type { FailureKind, SqlDriver } from '../driver.js';
import type { Row } from '../rows.js';
import type { InsertBuilder } from '../statement.js';

export interface SqliteConfig {
  file: string;
  /** `full` syncs each commit to disk (survives power loss); `normal` only the WAL checkpoints (survives a crash). */
  synchronous: 'full' | 'normal';
  busyTimeoutMs: number;
}

export function openDatabase(c: SqliteConfig): Database.Database {
  const file = allowedSqliteFile(c.file);
  let db: Database.Database;
  try {
    db = new Database(file, { timeout: c.busyTimeoutMs });
  } catch (err) {
    throw new Error(`cannot open SQLite database ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${c.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  return db;
}

/** Row problems (constraint, STRICT type, too big, a value the binding refuses) vs a busy or failing disk. */
export function classifySqlite(err: unknown): FailureKind {
  if (err instanceof Database.SqliteError) {
    const code = err.code;
    if (/^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/.test(code)) return 'row';
    if (/^SQLITE_(BUSY|LOCKED|IOERR|FULL|PROTOCOL|CANTOPEN)/.test(code)) return 'transient';
    return 'fatal';
  }
  // better-sqlite3 throws TypeError/RangeError for a value it cannot bind.
  if (err instanceof TypeError || err instanceof RangeError) return 'row';
  return 'fatal';
}

export function describeSqlite(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  let text = err.message;
  if (/^no such table/.test(text)) text += ': create the table or turn on "Create the table if missing"';
  return text;
}

export class SqliteDriver implements SqlDriver {
  readonly dialect = sqlite;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(readonly db: Database.Database) {}

  static open(c: SqliteConfig): SqliteDriver {
    return new SqliteDriver(openDatabase(c));
  }

  private prepare(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      if (this.statements.size < 32) this.statements.set(sql, stmt);
    }
    return stmt;
  }

  async execute(sql: string, params: SqlValue[] = []): Promise<void> {
    const stmt = this.prepare(sql);
    if (stmt.reader) stmt.all(params);
    else stmt.run(params);
  }

  async insert(builder: InsertBuilder, rows: Row[]): Promise<void> {
    // A prepared one-row statement in a transaction is SQLite's fastest bulk path (no SQL text per batch size).
    const stmt = this.prepare(builder.sql(1));
    this.db.transaction(() => {
      for (const row of rows) stmt.run(row);
    })();
  }

  classify = classifySqlite;
  describe = describeSqlite;

  async close(): Promise<void> {
    this.statements.clear();
    if (this.db.open) this.db.close();
  }
}

/** `sluice check`: an existing file must open and answer; a missing one needs a writable directory. */
export async function checkSqlite(c: SqliteConfig): Promise<void> {
  if (c.file === ':memory:') return;
  const file = allowedSqliteFile(c.file);
  if (!existsSync(file)) {
    try {
      accessSync(dirname(file), constants.W_OK);
    } catch {
      throw new Error(`${file} does not exist and its directory is not writable`);
    }
    return;
  }
  const db = new Database(file, { fileMustExist: true, timeout: c.busyTimeoutMs });
  try {
    db.prepare('SELECT 1').get();
  } finally {
    db.close();
  }
}
