import {
  credentialProperties,
  defineConnectionKind,
  type LintIssue,
  reconnectIssues,
  reconnectProperties,
  Type,
} from '../../../src/spec/index.js';
import { tlsProperties } from '../../../src/spec/tls-schema.js';

export const kafkaConnection = defineConnectionKind({
  kind: 'kafka',
  title: 'Kafka cluster',
  summary:
    'An Apache Kafka (or Kafka-compatible: Redpanda, MSK, Event Hubs) cluster; one producer shared by its nodes.',
  config: Type.Object(
    {
      brokers: Type.Array(Type.String({ minLength: 1, title: 'Broker', pattern: '^\\S+$' }), {
        title: 'Bootstrap brokers',
        description:
          '`host:port` of one or more brokers; the client learns the rest of the cluster from them. An entry may be a reference holding a comma-separated list, e.g. `${env:KAFKA_BROKERS}`.',
        minItems: 1,
        default: ['localhost:9092'],
      }),
      clientId: Type.String({
        title: 'Client id',
        description: 'Shown in broker logs and quotas; consumers add their group.',
        default: 'sluice',
        minLength: 1,
        maxLength: 200,
      }),
      sasl: Type.Enum(['none', 'plain', 'scram-sha-256', 'scram-sha-512'] as const, {
        title: 'SASL mechanism',
        description: 'Authentication. `plain` sends the password as is: use it only with TLS.',
        default: 'none',
      }),
      ...credentialProperties({
        passwordExample: '`${env:KAFKA_PASSWORD}`',
        showWhen: { sasl: ['plain', 'scram-sha-256', 'scram-sha-512'] },
      }),
      ...tlsProperties({
        peer: 'broker',
        tlsDescription: 'Connect to the brokers with TLS (listeners `SSL` or `SASL_SSL`).',
        caExample: '/etc/ssl/kafka-ca.pem',
      }),
      connectTimeoutMs: Type.Integer({
        title: 'Connect timeout (ms)',
        minimum: 100,
        maximum: 300_000,
        default: 5_000,
        description: 'How long one TCP (and TLS) connection attempt to a broker may take.',
        'x-advanced': true,
      }),
      requestTimeoutMs: Type.Integer({
        title: 'Request timeout (ms)',
        minimum: 1_000,
        maximum: 600_000,
        default: 30_000,
        description: 'A request the broker has not answered by then fails (and is retried).',
        'x-advanced': true,
      }),
      ...reconnectProperties({ reconnectDelayMs: 500, reconnectMaxDelayMs: 15_000 }),
    },
    { additionalProperties: false },
  ),
  lint: (c) => {
    const issues: LintIssue[] = [];
    if (c.sasl !== 'none') {
      if (!c.username) issues.push({ path: '/username', message: `SASL ${c.sasl} needs a user name` });
      if (!c.password) issues.push({ path: '/password', message: `SASL ${c.sasl} needs a password` });
      if (c.sasl === 'plain' && !c.tls) {
        issues.push({
          path: '/tls',
          message: 'SASL PLAIN without TLS sends the password in clear text',
          hint: 'turn TLS on, or use SCRAM',
          severity: 'warning',
        });
      }
    } else if (c.username || c.password) {
      issues.push({
        path: '/sasl',
        message: 'a user name or password is set but the SASL mechanism is "none", so they are not used',
        severity: 'warning',
      });
    }
    if (!c.tls && (c.ca || c.cert || c.key)) {
      issues.push({
        path: '/tls',
        message: 'certificates are set but TLS is off, so they are not used',
        severity: 'warning',
      });
    }
    if (c.tls && !c.verifyServer) {
      issues.push({
        path: '/verifyServer',
        message: 'the broker certificate is not verified',
        hint: 'set CA certificates instead of turning verification off',
        severity: 'warning',
      });
    }
    issues.push(...reconnectIssues(c));
    return issues;
  },
  docs: `A Kafka cluster. The flow opens it once; every \`kafka-out\` node on it shares one producer (per partitioner),
and every \`kafka-in\` node has its own consumer (its own consumer group member).

**Brokers.** One or more bootstrap \`host:port\` addresses; the client discovers the other brokers from them.

**Security.** \`sasl\`: \`plain\`, \`scram-sha-256\` or \`scram-sha-512\` with \`username\` and \`password\` (a secret: the
flow file holds only a reference such as \`\${env:KAFKA_PASSWORD}\`). \`tls\` connects with TLS; the broker
certificates are verified against the system CAs or \`ca\`, and \`cert\` + \`key\` give a client certificate for
mutual TLS. Verification is on by default.

**Failures.** A connection that cannot be opened is retried with exponential backoff and jitter
(\`reconnectDelayMs\` doubling up to \`reconnectMaxDelayMs\`); the nodes show \`connecting\` or \`error\` with the reason
meanwhile and resume on their own. A lost broker is reconnected on the next request.

\`sluice check\` connects an admin client with these settings, fetches the cluster metadata and disconnects,
reporting why it fails.`,
  examples: [
    { title: 'Local broker', config: { brokers: ['localhost:9092'], clientId: 'sluice' } },
    {
      title: 'SASL/SCRAM over TLS, password from the environment',
      config: {
        brokers: ['kafka-1.example.com:9093', 'kafka-2.example.com:9093'],
        clientId: 'plant-7',
        sasl: 'scram-sha-512',
        username: 'sluice',
        password: '${env:KAFKA_PASSWORD}',
        tls: true,
        ca: '${file:/etc/ssl/kafka-ca.pem}',
      },
    },
  ],
});
