/**
 * The config every SQL sink shares (table, column mapping, upsert, batching, retries) and its lint.
 * Isomorphic: imported by the three node definitions, so it imports only `src/spec` and pure helpers.
 */
import { Expression, type LintIssue, type Static, StringEnum, Type } from '../../spec/index.js';
import { type RetryDefaults, retryIssues, retryProperties } from '../../spec/retry-schema.js';
import { identifierProblem, tableProblem } from './identifiers.js';

/** Declared column types; each dialect maps them to its own (see dialects/). */
export const COLUMN_TYPES = ['text', 'integer', 'double', 'boolean', 'json', 'timestamp'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** The demo mapping: the whole message, keyed by its id so that a redelivery does not add a row. */
export const DEFAULT_COLUMNS: Record<string, string> = {
  id: 'id',
  topic: 'topic',
  payload: 'payload',
  received_at: 'timestamp',
};
export const DEFAULT_KEY = ['id'];
/** Renamed fields of every SQL sink (see NodeDefinition.renamed). */
export const SQL_SINK_RENAMED = { retryBaseMs: 'retryDelayMs', retryMaxMs: 'retryMaxDelayMs' };

export const SQL_RETRY_DEFAULTS: RetryDefaults = { attempts: 5, retryDelayMs: 200, retryMaxDelayMs: 5000 };

export function sqlSinkProperties(options: { createTable: boolean }) {
  return {
    table: Type.String({
      title: 'Table',
      'x-reference': true,
      description: 'Table to write to: `name` or `schema.name`. Letters, digits and `_` only; always quoted.',
      default: 'messages',
      minLength: 1,
    }),
    columns: Type.Record(
      Type.String(),
      Expression({ title: 'Value', description: 'JSONata over the message (`payload`, `topic`, `id`, ...).' }),
      {
        title: 'Columns',
        description:
          'Column name -> JSONata expression over the message, compiled once. A missing value writes NULL; ' +
          'objects and arrays are written as JSON text.',
        default: DEFAULT_COLUMNS,
        minProperties: 1,
      },
    ),
    types: Type.Optional(
      Type.Record(Type.String(), StringEnum(COLUMN_TYPES), {
        title: 'Column types',
        description:
          'Column name -> type, for creating the table and converting values (`json` writes JSON text, `timestamp` ' +
          'takes epoch milliseconds or an ISO string). Required for every column when the table is created ' +
          '(SQLite excepted: untyped columns are ANY there).',
      }),
    ),
    key: Type.Array(Type.String(), {
      title: 'Upsert key',
      description:
        'Columns that identify a row (the primary key or a unique constraint). With a key, a redelivered message ' +
        'updates its row instead of adding one; leave empty for plain inserts.',
      default: DEFAULT_KEY,
      uniqueItems: true,
    }),
    onConflict: StringEnum(['update', 'nothing'] as const, {
      title: 'On a key conflict',
      description: '`update` overwrites the other columns with the new values; `nothing` keeps the row as it is.',
      default: 'update',
    }),
    createTable: Type.Boolean({
      title: 'Create the table if missing',
      description: 'CREATE TABLE IF NOT EXISTS with the declared types and the upsert key as primary key.',
      default: options.createTable,
    }),
    batchSize: Type.Integer({
      title: 'Batch size',
      description: 'Rows written in one statement/transaction at most.',
      minimum: 1,
      maximum: 10_000,
      default: 500,
    }),
    lingerMs: Type.Integer({
      title: 'Linger (ms)',
      description: 'How long a partial batch waits for more rows before it is written.',
      minimum: 0,
      maximum: 60_000,
      default: 50,
    }),
    ...retryProperties({
      per: 'batch',
      when: 'the database is unreachable or reports a transient error (deadlock, connection lost)',
      defaults: SQL_RETRY_DEFAULTS,
    }),
    timeoutMs: Type.Integer({
      title: 'Expression time limit (ms)',
      description: 'Per column expression and message; a message that exceeds it fails.',
      minimum: 1,
      maximum: 60_000,
      default: 1000,
      'x-advanced': true,
    }),
  };
}

const common = Type.Object(sqlSinkProperties({ createTable: false }));
/** What the shared sink runtime reads; each node's config has these fields plus its connection. */
export type SqlSinkConfig = Static<typeof common>;

const DEFAULTS = { columns: DEFAULT_COLUMNS, key: DEFAULT_KEY, table: 'messages' };

/** A `${env:...}` / `${file:...}` reference is checked once resolved, at run time. */
function isReference(v: string): boolean {
  return v.includes('${');
}

/**
 * Cross-field rules. Lint sees the config as written (no defaults), so top-level defaults are applied here
 * exactly as the runtime will see them. `typesRequired`: creating a table needs a type for every column.
 */
export function lintSqlSink(
  raw: Partial<SqlSinkConfig>,
  options: { typesRequired: boolean; createTableDefault: boolean },
): LintIssue[] {
  const issues: LintIssue[] = [];
  const table = raw.table ?? DEFAULTS.table;
  const columns = raw.columns ?? DEFAULTS.columns;
  const key = raw.key ?? DEFAULTS.key;
  const types = raw.types ?? {};
  const names = Object.keys(columns);

  if (!isReference(table)) {
    const problem = tableProblem(table);
    if (problem) issues.push({ path: '/table', message: problem, hint: 'rename it, e.g. "sensor_readings"' });
  }
  for (const name of names) {
    const problem = identifierProblem(name, 'column');
    if (problem) issues.push({ path: `/columns/${escapePointer(name)}`, message: problem });
    if (columns[name].trim() === '') {
      issues.push({ path: `/columns/${escapePointer(name)}`, message: `column "${name}" has an empty expression` });
    }
  }
  key.forEach((k, i) => {
    if (!names.includes(k)) {
      issues.push({
        path: `/key/${i}`,
        message: `upsert key column "${k}" is not one of the mapped columns (${names.join(', ')})`,
        hint:
          // Lint sees defaults filled in: a key equal to the default most likely was never set.
          JSON.stringify(key) === JSON.stringify(DEFAULTS.key)
            ? 'the key defaults to ["id"]: map an "id" column, or set key to [] for plain inserts'
            : 'map it under columns, or remove it from the key',
      });
    }
    if (types[k] === 'json') {
      issues.push({ path: `/types/${escapePointer(k)}`, message: `key column "${k}" cannot be of type json` });
    }
  });
  for (const name of Object.keys(types)) {
    if (!names.includes(name)) {
      issues.push({
        path: `/types/${escapePointer(name)}`,
        message: `a type is declared for "${name}", which is not a mapped column`,
        hint: 'declare types only for the columns under columns',
      });
    }
  }
  const createTable = raw.createTable ?? options.createTableDefault;
  if (createTable && options.typesRequired) {
    const untyped = names.filter((n) => types[n] === undefined);
    if (untyped.length > 0) {
      issues.push({
        path: '/types',
        message: `creating the table needs a type for every column; missing: ${untyped.join(', ')}`,
        hint: `one of ${COLUMN_TYPES.join(', ')}`,
      });
    }
  }
  issues.push(...retryIssues(raw, SQL_RETRY_DEFAULTS));
  return issues;
}

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}
