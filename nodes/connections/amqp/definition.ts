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
          '`amqp://host:port/vhost` or `amqps://...`. When set, its host, port, vhost and user name win over the fields below. Keep the password out of it: use Password.',
        examples: ['amqp://rabbit.internal:5672/%2f'],
      }),
    ),
    host: Type.String({ title: 'Host', default: 'localhost', description: 'Broker host name or IP address.' }),
    port: Type.Optional(
      Type.Integer({ title: 'Port', minimum: 1, maximum: 65535, description: 'Default 5672, or 5671 with TLS.' }),
    ),
    vhost: Type.String({ title: 'Virtual host', default: '/', description: 'RabbitMQ virtual host.' }),
    ...credentialProperties({
      passwordExample: '`${env:RABBITMQ_PASSWORD}`',
      usernameDefault: 'guest',
      passwordNote:
        "When unset, user `guest` gets RabbitMQ's default password `guest` (which RabbitMQ accepts only from localhost).",
    }),
    ...tlsProperties({
      peer: 'server',
      tlsDescription: 'Connect with TLS (AMQPS). An `amqps://` URL turns it on too.',
      caExample: '/etc/ssl/rabbit-ca.pem',
    }),
    heartbeatSeconds: Type.Integer({
      title: 'Heartbeat (s)',
      minimum: 0,
      maximum: 3600,
      default: 60,
      description: 'A silent broker is considered gone after about two heartbeats. 0 turns heartbeats off.',
      'x-advanced': true,
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
        title: 'Connection name',
        description:
          "Shown in RabbitMQ's management UI and `rabbitmqctl list_connections`. Default: `sluice <connection id>`.",
        'x-advanced': true,
      }),
    ),
  },
  { additionalProperties: false },
);

export const amqpConnection = defineConnectionKind({
  kind: 'amqp',
  title: 'AMQP 0-9-1 (RabbitMQ)',
  summary: 'One RabbitMQ connection shared by the AMQP nodes that reference it; each node gets its own channel.',
  config,
  lint: (c) => {
    const schemes = {
      scheme: 'amqp',
      secureScheme: 'amqps',
      passwordExample: '${env:RABBITMQ_PASSWORD}',
      secureUrl: 'an amqps:// URL',
    };
    return [...urlIssues(c, schemes), ...reconnectIssues(c), ...tlsIssues(c, schemes)];
  },
  docs: `A connection to an AMQP 0-9-1 broker (RabbitMQ). It is opened once when the flow starts and shared by every
\`amqp-in\` and \`amqp-out\` node that references it; each node opens its own channel on it, so one node's channel
error (a refused declaration, a deleted queue) does not disturb the others.

**Address.** Either a \`url\` (\`amqp://host:5672/vhost\`, \`amqps://\` for TLS; a \`/\` vhost is written \`%2f\`) or
\`host\`, \`port\` and \`vhost\`. Credentials: \`username\` and \`password\`; the password is a secret, so the flow file
holds only a reference (\`\${env:RABBITMQ_PASSWORD}\` or \`\${file:/run/secrets/rabbitmq}\`).

**TLS.** \`tls: true\` (or an \`amqps://\` URL) connects with TLS. The server certificate is verified against the
system CAs or \`ca\`; \`cert\` and \`key\` give a client certificate for mutual TLS. Verification is on by default.

**Failures.** A lost or refused connection is retried forever with exponential backoff and jitter
(\`reconnectDelayMs\` doubling up to \`reconnectMaxDelayMs\`); the nodes show \`connecting\` or \`error\` with the
reason meanwhile, and resume on their own when the broker is back. Heartbeats (\`heartbeatSeconds\`) detect a broker
or network that went silent. When RabbitMQ blocks publishers (memory or disk alarm), the nodes show it as an error.

\`sluice check\` opens a connection with these settings and closes it, reporting why it fails.`,
  examples: [
    { title: 'Local RabbitMQ (guest/guest)', config: { host: 'localhost', vhost: '/', username: 'guest' } },
    {
      title: 'TLS with a private CA, password from the environment',
      config: {
        url: 'amqps://rabbit.example.com:5671/orders',
        username: 'sluice',
        password: '${env:RABBITMQ_PASSWORD}',
        ca: '${file:/etc/ssl/rabbit-ca.pem}',
        tls: true,
      },
    },
  ],
});
