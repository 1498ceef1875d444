import {
  ackTimeoutProperty,
  ConnectionRef,
  codecProperty,
  defineNode,
  type LintIssue,
  Type,
} from '../../src/spec/index.js';
import { type RetryDefaults, retryIssues, retryProperties } from '../../src/spec/retry-schema.js';

const RETRY_DEFAULTS: RetryDefaults = { attempts: 5, retryDelayMs: 500, retryMaxDelayMs: 10_000 };

/**
 * The literal text of a topic template (outside `{{ }}`) cannot hold MQTT wildcards or NUL. The `{{ }}` parts are
 * JSONata, checked by the flow validator for every `x-widget: template` field; their values are checked per message.
 */
function literalProblem(template: string): string | undefined {
  const literal = template.replace(/\{\{[\s\S]*?\}\}/g, '');
  if (literal.includes('+') || literal.includes('#') || literal.includes('\u0000')) {
    return 'a topic to publish to cannot contain +, # or NUL (wildcards are for subscriptions)';
  }
  if (template.trim() === '') return 'the topic cannot be empty';
  return undefined;
}

export const mqttOut = defineNode({
  type: 'mqtt-out',
  version: 1,
  category: 'sink',
  title: 'MQTT out',
  summary: 'Publish messages to MQTT; a message counts as delivered once the broker acknowledged it (QoS 1/2).',
  color: '#d8b26e',
  inputs: [{ name: 'in', required: true }],
  outputs: [],
  config: Type.Object(
    {
      connection: ConnectionRef('mqtt', { title: 'Broker' }),
      topic: Type.String({
        title: 'Topic',
        'x-reference': true,
        description:
          'A topic, or a template: text with `{{ }}` parts, each a JSONata expression on the message, e.g. `{{topic}}`, `sensors/{{payload.device}}`, `{{headers.site}}/{{$lowercase(key)}}`. A part with no value fails the message.',
        default: '{{topic}}',
        minLength: 1,
        'x-widget': 'template',
      }),
      qos: Type.Integer({
        title: 'QoS',
        description:
          '1 or 2: the message is delivered once the broker acknowledged it. 0: once it is written to the socket.',
        minimum: 0,
        maximum: 2,
        // A choice of three, not a number box (the form shows a select).
        enum: [0, 1, 2],
        default: 1,
      }),
      retain: Type.Boolean({
        title: 'Retain',
        description: 'The broker keeps the last message per topic for new subscribers.',
        default: false,
      }),
      ...codecProperty({
        also: ['sparkplug'],
        description:
          'json: serialise the payload; text: a string payload as UTF-8; bytes: a bytes payload as is; csv: rows (objects under a header line, or arrays) as a CSV document; sparkplug: a `{timestamp?, seq?, metrics: [{name, datatype?, value}]}` payload as Sparkplug B protobuf.',
      }),
      userProperties: Type.Boolean({
        title: 'Headers as user properties',
        description:
          'MQTT 5: send the received headers (`wire`) and the message headers as user properties (except, from headers, `content-type`, `sluice-*` and the envelope headers sources add: `mqtt-*`, `kafka-*`, `amqp-*`).',
        default: true,
        'x-advanced': true,
      }),
      ...ackTimeoutProperty({
        default: 10_000,
        description: 'How long one attempt waits for the broker to acknowledge (PUBACK for QoS 1, PUBCOMP for QoS 2).',
      }),
      ...retryProperties({
        per: 'message',
        when: 'the broker is unreachable or does not acknowledge it',
        note: 'While the broker is away each attempt fails at once: nothing is buffered.',
        defaults: RETRY_DEFAULTS,
      }),
    },
    { additionalProperties: false },
  ),
  lint(c) {
    const issues: LintIssue[] = [];
    const problem = literalProblem(c.topic);
    if (problem) issues.push({ path: '/topic', message: problem });
    if (c.retain && /\{\{\s*id\s*\}\}/.test(c.topic)) {
      issues.push({
        path: '/retain',
        message: 'a retained message per message id fills the broker',
        severity: 'warning',
      });
    }
    issues.push(...retryIssues(c, RETRY_DEFAULTS));
    return issues;
  },
  renamed: { retryBaseMs: 'retryDelayMs', retryMaxMs: 'retryMaxDelayMs', publishTimeoutMs: 'ackTimeoutMs' },
  docs: `Publishes each message to MQTT.

**Topic.** A fixed topic or a template: literal text with \`{{ }}\` parts, each a JSONata expression evaluated on the
message (\`topic\`, \`key\`, \`id\`, \`payload\`, \`headers\`), e.g. \`sensors/{{payload.device}}\`, \`{{topic}}\` (the incoming
topic, the default), \`{{headers.site}}/{{key}}\` (a header name with a dash needs JSONata's back-quotes). A part with
no value, a value that is not a string or number, or a result that is empty or contains \`+\`/\`#\` fails that message
with the reason (error port or error route); the flow goes on.

**Payload.** By codec: \`json\` serialises the payload, \`text\` sends a string (or number, boolean) as UTF-8,
\`bytes\` sends a bytes (or string) payload as is, \`sparkplug\` writes a Sparkplug B protobuf payload from
\`{timestamp?, seq?, metrics: [{name, alias?, datatype?, value, timestamp?}]}\` (the shape mqtt-in's sparkplug codec
reads; \`datatype\` a name or number, else inferred: boolean, string, number -> Double); a payload that does not fit
fails the message. To publish as a Sparkplug edge node (births, deaths, sequence numbers) use \`sparkplug-out\`.

**MQTT 5 properties** come from headers only: \`content-type\`, \`mqtt-response-topic\`, \`mqtt-correlation-data\`
(base64), \`mqtt-payload-format\`, \`mqtt-message-expiry\`. Unless \`userProperties\` is off, the received headers
(\`wire\`: user properties, Kafka or AMQP headers) go out as user properties under their own names, repeats repeated
(a received \`mqtt-message-expiry\` stays a user property), and every other header (except \`sluice-*\` and the
envelope headers sources add, \`mqtt-*\`, \`kafka-*\`, \`amqp-*\`) becomes a user property too; a header replaces a
received one of the same name. MQTT 3.1.1 has no properties: headers are not sent.

**Delivery.** With QoS 1 or 2 the node resolves a message (so its source can acknowledge it) only after the broker's
PUBACK (PUBCOMP for QoS 2); a negative MQTT 5 acknowledgement (e.g. *Not authorized*) fails the message. While the broker
is unreachable an attempt fails at once instead of queueing in memory; after \`attempts\` attempts with backoff
(\`retryDelayMs\`, \`retryMaxDelayMs\`) the message fails as transient (the source redelivers it; the error route
takes it only with the flow's \`transientFailures: "route"\`), so memory stays bounded. A publish that
timed out may still reach the broker later: at-least-once, so subscribers may see duplicates.`,
  examples: [
    {
      title: 'Route readings by device',
      config: {
        connection: 'broker',
        topic: 'sensors/{{payload.device}}/temperature',
        qos: 1,
        retain: false,
        codec: 'json',
        userProperties: true,
        ackTimeoutMs: 10000,
        attempts: 5,
        retryDelayMs: 500,
        retryMaxDelayMs: 10000,
      },
    },
    {
      title: 'Latest state per device, retained',
      config: {
        connection: 'broker',
        topic: 'state/{{key}}',
        qos: 1,
        retain: true,
        codec: 'json',
        userProperties: false,
        ackTimeoutMs: 10000,
        attempts: 5,
        retryDelayMs: 500,
        retryMaxDelayMs: 10000,
      },
    },
  ],
});
