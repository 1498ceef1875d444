/** What differs between SQL databases when Sluice writes rows: quoting, placeholders, types, upsert syntax. */
import type { ColumnType } from './schema.js';

/** A value a driver binds as a parameter. */
export type SqlValue = string | number | bigint | boolean | null | Date | Uint8Array;

export interface Dialect {
  readonly name: 'postgres' | 'mysql' | 'sqlite';
  /** Quote a name already checked against SAFE_IDENTIFIER (quote characters are doubled anyway). */
  quote(name: string): string;
  /** The placeholder of the n-th parameter (1-based). */
  placeholder(n: number): string;
  /** The column type in CREATE TABLE ('' for none); undefined when this dialect needs a declared type. */
  columnType(type: ColumnType | undefined, o: { key: boolean; strict: boolean }): string | undefined;
  /** The clause after `VALUES (...)`: update the `update` columns, or keep the row when there are none. */
  upsert(key: string[], update: string[]): string;
  /** After CREATE TABLE's closing parenthesis (engine, charset, STRICT). */
  tableOptions(strict: boolean): string;
  /** Bound parameters per statement at most. */
  readonly maxParams: number;
  /** A driver-ready value: each driver binds a slightly different set of JS types. */
  bind(value: SqlValue): SqlValue;
}

export function quoteWith(q: string): (name: string) => string {
  return (name) => q + name.split(q).join(q + q) + q;
}
