/**
 * Writes a batch of rows and says which rows failed. Transient errors retry the same rows with backoff; a
 * row error (a constraint, a type) splits the rows in halves until the bad ones stand alone, so one bad row
 * never fails its batch (about 2·log2(n) extra statements per bad row). A failed statement writes nothing,
 * so retrying a half cannot add a row twice.
 */
import { withRetry } from '../../kit/retry.js';
import { markFailure } from '../../spec/failure.js';
import type { SqlDriver } from './driver.js';
import type { Row } from './rows.js';
import type { InsertBuilder } from './statement.js';

export interface WriterOptions {
  attempts: number;
  baseMs: number;
  maxMs: number;
  signal?: AbortSignal;
  /** Runs before each attempt until it succeeds once (create the table). */
  prepare: () => Promise<void>;
  /** Reports for status: a write landed, or the database is unreachable (will retry), or refuses the write as a whole. */
  onSuccess?: () => void;
  onTransient?: (reason: string) => void;
  onFatal?: (reason: string) => void;
  /** Upsert key positions in a row and what a duplicate key in one batch keeps (the last for update, else the first). */
  key?: { indexes: number[]; keep: 'last' | 'first' };
}

export class WriteError extends Error {}

export class BatchWriter {
  constructor(
    private readonly driver: SqlDriver,
    private readonly builder: InsertBuilder,
    private readonly o: WriterOptions,
  ) {}

  /** Index -> error for each row that was not written; the rest are committed. */
  async write(rows: Row[]): Promise<Map<number, Error>> {
    const failures = new Map<number, Error>();
    const { unique, sameAs } = this.dedupe(rows);
    await this.writeSome(rows, unique, failures);
    for (const [dup, kept] of sameAs) {
      const err = failures.get(kept);
      if (err) failures.set(dup, err);
    }
    return failures;
  }

  private async writeSome(rows: Row[], idx: number[], failures: Map<number, Error>): Promise<void> {
    if (this.o.signal?.aborted) {
      // Stopping past the drain deadline: the engine has nacked these already; do not wait on the database.
      const stopping = new WriteError('the flow is stopping');
      for (const i of idx) failures.set(i, stopping);
      return;
    }
    try {
      await this.attempt(idx.map((i) => rows[i]));
      this.o.onSuccess?.();
    } catch (err) {
      const kind = this.driver.classify(err);
      const reason = this.driver.describe(err);
      if (kind === 'row' && idx.length > 1) {
        const mid = idx.length >> 1;
        await this.writeSome(rows, idx.slice(0, mid), failures);
        await this.writeSome(rows, idx.slice(mid), failures);
        return;
      }
      // A refused row is this message's own fault (deterministic); an unreachable database or a refused write as a
      // whole (a missing table, no permission) fails every message alike, so it stays transient: redeliver, not drop.
      const error =
        kind === 'row'
          ? markFailure(new WriteError(`the database refused the row: ${reason}`), 'deterministic')
          : kind === 'transient'
            ? new WriteError(`the database is unreachable after ${this.o.attempts} attempts: ${reason}`)
            : new WriteError(`the database refused the write: ${reason}`);
      if (kind === 'fatal') this.o.onFatal?.(reason);
      for (const i of idx) failures.set(i, error);
    }
  }

  private attempt(rows: Row[]): Promise<void> {
    return withRetry(
      async () => {
        await this.o.prepare();
        await this.driver.insert(this.builder, rows);
      },
      {
        attempts: this.o.attempts,
        baseMs: this.o.baseMs,
        maxMs: this.o.maxMs,
        signal: this.o.signal,
        retryable: (err) => this.driver.classify(err) === 'transient',
        onRetry: (err) => this.o.onTransient?.(this.driver.describe(err)),
      },
    );
  }

  /**
   * One row per key per statement: PostgreSQL refuses an upsert that touches a row twice, and applying only the
   * row that sequential writes would leave gives the same result everywhere. Rows with a NULL key part never conflict.
   */
  private dedupe(rows: Row[]): { unique: number[]; sameAs: Map<number, number> } {
    const all = rows.map((_, i) => i);
    const key = this.o.key;
    if (!key || key.indexes.length === 0) return { unique: all, sameAs: new Map() };
    const owner = new Map<string, number>();
    const sameAs = new Map<number, number>();
    const order = key.keep === 'last' ? [...all].reverse() : all;
    for (const i of order) {
      const parts = key.indexes.map((k) => rows[i][k]);
      if (parts.some((p) => p === null)) continue;
      const k = parts.map(keyText).join('\u0000');
      const first = owner.get(k);
      if (first === undefined) owner.set(k, i);
      else sameAs.set(i, first);
    }
    return { unique: all.filter((i) => !sameAs.has(i)), sameAs };
  }
}

function keyText(v: unknown): string {
  if (v instanceof Date) return `d:${v.toISOString()}`;
  if (v instanceof Uint8Array) return `b:${Buffer.from(v).toString('hex')}`;
  // 1 and '1' are the same key to the database once the column's type converts them.
  return String(v);
}
