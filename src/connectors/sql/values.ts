/** Turn an expression's result into a bound parameter for a column of a declared (or no) type. */
import { DeterministicError } from '../../spec/failure.js';
import type { Dialect, SqlValue } from './dialect.js';
import type { ColumnType } from './schema.js';

/** A value the column cannot take: this message's row will never be written. */
export class ValueError extends DeterministicError {}

function toDate(v: unknown, column: string): Date {
  const d = v instanceof Date ? v : typeof v === 'number' || typeof v === 'string' ? new Date(v) : undefined;
  if (!d || Number.isNaN(d.getTime())) {
    throw new ValueError(`column "${column}": ${JSON.stringify(v)} is not a timestamp (epoch ms or ISO 8601)`);
  }
  return d;
}

/**
 * Missing values are NULL. Objects and arrays become JSON text (never handed to a driver, which could expand
 * them into SQL fragments or array literals). A `json` column always gets JSON text, strings included.
 */
export function encodeValue(v: unknown, type: ColumnType | undefined, column: string, d: Dialect): SqlValue {
  if (v === undefined || v === null) return null;
  if (type === 'json') return JSON.stringify(v);
  if (type === 'timestamp') return d.bind(toDate(v, column));
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'bigint':
    case 'boolean':
      return d.bind(v);
    case 'object':
      if (v instanceof Date || v instanceof Uint8Array) return d.bind(v);
      return JSON.stringify(v);
    default:
      throw new ValueError(`column "${column}": a ${typeof v} is not a value`);
  }
}
