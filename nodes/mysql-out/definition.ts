import { sqlSinkDocs } from '../../src/connectors/sql/docs.js';
import { lintSqlSink, SQL_SINK_RENAMED, sqlSinkProperties } from '../../src/connectors/sql/schema.js';
import { ConnectionRef, defineNode, Type } from '../../src/spec/index.js';

export const mysqlOut = defineNode({
  type: 'mysql-out',
  version: 1,
  category: 'sink',
  title: 'MySQL out',
  summary: 'Insert or upsert each message as a row of a MySQL or MariaDB table, in batches, acked after commit.',
  color: '#6f8fb5',
  inputs: [{ name: 'in', required: true }],
  outputs: [],
  config: Type.Object(
    {
      connection: ConnectionRef('mysql', { description: 'The MySQL/MariaDB connection to write through.' }),
      ...sqlSinkProperties({ createTable: false }),
    },
    { additionalProperties: false },
  ),
  lint: (c) => lintSqlSink(c, { typesRequired: true, createTableDefault: false }),
  renamed: SQL_SINK_RENAMED,
  docs: sqlSinkDocs({
    database: 'MySQL or MariaDB',
    upsert:
      'It becomes `INSERT ... ON DUPLICATE KEY UPDATE`; MySQL has no conflict target, so any unique key of the table counts as a conflict.',
    types:
      '`text` LONGTEXT (VARCHAR(255) in the key), `integer` BIGINT, `double` DOUBLE, `boolean` BOOLEAN, `json` JSON, `timestamp` DATETIME(3) in UTC. Tables are InnoDB, utf8mb4.',
    extra:
      '\nThe table must be transactional (InnoDB): a refused multi-row statement must leave no row behind. Bad values are refused only in strict mode, which the connection turns on by default.',
  }),
  examples: [
    {
      title: 'Sensor readings, one row per message id',
      config: {
        connection: 'mysql',
        table: 'readings',
        columns: { msg_id: 'id', device: 'payload.device', temp: 'payload.temp', at: 'timestamp' },
        types: { msg_id: 'text', device: 'text', temp: 'double', at: 'timestamp' },
        key: ['msg_id'],
        onConflict: 'update',
        createTable: true,
        batchSize: 500,
        lingerMs: 50,
      },
    },
  ],
});
