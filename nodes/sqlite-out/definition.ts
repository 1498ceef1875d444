import { sqlSinkDocs } from '../../src/connectors/sql/docs.js';
import { lintSqlSink, SQL_SINK_RENAMED, sqlSinkProperties } from '../../src/connectors/sql/schema.js';
import { sqliteProperties } from '../../src/connectors/sql/sqlite-schema.js';
import { ConnectionRef, defineNode, type LintIssue, Type } from '../../src/spec/index.js';

export const sqliteOut = defineNode({
  type: 'sqlite-out',
  version: 1,
  category: 'sink',
  title: 'SQLite out',
  summary: 'Write each message as a row of a SQLite table in a local file: nothing to install, acked after commit.',
  color: '#6f8fb5',
  inputs: [{ name: 'in', required: true }],
  outputs: [],
  config: Type.Object(
    {
      connection: Type.Optional(
        ConnectionRef('sqlite', {
          description: 'A shared SQLite connection; when unset, the node opens the file below itself.',
        }),
      ),
      ...sqliteProperties,
      ...sqlSinkProperties({ createTable: true }),
      strict: Type.Boolean({
        title: 'Strict tables',
        description:
          'Create the table as STRICT, so SQLite refuses a value of the wrong type (it goes to the error route) instead of storing it anyway.',
        default: true,
        'x-advanced': true,
      }),
    },
    { additionalProperties: false },
  ),
  lint: (c) => {
    const issues: LintIssue[] = lintSqlSink(c, { typesRequired: false, createTableDefault: true });
    // Lint sees defaults filled in, so only values other than the defaults were set on purpose.
    const own = (['file', 'synchronous', 'busyTimeoutMs'] as const).filter(
      (k) => c[k] !== undefined && c[k] !== (sqliteProperties[k] as { default?: unknown }).default,
    );
    if (c.connection && own.length > 0) {
      issues.push({
        path: `/${own[0]}`,
        message: `${own.join(', ')} ${own.length === 1 ? 'is' : 'are'} ignored: the connection "${c.connection}" decides`,
        hint: 'remove them, or remove the connection to open the file directly',
      });
    }
    return issues;
  },
  renamed: SQL_SINK_RENAMED,
  docs: sqlSinkDocs({
    database: 'SQLite',
    upsert: 'It becomes `INSERT ... ON CONFLICT (key) DO UPDATE`.',
    types:
      '`text` TEXT, `integer` INTEGER, `double` REAL, `boolean` INTEGER (0/1), `json` TEXT, `timestamp` TEXT (ISO 8601, UTC); a column without a declared type is ANY. Tables are STRICT unless **strict** is off.',
    extra: `
SQLite is the embedded default: with no settings at all the node writes every message (id, topic, payload as
JSON, received_at) to table \`messages\` in \`./sluice-data.db\`, creating both, one row per message id. The file is
in WAL mode, so \`sqlite3 sluice-data.db 'select * from messages'\` can read while the flow writes. Give **file**
for another path, or a **connection** to share one database between nodes.`,
  }),
  examples: [
    { title: 'Every message into ./sluice-data.db (the defaults)', config: {} },
    {
      title: 'Sensor readings into a typed table',
      config: {
        file: './data/readings.db',
        table: 'readings',
        columns: { msg_id: 'id', device: 'payload.device', temp: 'payload.temp', at: 'timestamp' },
        types: { msg_id: 'text', device: 'text', temp: 'double', at: 'timestamp' },
        key: ['msg_id'],
      },
    },
  ],
});
