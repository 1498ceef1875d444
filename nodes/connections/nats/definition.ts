import {
  credentialProperties,
  defineConnectionKind,
  type LintIssue,
  reconnectIssues,
  reconnectProperties,
  Secret,
  Type,
} from '../../../src/spec/index.js';
import { tlsProperties } from '../../../src/spec/tls-schema.js';

const config = Type.Object(
  {
    servers: Type.Array(Type.String({ minLength: 1, title: 'Server', pattern: '^\\S+$' }), {
      title: 'Servers',
      minItems: 1,
      default: ['nats://localhost:4222'],
      description:
        '`nats://host:port` (or `tls://host:port`) of one or more servers of the cluster; the client learns the others from them. An entry may be a reference holding a comma-separated list, e.g. `${env:NATS_URL}`.',
    }),
    ...credentialProperties({
      passwordExample: '`${env:NATS_PASSWORD}`',
      passwordNote: 'With Username: user/password auth.',
    }),
    token: Type.Optional(
      Secret({ title: 'Token', description: 'Token auth instead of a user: a reference such as `${env:NATS_TOKEN}`.' }),
    ),
    credentials: Type.Optional(
      Secret({
        title: 'Credentials (.creds)',
        description:
          'The content of a NATS credentials file (user JWT and NKey seed, for decentralised auth), e.g. `${file:/run/secrets/sluice.creds}`.',
      }),
    ),
    ...tlsProperties({
      peer: 'server',
      tlsDescription: 'Connect with TLS. A `tls://` server URL turns it on too.',
      caExample: '/etc/ssl/nats-ca.pem',
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
        description: 'Shown in the server’s monitoring (`/connz`). Default: `sluice-<connection id>`.',
        'x-advanced': true,
      }),
    ),
  },
  { additionalProperties: false },
);

export const natsConnection = defineConnectionKind({
  kind: 'nats',
  title: 'NATS',
  summary: 'A NATS server or cluster (core NATS and JetStream); one connection shared by the nodes that reference it.',
  config,
  lint: (c) => {
    const issues: LintIssue[] = [];
    const auths = [
      c.username !== undefined || c.password !== undefined,
      c.token !== undefined,
      c.credentials !== undefined,
    ];
    if (auths.filter(Boolean).length > 1) {
      issues.push({
        path: '/token',
        message: 'set one way to authenticate: user and password, a token, or credentials',
      });
    }
    if ((c.username === undefined) !== (c.password === undefined)) {
      issues.push({ path: '/password', message: 'user/password auth needs both a user name and a password' });
    }
    for (const [i, s] of c.servers.entries()) {
      if (/^\w+:\/\/[^/@:]*:[^@/]+@/.test(s) && !s.includes('${')) {
        issues.push({
          path: `/servers/${i}`,
          message: 'the server URL holds a literal password, which would be saved in the flow file',
          hint: 'remove it and set Password to a reference, e.g. "${env:NATS_PASSWORD}"',
        });
      }
    }
    issues.push(...reconnectIssues(c));
    if (!c.tls && (c.ca || c.cert || c.key)) {
      issues.push({
        path: '/tls',
        message: 'certificates are set but TLS is off, so they are not used',
        severity: 'warning',
      });
    }
    if (c.verifyServer === false) {
      issues.push({
        path: '/verifyServer',
        message: 'the server certificate is not verified',
        hint: 'set CA certificates instead of turning verification off',
        severity: 'warning',
      });
    }
    return issues;
  },
  docs: `A NATS server or cluster, for \`nats-in\` and \`nats-out\` (core NATS subjects and JetStream). One connection is
opened when the flow starts and shared by every NATS node that references it (NATS multiplexes everything on it).

**Servers.** One or more \`nats://host:port\` URLs; the client learns the rest of the cluster from them.

**Authentication.** One of: \`username\` + \`password\`, a \`token\`, or \`credentials\`: the content of a \`.creds\`
file (JWT + NKey seed). Password, token and credentials are secrets: the flow file holds only a reference
(\`\${env:NATS_PASSWORD}\`, \`\${file:/run/secrets/sluice.creds}\`).

**TLS.** \`tls: true\` (or a \`tls://\` URL) connects with TLS; the server certificate is verified against the system
CAs or \`ca\`, \`cert\` and \`key\` give a client certificate. Verification is on by default.

**Failures.** A lost or refused connection is retried forever with exponential backoff and jitter
(\`reconnectDelayMs\` doubling up to \`reconnectMaxDelayMs\`); the nodes show \`connecting\` or \`error\` with the reason
and resume on their own. JetStream consumers are durable on the server, so nothing is lost meanwhile.

\`sluice check\` connects with these settings and closes, reporting why it fails.`,
  examples: [
    { title: 'Local NATS', config: { servers: ['nats://localhost:4222'] } },
    {
      title: 'A TLS cluster with a credentials file',
      config: {
        servers: ['tls://nats-1.example.com:4222', 'tls://nats-2.example.com:4222'],
        credentials: '${file:/run/secrets/sluice.creds}',
        tls: true,
      },
    },
  ],
});
