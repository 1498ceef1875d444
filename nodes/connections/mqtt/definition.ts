import {
  credentialProperties,
  defineConnectionKind,
  type LintIssue,
  reconnectIssues,
  reconnectProperties,
  StringEnum,
  Type,
} from '../../../src/spec/index.js';
import { urlTlsProperties } from '../../../src/spec/tls-schema.js';

const isReference = (v: string) => /^\$\{(env|file):[^}]+\}$/.test(v.trim());

export const mqttConnection = defineConnectionKind({
  kind: 'mqtt',
  title: 'MQTT broker',
  summary: 'An MQTT 3.1.1 or 5 broker (Mosquitto, EMQX, HiveMQ, ...), over TCP, TLS or WebSockets.',
  config: Type.Object(
    {
      url: Type.String({
        title: 'Broker URL',
        description: '`mqtt://host:1883`, `mqtts://host:8883` (TLS), `ws://` or `wss://` (WebSockets).',
        default: 'mqtt://127.0.0.1:1883',
        pattern: '^(mqtts?|wss?|tcp|ssl)://',
      }),
      protocolVersion: StringEnum(['3.1.1', '5'] as const, {
        title: 'Protocol version',
        description:
          "MQTT 5 adds properties (user properties, content type, ...), session expiry, and lets a subscriber tell the broker how many unacknowledged messages it takes (much faster at-least-once delivery). A broker that refuses MQTT 5 (older brokers, the embedded demo broker) gets 3.1.1 instead: the nodes' status says which version is in use. Choose 3.1.1 to skip the first attempt.",
        default: '5',
      }),
      clientId: Type.Optional(
        Type.String({
          title: 'Client id',
          description:
            'Client id of the shared publishing client (default: random). A subscriber (mqtt-in) owns its client: its id is `<this>-<flow id>-<node id>` unless the node sets its own. Replicas of one flow need one stable id each: `${env:HOSTNAME}` (a StatefulSet pod name).',
          maxLength: 200,
        }),
      ),
      keepaliveSeconds: Type.Integer({
        title: 'Keep-alive (s)',
        description: 'Ping interval; a dead connection is noticed after 1.5 times this.',
        minimum: 0,
        maximum: 65535,
        default: 60,
        'x-advanced': true,
      }),
      clean: Type.Optional(
        Type.Boolean({
          title: 'Clean session',
          description:
            'Unset: a persistent session (clean false) for subscribers with QoS 1 or 2, so the broker keeps their messages while the flow is down; a clean session otherwise.',
          'x-advanced': true,
        }),
      ),
      sessionExpirySeconds: Type.Integer({
        title: 'Session expiry (s)',
        description: 'MQTT 5: how long the broker keeps a persistent session after a disconnect.',
        minimum: 0,
        maximum: 4294967295,
        default: 86400,
        'x-advanced': true,
        'x-showWhen': { protocolVersion: ['5'] },
      }),
      ...credentialProperties({ passwordExample: '`${env:MQTT_PASSWORD}`' }),
      ...urlTlsProperties({ peer: 'broker', urlScheme: 'mqtts:// or wss://', caExample: '/etc/ssl/broker-ca.pem' }),
      connectTimeoutMs: Type.Integer({
        title: 'Connect timeout (ms)',
        minimum: 100,
        maximum: 600_000,
        default: 30_000,
        'x-advanced': true,
      }),
      ...reconnectProperties({ reconnectDelayMs: 1000, reconnectMaxDelayMs: 30_000 }, { minimumMs: 100 }),
    },
    { additionalProperties: false },
  ),
  lint(c) {
    const issues: LintIssue[] = [];
    for (const field of ['ca', 'cert', 'key'] as const) {
      const v = c[field];
      if (v && !isReference(v) && !v.includes('-----BEGIN')) {
        issues.push({
          path: `/${field}`,
          message: `${field} must be PEM text`,
          hint: `reference the file: "\${file:/etc/ssl/${field}.pem}"`,
        });
      }
      if (v && /^(mqtt|ws|tcp):/.test(c.url)) {
        issues.push({
          path: `/${field}`,
          message: `${field} is ignored with a plain ${c.url.split(':')[0]}:// URL`,
          hint: 'use mqtts:// or wss:// for TLS',
          severity: 'warning',
        });
      }
    }
    if (!c.verifyServer) {
      issues.push({
        path: '/verifyServer',
        message: 'the broker certificate is not verified',
        severity: 'warning',
      });
    }
    issues.push(...reconnectIssues(c));
    return issues;
  },
  renamed: {
    rejectUnauthorized: 'verifyServer',
    reconnectMinMs: 'reconnectDelayMs',
    reconnectMaxMs: 'reconnectMaxDelayMs',
    keepalive: 'keepaliveSeconds',
    sessionExpiry: 'sessionExpirySeconds',
  },
  docs: `A connection to an MQTT broker, shared by the MQTT nodes that reference it.

- **Publishing** (\`mqtt-out\`) nodes share one client per connection.
- **Subscribing** (\`mqtt-in\`) nodes each own a client with a stable client id (\`<client id>-<flow id>-<node id>\`,
  or the node's own \`clientId\`), because a persistent session belongs to one client id: the broker keeps the
  subscription and queues QoS 1/2 messages while the flow is down, and redelivers what was not acknowledged.
  Two running flows must never use the same subscriber client id: the broker would disconnect one for the other.
- **Replicas** of a flow share a subscription with \`$share/<group>/<filter>\` and need one stable client id each:
  set \`clientId\` to \`\${env:HOSTNAME}\` and run them with stable host names (a Kubernetes StatefulSet). A dead
  replica's share of a shared subscription stays in its session (Mosquitto) until the same id reconnects: see the
  README, "Running in production".

**Secrets.** \`password\` and \`key\` must be references (\`\${env:NAME}\` or \`\${file:/path}\`); they are never
written into the flow file. TLS material is PEM text, normally a \`\${file:/path.pem}\` reference. The broker's
certificate is verified by default (system CAs, or \`ca\`).

**Reconnects** back off exponentially with jitter between \`reconnectDelayMs\` and \`reconnectMaxDelayMs\`; the node status
shows *connecting*, *connected*, or *error* with the broker's reason (e.g. \`Connection refused: Not authorized\`).

**Broker limits.** Mosquitto keeps at most \`max_queued_messages\` (default **1000**) QoS 1/2 messages for a slow or
offline session and silently drops the rest, whatever the client does: raise it in \`mosquitto.conf\` (and
\`max_queued_bytes\`) for flows that must survive long outages. Other brokers have similar session quotas.

\`sluice check\` connects and disconnects with these settings and reports the broker's answer.`,
  examples: [
    {
      title: 'Local Mosquitto',
      config: {
        url: 'mqtt://127.0.0.1:1883',
        protocolVersion: '5',
        keepaliveSeconds: 60,
        sessionExpirySeconds: 86400,
        verifyServer: true,
        connectTimeoutMs: 30000,
        reconnectDelayMs: 1000,
        reconnectMaxDelayMs: 30000,
      },
    },
    {
      title: 'MQTT 5 over TLS with a password',
      config: {
        url: 'mqtts://broker.example.com:8883',
        protocolVersion: '5',
        clientId: 'plant-7',
        keepaliveSeconds: 60,
        sessionExpirySeconds: 86400,
        username: 'sluice',
        password: '${env:MQTT_PASSWORD}',
        ca: '${file:/etc/ssl/broker-ca.pem}',
        verifyServer: true,
        connectTimeoutMs: 30000,
        reconnectDelayMs: 1000,
        reconnectMaxDelayMs: 30000,
      },
    },
  ],
});
