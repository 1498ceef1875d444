import {
  lintMysqlTlsHost,
  lintServerConnection,
  SERVER_CONNECTION_RENAMED,
  serverConnectionProperties,
} from '../../../src/connectors/sql/connection-schema.js';
import { defineConnectionKind, Type } from '../../../src/spec/index.js';

export const mysqlConnection = defineConnectionKind({
  kind: 'mysql',
  title: 'MySQL / MariaDB',
  summary: 'A pool of MySQL or MariaDB connections shared by the nodes that reference it.',
  config: Type.Object(
    {
      ...serverConnectionProperties({
        scheme: 'mysql',
        port: 3306,
        username: 'root',
        passwordExample: '`${env:MYSQL_PASSWORD}`',
      }),
      strict: Type.Boolean({
        title: 'Strict mode',
        description:
          'Adds STRICT_ALL_TABLES to the session sql_mode, so that a value the column cannot hold is refused (and goes to the error route) instead of being stored truncated or as zero.',
        default: true,
        'x-advanced': true,
      }),
    },
    { additionalProperties: false },
  ),
  lint: (c) => [...lintServerConnection(c, ['mysql', 'mariadb']), ...lintMysqlTlsHost(c, ['mysql', 'mariadb'])],
  renamed: SERVER_CONNECTION_RENAMED,
  docs: `Connects to MySQL or MariaDB with a pool of at most **poolSize** connections, shared by every node that uses
this connection. Give **host**, **port**, **database** and **username**, or a \`mysql://user@host:3306/database\` **url**
(no URL parameters). Keep the password out of the flow file: \`\${env:MYSQL_PASSWORD}\`.

Each session runs in UTC (\`time_zone = '+00:00'\`) and, with **strict** on (the default), in strict SQL mode:
a bad value is an error for that message, never a silent truncation.

**TLS**: turn on **tls**; the server certificate is verified (chain and host name) against the system CAs or
**ca**. **cert** and **key** authenticate with a client certificate. With verification on, **host** must be the
name in the certificate, not an IP address: the MySQL driver does not check certificates against IP addresses, so
Sluice refuses that combination rather than connect unverified.

Lost connections (a restart, \`KILL\`) are replaced on the next use; the nodes retry their writes meanwhile.
\`sluice check\` connects, runs \`SELECT 1\` and closes.`,
  examples: [
    {
      title: 'Local server',
      config: {
        host: 'localhost',
        port: 3306,
        database: 'sluice',
        username: 'sluice',
        password: '${env:MYSQL_PASSWORD}',
      },
    },
    {
      title: 'Over TLS with a private CA',
      config: {
        url: 'mysql://sluice@db.example.com:3306/telemetry',
        password: '${env:MYSQL_PASSWORD}',
        tls: true,
        ca: '${file:/etc/ssl/db-ca.pem}',
      },
    },
  ],
});
