/**
 * CSV for the `csv` payload codec (and the csv node's defaults): a message is one CSV document. Decoding reads the
 * first line as the header and gives an array of row objects (values as text); encoding writes objects under a header
 * line (the union of their keys, in first-seen order) and arrays as plain rows. csv-parse / csv-stringify do the
 * quoting, so fields with commas, quotes and newlines round-trip.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { DeterministicError } from '../spec/failure.js';

export type CsvRow = Record<string, string>;

/** Parse a CSV document with a header line into row objects. Throws with csv-parse's reason (line and column). */
export function parseCsv(text: string): CsvRow[] {
  return parse(text, { columns: true, skip_empty_lines: true, bom: true }) as CsvRow[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** The header of `rows`: every key of every row object, in the order first seen. */
export function columnsOf(rows: readonly Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}

/**
 * A payload as a CSV document: an array of objects (header line + one row each), one object (header + one row), an
 * array of arrays (rows, no header), or a string (taken as CSV already). Objects and arrays inside a cell are
 * written as JSON. Anything else is an EncodeError-like deterministic failure.
 */
export function stringifyCsv(payload: unknown, what = 'payload'): string {
  if (typeof payload === 'string') return payload;
  const rows = isRecord(payload) ? [payload] : payload;
  if (!Array.isArray(rows)) {
    const kind = payload === null ? 'null' : payload instanceof Uint8Array ? 'bytes' : typeof payload;
    throw new DeterministicError(`the csv codec cannot write a ${kind} ${what}: give an array of rows or an object`);
  }
  if (rows.length === 0) return '';
  const cast = { object: (v: object) => JSON.stringify(v), boolean: (v: boolean) => String(v) };
  if (rows.every((r) => Array.isArray(r))) return stringify(rows as unknown[][], { cast });
  if (rows.every(isRecord)) {
    const columns = columnsOf(rows);
    return stringify(rows, { header: true, columns, cast });
  }
  throw new DeterministicError(`the csv codec cannot write this ${what}: its rows must be all objects or all arrays`);
}
