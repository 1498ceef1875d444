import type { Dialect } from '../dialect.js';
import { quoteWith } from '../dialect.js';

const TYPES = {
  text: 'text',
  integer: 'bigint',
  double: 'double precision',
  boolean: 'boolean',
  json: 'jsonb',
  timestamp: 'timestamptz',
} as const;

export const postgres: Dialect = {
  name: 'postgres',
  quote: quoteWith('"'),
  placeholder: (n) => `$${n}`,
  columnType: (type) => (type ? TYPES[type] : undefined),
  upsert(key, update) {
    const target = `ON CONFLICT (${key.map(this.quote).join(', ')})`;
    if (update.length === 0) return `${target} DO NOTHING`;
    return `${target} DO UPDATE SET ${update.map((c) => `${this.quote(c)} = EXCLUDED.${this.quote(c)}`).join(', ')}`;
  },
  tableOptions: () => '',
  // The wire protocol counts parameters in 16 bits.
  maxParams: 65_535,
  bind: (v) => v,
};
