import {
  credentialProperties,
  defineConnectionKind,
  reconnectIssues,
  reconnectProperties,
  Type,
  tlsIssues,
  urlIssues,
} from '../../../src/spec/index.js';
import { tlsProperties } from '../../../src/spec/tls-schema.js';

const config = Type.Object(
  {
    url: Type.Optional(
      Type.String({
        title: 'URL',
        description:
          '`redis://host:port/db` or `rediss://...` (TLS). When set, its host, port, database and user name win over the fields below. Keep the password out of it: use Password.',
        examples: ['redis://redis.internal:6379/0'],
      }),
    ),
    host: Type.String({ title: 'Host', default: 'localhost', description: 'Redis host name or IP address.' }),
    port: Type.Integer({ title: 'Port', minimum: 1, maximum: 65535, default: 6379 }),
    db: Type.Integer({
      title: 'Database',
      minimum: 0,
      maximum: 255,
      default: 0,
      description: 'The logical database (`SELECT`).',
    }),
    ...credentialProperties({
      passwordExample: '`${env:REDIS_PASSWORD}`',
      passwordNote: 'With no Username: the password of the `default` user (`requirepass`).',
    }),
    ...tlsProperties({
      peer: 'server',
      tlsDescription: 'Connect with TLS. A `rediss://` URL turns it on too.',
      caExample: '/etc/ssl/redis-ca.pem',
    }),
    connectTimeoutMs: Type.Integer({
      title: 'Connect timeout (ms)',
      minimum: 100,
      maximum: 300_000,
      default: 10_000,
      description: 'How long one connection attempt may take.',
      'x-advanced': true,
    }),
    ...reconnectProperties({ reconnectDelayMs: 500, reconnectMaxDelayMs: 15_000 }),
    connectionName: Type.Optional(
      Type.String({
        title: 'Client name',
        pattern: '^\\S*$',
        description: 'Shown by `CLIENT LIST`. Default: `sluice-<connection id>`.',
        'x-advanced': true,
      }),
    ),
  },
  { additionalProperties: false },
);

export const redisConnection = defineConnectionKind({
  kind: 'redis',
  title: 'Redis',
  summary: 'A Redis server (Streams and pub/sub); sinks share one client, each redis-in node reads on its own.',
  config,
  lint: (c) => {
    const schemes = {
      scheme: 'redis',
      secureScheme: 'rediss',
      passwordExample: '${env:REDIS_PASSWORD}',
      secureUrl: 'a rediss:// URL',
    };
    return [...urlIssues(c, schemes), ...reconnectIssues(c), ...tlsIssues(c, schemes)];
  },
  docs: `A Redis server, for \`redis-in\` (Streams, consumer groups) and \`redis-out\` (Streams or pub/sub). The
\`redis-out\` nodes of a flow share one client; each \`redis-in\` node opens a client of its own, because a blocking
\`XREADGROUP\` holds its connection while it waits.

**Address.** Either a \`url\` (\`redis://host:6379/0\`, \`rediss://\` for TLS) or \`host\`, \`port\` and \`db\`.
Credentials: \`username\` (an ACL user, Redis 6+) and \`password\`, a secret: the flow file holds only a reference
(\`\${env:REDIS_PASSWORD}\` or \`\${file:/run/secrets/redis}\`).

**TLS.** \`tls: true\` (or a \`rediss://\` URL) connects with TLS; the server certificate is verified against the
system CAs or \`ca\`, \`cert\` and \`key\` give a client certificate. Verification is on by default.

**Failures.** A lost or refused connection is retried forever with exponential backoff and jitter
(\`reconnectDelayMs\` doubling up to \`reconnectMaxDelayMs\`); the nodes show \`connecting\` or \`error\` with the reason
and resume on their own. Commands are never queued while the connection is down: a sink's write fails and is
retried by the sink, a source waits for the connection.

\`sluice check\` connects with these settings, sends \`PING\` and reports why it fails.`,
  examples: [
    { title: 'Local Redis', config: { host: 'localhost', port: 6379, db: 0 } },
    {
      title: 'TLS with an ACL user, password from the environment',
      config: {
        url: 'rediss://redis.example.com:6380/0',
        username: 'sluice',
        password: '${env:REDIS_PASSWORD}',
        tls: true,
      },
    },
  ],
});
