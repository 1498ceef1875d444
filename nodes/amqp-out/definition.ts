import {
  ackTimeoutProperty,
  ConnectionRef,
  codecProperty,
  defineNode,
  type LintIssue,
  Type,
} from '../../src/spec/index.js';
import { type RetryDefaults, retryIssues, retryProperties } from '../../src/spec/retry-schema.js';

const RETRY_DEFAULTS: RetryDefaults = { attempts: 6, retryDelayMs: 500, retryMaxDelayMs: 8_000 };

const declaring = { 'x-showWhen': { exchangeMode: ['declare'] } };

/** Unbalanced `{{ }}` in a routing key template (the expressions themselves are checked when the flow starts). */
function templateIssue(template: string): string | undefined {
  let depth = 0;
  for (let i = 0; i < template.length - 1; i++) {
    const two = template.slice(i, i + 2);
    if (two === '{{') {
      if (depth > 0) return 'a "{{" opens inside another {{ }}';
      depth++;
      i++;
    } else if (two === '}}' && depth > 0) {
      depth--;
      i++;
    }
  }
  return depth > 0 ? 'a "{{" is not closed with "}}"' : undefined;
}

const config = Type.Object(
  {
    connection: ConnectionRef('amqp', { description: 'The AMQP connection to publish on.' }),
    exchange: Type.String({
      title: 'Exchange',
      'x-reference': true,
      default: '',
      description:
        'Exchange to publish to. Empty: the default exchange, which delivers to the queue named by the routing key.',
    }),
    exchangeMode: Type.Enum(['declare', 'existing'] as const, {
      title: 'Exchange set-up',
      default: 'declare',
      description:
        '`declare`: create the exchange if it is missing (if it exists, type and durability must match). `existing`: only check that it exists (exchanges managed elsewhere, and the built-in `amq.*` ones).',
    }),
    exchangeType: Type.Enum(['topic', 'direct', 'fanout', 'headers'] as const, {
      title: 'Exchange type',
      default: 'topic',
      description: 'Type of the declared exchange.',
      ...declaring,
    }),
    exchangeDurable: Type.Boolean({
      title: 'Durable exchange',
      default: true,
      description: 'The declared exchange survives a broker restart.',
      ...declaring,
    }),
    routingKey: Type.String({
      title: 'Routing key',
      'x-reference': true,
      default: '{{topic}}',
      'x-widget': 'template',
      description:
        'Text with `{{ }}` parts, each a JSONata expression on the message: `{{topic}}`, `orders.{{payload.region}}`, `{{$replace(topic, "/", ".")}}`. A part with no value fails the message.',
    }),
    ...codecProperty({
      description:
        '`json`: the payload as JSON text. `text`: a string as UTF-8. `bytes`: bytes (or a string) as they are. `csv`: rows (objects under a header line, or arrays) as a CSV document.',
    }),
    contentType: Type.Optional(
      Type.String({
        title: 'Content type',
        description:
          'The content-type property. Default by codec: application/json, text/plain, application/octet-stream.',
        'x-advanced': true,
      }),
    ),
    persistent: Type.Boolean({
      title: 'Persistent',
      default: true,
      description: 'Delivery mode 2: a durable queue keeps the message across a broker restart.',
    }),
    copyHeaders: Type.Boolean({
      title: 'Copy headers',
      default: true,
      description:
        'Send the received headers (`wire`) and the message headers as AMQP headers, except the envelope headers sources add (`amqp-*`, `mqtt-*`, `kafka-*`), which describe how the input arrived.',
    }),
    mandatory: Type.Boolean({
      title: 'Fail unroutable messages',
      default: true,
      description:
        'Publish as mandatory: a message no queue takes is returned by the broker and fails (error route) instead of being dropped silently.',
      'x-advanced': true,
    }),
    ...retryProperties({
      per: 'message',
      when: 'the broker is unreachable, nacks it or does not confirm it',
      defaults: RETRY_DEFAULTS,
    }),
    ...ackTimeoutProperty({
      default: 30_000,
      description: 'A publish the broker has not confirmed by then fails this attempt, and the channel is reopened.',
    }),
  },
  { additionalProperties: false },
);

export const amqpOut = defineNode({
  type: 'amqp-out',
  version: 1,
  category: 'sink',
  title: 'AMQP out',
  summary: 'Publish to a RabbitMQ exchange with publisher confirms; unroutable messages fail instead of vanishing.',
  color: '#ff6600',
  inputs: [{ name: 'in', required: true }],
  outputs: [],
  config,
  lint: (c) => {
    const issues: LintIssue[] = [];
    const bad = templateIssue(c.routingKey);
    if (bad) issues.push({ path: '/routingKey', message: `routing key template: ${bad}` });
    if (c.exchange.startsWith('amq.') && c.exchangeMode === 'declare') {
      issues.push({
        path: '/exchangeMode',
        message: `"${c.exchange}" is a built-in exchange: RabbitMQ refuses to declare it`,
        hint: 'set Exchange set-up to "existing"',
      });
    }
    if (c.exchange === '' && c.exchangeMode === 'existing') {
      issues.push({
        path: '/exchangeMode',
        message: 'the default exchange always exists: "existing" has no effect',
        severity: 'warning',
      });
    }
    issues.push(...retryIssues(c, RETRY_DEFAULTS));
    if (!c.persistent) {
      issues.push({
        path: '/persistent',
        message: 'transient messages are lost if the broker restarts before they are consumed',
        severity: 'warning',
      });
    }
    return issues;
  },
  renamed: { retryAttempts: 'attempts', confirmTimeoutMs: 'ackTimeoutMs' },
  docs: `Publishes each message to an AMQP 0-9-1 exchange (RabbitMQ) and acknowledges it upstream only when the
broker has **confirmed** it (publisher confirms): a confirmed persistent message on a durable queue survives a
broker restart, so the source's acknowledgement is safe.

**Routing.** \`exchange\` and \`routingKey\` say where a message goes. The routing key is a template: literal text
with \`{{ }}\` parts holding JSONata expressions evaluated on the message, e.g. \`{{topic}}\` or
\`sensors.{{payload.device}}\`. MQTT topics use \`/\` where AMQP topic exchanges use \`.\`:
\`{{$replace(topic, "/", ".")}}\` converts. With the default exchange (\`exchange\` empty) the routing key is the
queue name.

**Unroutable messages fail.** RabbitMQ confirms a message even when no queue is bound for its routing key, and
drops it. This node publishes with \`mandatory\`, so the broker returns such a message and it fails with the
reason \`unroutable\`: it goes to the error port or the flow's error route, never silently nowhere.

**Exchange set-up.** \`declare\` creates the exchange (\`exchangeType\`, \`exchangeDurable\`) when missing; if it
exists with a different type or durability the broker refuses and the node shows the error. \`existing\` only checks
that it exists.

**Message.** The body is the payload by \`codec\`; \`message-id\` is the message id (consumers can de-duplicate on
it), \`timestamp\` the message time, \`content-type\` by codec unless set, delivery mode persistent unless turned
off. With \`copyHeaders\`, the received headers (\`wire\`; a repeated name as an array) and the message headers become
AMQP headers (not the envelope headers that sources add, \`amqp-*\`, \`mqtt-*\`, \`kafka-*\`); an
\`amqp-correlation-id\` header (from an \`amqp-in\` node) is carried as the correlation id, never a received one.

**Failures and back pressure.** While the broker is unreachable, nacks a message or does not confirm it within
\`ackTimeoutMs\`, the node retries the message with backoff (\`attempts\`, \`retryDelayMs\`,
\`retryMaxDelayMs\`); after the last attempt the message fails. Nothing is buffered beyond the flow's in-flight
limit: a long outage turns into failed messages (the source redelivers them; the error route takes them only
with the flow's \`transientFailures: "route"\`), not
into growing memory. A retried message may reach the broker twice (at-least-once).

**Connection.** Each \`amqp-out\` node has its own confirm channel on the shared connection, reopened with backoff
after a channel or connection loss. Status: \`connecting\`, \`connected\`, or \`error\` with the reason.`,
  examples: [
    {
      title: 'MQTT readings to a topic exchange, routed by device',
      config: {
        connection: 'rabbit',
        exchange: 'telemetry',
        exchangeMode: 'declare',
        exchangeType: 'topic',
        exchangeDurable: true,
        routingKey: 'readings.{{payload.device}}',
        codec: 'json',
        persistent: true,
        copyHeaders: true,
        mandatory: true,
        attempts: 6,
        retryDelayMs: 500,
        retryMaxDelayMs: 8000,
        ackTimeoutMs: 30000,
      },
    },
    {
      title: 'Straight to a queue through the default exchange',
      config: {
        connection: 'rabbit',
        exchange: '',
        exchangeMode: 'declare',
        exchangeType: 'topic',
        exchangeDurable: true,
        routingKey: 'orders',
        codec: 'json',
        persistent: true,
        copyHeaders: true,
        mandatory: true,
        attempts: 6,
        retryDelayMs: 500,
        retryMaxDelayMs: 8000,
        ackTimeoutMs: 30000,
      },
    },
  ],
});
