import {
  lintServerConnection,
  SERVER_CONNECTION_RENAMED,
  serverConnectionProperties,
} from '../../../src/connectors/sql/connection-schema.js';
import { defineConnectionKind, Type } from '../../../src/spec/index.js';

export const postgresConnection = defineConnectionKind({
  kind: 'postgres',
  title: 'PostgreSQL',
  summary: 'A pool of PostgreSQL connections shared by the nodes that reference it.',
  config: Type.Object(
    serverConnectionProperties({
      scheme: 'postgres',
      port: 5432,
      username: 'postgres',
      passwordExample: '`${env:PGPASSWORD}`',
    }),
    {
      additionalProperties: false,
    },
  ),
  lint: (c) => lintServerConnection(c, ['postgres', 'postgresql']),
  renamed: SERVER_CONNECTION_RENAMED,
  docs: `Connects to PostgreSQL with a pool of at most **poolSize** connections, shared by every node that uses this
connection. Give **host**, **port**, **database** and **username**, or a \`postgres://user@host:5432/database\` **url**
(URL parameters are refused: TLS is set with the fields below, so nothing in a URL can quietly turn verification off).
Keep the password out of the flow file: \`\${env:PGPASSWORD}\` or \`\${file:/run/secrets/pg}\`.

**TLS**: turn on **tls**; the server certificate is verified (chain and host name) against the system CAs, or
against **ca** when given (\`\${file:/etc/ssl/pg-ca.pem}\`). **cert** and **key** authenticate Sluice with a client
certificate. **verifyServer** off accepts any certificate: only for a test server.

Connections lost while the flow runs (a restart, a failover, \`pg_terminate_backend\`) are replaced on the next
use; the nodes retry their writes meanwhile. \`sluice check\` connects, runs \`SELECT 1\` and closes.`,
  examples: [
    {
      title: 'Local server',
      config: { host: 'localhost', port: 5432, database: 'sluice', username: 'sluice', password: '${env:PGPASSWORD}' },
    },
    {
      title: 'Managed database over TLS',
      config: {
        url: 'postgres://sluice@db.example.com:5432/telemetry',
        password: '${env:PGPASSWORD}',
        tls: true,
        ca: '${file:/etc/ssl/db-ca.pem}',
      },
    },
  ],
});
