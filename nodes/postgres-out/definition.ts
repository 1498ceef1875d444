import { sqlSinkDocs } from '../../src/connectors/sql/docs.js';
import { lintSqlSink, SQL_SINK_RENAMED, sqlSinkProperties } from '../../src/connectors/sql/schema.js';
import { ConnectionRef, defineNode, Type } from '../../src/spec/index.js';

export const postgresOut = defineNode({
  type: 'postgres-out',
  version: 1,
  category: 'sink',
  title: 'PostgreSQL out',
  summary: 'Insert or upsert each message as a row of a PostgreSQL table, in batches, acked after commit.',
  color: '#6f8fb5',
  inputs: [{ name: 'in', required: true }],
  outputs: [],
  config: Type.Object(
    {
      connection: ConnectionRef('postgres', { description: 'The PostgreSQL connection to write through.' }),
      ...sqlSinkProperties({ createTable: false }),
    },
    { additionalProperties: false },
  ),
  lint: (c) => lintSqlSink(c, { typesRequired: true, createTableDefault: false }),
  renamed: SQL_SINK_RENAMED,
  docs: sqlSinkDocs({
    database: 'PostgreSQL',
    upsert:
      'It becomes `INSERT ... ON CONFLICT (key) DO UPDATE`, which needs a primary key or unique constraint on exactly the key columns.',
    types:
      '`text` text, `integer` bigint, `double` double precision, `boolean` boolean, `json` jsonb, `timestamp` timestamptz (epoch milliseconds or ISO 8601 in).',
    extra: '\nA `schema.table` name writes into that schema (which must exist).',
  }),
  examples: [
    {
      title: 'Sensor readings, one row per message id',
      config: {
        connection: 'pg',
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
