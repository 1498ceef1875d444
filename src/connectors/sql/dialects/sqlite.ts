import type { Dialect } from '../dialect.js';
import { quoteWith } from '../dialect.js';

// STRICT tables know only INTEGER, REAL, TEXT, BLOB and ANY: JSON and timestamps (ISO 8601, UTC) are TEXT.
const TYPES = {
  text: 'TEXT',
  integer: 'INTEGER',
  double: 'REAL',
  boolean: 'INTEGER',
  json: 'TEXT',
  timestamp: 'TEXT',
} as const;

export const sqlite: Dialect = {
  name: 'sqlite',
  quote: quoteWith('"'),
  // better-sqlite3 binds anonymous `?` parameters (not `?NNN`).
  placeholder: () => '?',
  // Untyped columns take any value: ANY in a STRICT table, no type (no affinity) in a plain one.
  columnType: (type, o) => (type ? TYPES[type] : o.strict ? 'ANY' : ''),
  upsert(key, update) {
    const target = `ON CONFLICT (${key.map(this.quote).join(', ')})`;
    if (update.length === 0) return `${target} DO NOTHING`;
    return `${target} DO UPDATE SET ${update.map((c) => `${this.quote(c)} = excluded.${this.quote(c)}`).join(', ')}`;
  },
  tableOptions: (strict) => (strict ? ' STRICT' : ''),
  maxParams: 32_766,
  // better-sqlite3 binds neither booleans nor dates.
  bind: (v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v instanceof Date ? v.toISOString() : v),
};
