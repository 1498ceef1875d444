/** What the shared sink needs from a database driver; one adapter per driver under drivers/. */
import type { Dialect, SqlValue } from './dialect.js';
import type { Row } from './rows.js';
import type { InsertBuilder } from './statement.js';

/**
 * How an error bears on a batch: `row` means some row's value was refused (a constraint, a type), so finding
 * that row lets the others through; `transient` means trying again later can work (connection lost, deadlock,
 * database restarting); `fatal` means no retry or split helps (a missing table, no permission).
 */
export type FailureKind = 'row' | 'transient' | 'fatal';

export interface SqlDriver {
  readonly dialect: Dialect;
  /** One statement in its own transaction; resolves once committed. */
  execute(sql: string, params?: SqlValue[]): Promise<void>;
  /** All rows in one transaction, or none: resolves once committed, rejects with nothing written. */
  insert(builder: InsertBuilder, rows: Row[]): Promise<void>;
  classify(err: unknown): FailureKind;
  /** The error as a user should read it (the server's message, its detail, a hint). */
  describe(err: unknown): string;
  close(): Promise<void>;
}
