import { sqliteProperties } from '../../../src/connectors/sql/sqlite-schema.js';
import { defineConnectionKind, Type } from '../../../src/spec/index.js';

export const sqliteConnection = defineConnectionKind({
  kind: 'sqlite',
  title: 'SQLite',
  summary: 'A SQLite database file shared by the nodes that reference it.',
  config: Type.Object(sqliteProperties, { additionalProperties: false }),
  docs: `Opens a SQLite database file (created if missing) in WAL mode, so that readers (a dashboard, \`sqlite3\`)
never block the writer. One connection per flow, shared by the nodes that reference it.

A \`sqlite-out\` node can also name its **file** directly; use this connection when several nodes write to the
same file. **synchronous** \`full\` (the default) syncs each committed batch to disk before its messages are
acknowledged. \`sluice check\` opens an existing file and runs \`SELECT 1\`, or checks that a missing file can be
created.`,
  examples: [
    {
      title: 'A file next to the flow',
      config: { file: './data/telemetry.db', synchronous: 'full', busyTimeoutMs: 100 },
    },
  ],
});
