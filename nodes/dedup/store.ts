/**
 * The durable side of dedup: keys in a SQLite file (WAL, synchronous NORMAL), one table shared by every dedup node
 * that uses the file, rows scoped by flow and node. Written when a message's source is about to be acknowledged;
 * read when a key is not in memory. Pruned to the bound as it grows.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { allowedSqliteFile } from '../../src/kit/index.js';

/** Prune after this many writes: a few hundred microseconds of work amortised over many messages. */
const PRUNE_EVERY = 1000;

export class DurableKeys {
  private readonly db: Database.Database;
  private readonly find: Database.Statement<[string, string], { seen_at: number }>;
  private readonly put: Database.Statement<[string, string, number]>;
  private readonly pruneOld: Database.Statement<[string, number]>;
  private readonly pruneOver: Database.Statement<[{ scope: string; keep: number }]>;
  private writes = 0;

  constructor(
    file: string,
    private readonly scope: string,
    private readonly maxKeys: number,
    private readonly windowMs: number,
  ) {
    const path = allowedSqliteFile(file);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path, { timeout: 5000 });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS sluice_dedup (scope TEXT NOT NULL, key TEXT NOT NULL, seen_at INTEGER NOT NULL, PRIMARY KEY (scope, key)) WITHOUT ROWID',
    );
    this.db.exec('CREATE INDEX IF NOT EXISTS sluice_dedup_age ON sluice_dedup (scope, seen_at)');
    this.find = this.db.prepare('SELECT seen_at FROM sluice_dedup WHERE scope = ? AND key = ?');
    this.put = this.db.prepare('INSERT OR REPLACE INTO sluice_dedup (scope, key, seen_at) VALUES (?, ?, ?)');
    this.pruneOld = this.db.prepare('DELETE FROM sluice_dedup WHERE scope = ? AND seen_at < ?');
    this.pruneOver = this.db.prepare(
      `DELETE FROM sluice_dedup WHERE scope = @scope AND key IN (
         SELECT key FROM sluice_dedup WHERE scope = @scope ORDER BY seen_at DESC LIMIT -1 OFFSET @keep)`,
    );
    this.prune(Date.now());
  }

  /** When the key was seen, or undefined. */
  seenAt(key: string): number | undefined {
    return this.find.get(this.scope, key)?.seen_at;
  }

  record(key: string, at: number): void {
    this.put.run(this.scope, key, at);
    if (++this.writes % PRUNE_EVERY === 0) this.prune(at);
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM sluice_dedup WHERE scope = ?').get(this.scope) as { n: number })
      .n;
  }

  private prune(now: number): void {
    if (this.windowMs > 0) this.pruneOld.run(this.scope, now - this.windowMs);
    this.pruneOver.run({ scope: this.scope, keep: this.maxKeys });
  }

  close(): void {
    this.db.close();
  }
}
