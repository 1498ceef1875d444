import type { Dialect } from '../dialect.js';
import { quoteWith } from '../dialect.js';

const TYPES = {
  text: 'LONGTEXT',
  integer: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  json: 'JSON',
  // DATETIME, not TIMESTAMP: no 2038 limit and no session time zone conversion (Sluice writes UTC).
  timestamp: 'DATETIME(3)',
} as const;

export const mysql: Dialect = {
  name: 'mysql',
  quote: quoteWith('`'),
  placeholder: () => '?',
  // A key column cannot be an unbounded TEXT.
  columnType: (type, o) => (type === 'text' && o.key ? 'VARCHAR(255)' : type ? TYPES[type] : undefined),
  upsert(key, update) {
    // MySQL has no conflict target: any unique key conflicts. "Do nothing" is a no-op assignment, never
    // INSERT IGNORE, which would also turn bad values into warnings.
    const sets = update.length > 0 ? update : key.slice(0, 1);
    return `ON DUPLICATE KEY UPDATE ${sets
      .map((c) =>
        update.length > 0 ? `${this.quote(c)} = VALUES(${this.quote(c)})` : `${this.quote(c)} = ${this.quote(c)}`,
      )
      .join(', ')}`;
  },
  // InnoDB: a failed multi-row statement rolls back whole, which the bad-row search relies on.
  tableOptions: () => ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
  maxParams: 65_535,
  bind: (v) => v,
};
