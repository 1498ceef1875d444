import {
  ackTimeoutProperty,
  ConnectionRef,
  codecProperty,
  defineNode,
  type LintIssue,
  Type,
} from '../../src/spec/index.js';
import { type RetryDefaults, retryIssues, retryProperties } from '../../src/spec/retry-schema.js';

const RETRY_DEFAULTS: RetryDefaults = { attempts: 5, retryDelayMs: 500, retryMaxDelayMs: 8_000 };

const js = { 'x-showWhen': { mode: ['jetstream'] } };

const config = Type.Object(
  {
    connection: ConnectionRef('nats', { title: 'NATS', description: 'The NATS connection to publish on.' }),
    mode: Type.Enum(['jetstream', 'core'] as const, {
      title: 'Delivery',
      default: 'jetstream',
      description:
        '`jetstream`: publish to a JetStream stream and wait for its acknowledgement (at least once). `core`: a plain publish to whoever is subscribed now (at most once).',
    }),
    subject: Type.String({
      title: 'Subject',
      'x-reference': true,
      default: '{{topic}}',
      'x-widget': 'template',
      description:
        'Text with `{{ }}` parts, each a JSONata expression on the message: `orders.{{payload.region}}`, `{{$replace(topic, "/", ".")}}`. A part with no value fails the message.',
    }),
    ...codecProperty({
      description:
        '`json`: the payload as JSON text. `text`: a string as UTF-8. `bytes`: bytes (or a string) as they are. `csv`: rows (objects under a header line, or arrays) as a CSV document.',
    }),
    copyHeaders: Type.Boolean({
      title: 'Copy headers',
      default: true,
      description:
        'Send the received headers (`wire`) and the message headers as NATS headers, except the envelope headers sources add (`nats-*`, `redis-*`, `mqtt-*`, `kafka-*`, `amqp-*`).',
    }),
    msgId: Type.Boolean({
      title: 'De-duplicate by message id',
      default: true,
      description:
        "Send the message id as `Nats-Msg-Id`: a message redelivered and published again within the stream's duplicate window (2 minutes by default) is stored once.",
      ...js,
    }),
    ...ackTimeoutProperty({
      default: 10_000,
      description: 'A publish the stream has not acknowledged (PubAck) by then fails this attempt (and is retried).',
      showWhen: js['x-showWhen'],
    }),
    ...retryProperties({
      per: 'message',
      when: 'NATS is unreachable or the stream does not acknowledge in time',
      note: 'A publish no stream captures, or one the stream refuses, fails at once.',
      defaults: RETRY_DEFAULTS,
    }),
  },
  { additionalProperties: false },
);

export const natsOut = defineNode({
  type: 'nats-out',
  version: 1,
  category: 'sink',
  title: 'NATS out',
  summary: 'Publish to NATS JetStream, acknowledged by the stream (with Nats-Msg-Id for de-duplication), or core NATS.',
  color: '#27aae1',
  inputs: [{ name: 'in', required: true }],
  outputs: [],
  config,
  lint: (c) => {
    const issues: LintIssue[] = [...retryIssues(c, RETRY_DEFAULTS)];
    if (c.subject === '') issues.push({ path: '/subject', message: 'the subject is empty' });
    return issues;
  },
  docs: `Publishes each message to NATS.

**JetStream (\`mode: jetstream\`, at least once).** Each message is published on \`subject\` and acknowledged
upstream only when **the stream that captures the subject has acknowledged it** (stored, and replicated as the stream
says). With \`msgId\` (the default) the message id goes as \`Nats-Msg-Id\`: a message published again (a redelivery
after a crash, a retry whose first acknowledgement was lost) within the stream's duplicate window is stored once.
Publishes run concurrently, up to the flow's in-flight limit.

**Core NATS (\`mode: core\`, at most once).** A plain publish: the message goes to whoever is subscribed at that
moment and is settled as soon as it is written to the connection. Nothing is kept: a subscriber that is down loses it.

**Subject.** A template: literal text with \`{{ }}\` parts holding JSONata expressions evaluated on the message. MQTT
topics use \`/\` where NATS subjects use \`.\`: \`{{$replace(topic, "/", ".")}}\` converts.

**Headers.** With \`copyHeaders\`, the received headers (\`wire\`) and the message headers are sent as NATS headers
(not the envelope headers sources add).

**Failures.** A JetStream publish that no stream captures ("no responders") or that the stream refuses (a limit
with \`discard: new\`, a size limit) fails at once to the error port or error route. While NATS is unreachable or the
stream does not acknowledge within \`ackTimeoutMs\`, the publish is retried with backoff (\`attempts\`,
\`retryDelayMs\`, \`retryMaxDelayMs\`); after the last attempt the message fails. Nothing is buffered beyond the
flow's in-flight limit.

**Status.** From the shared connection: \`connecting\`, \`connected\`, or \`error\` with the reason.`,
  examples: [
    {
      title: 'Orders into JetStream, by region',
      config: {
        connection: 'nats',
        mode: 'jetstream',
        subject: 'orders.{{payload.region}}',
        codec: 'json',
        copyHeaders: true,
        msgId: true,
        ackTimeoutMs: 10000,
        attempts: 5,
        retryDelayMs: 500,
        retryMaxDelayMs: 8000,
      },
    },
    {
      title: 'MQTT readings to core NATS subjects',
      config: {
        connection: 'nats',
        mode: 'core',
        subject: '{{$replace(topic, "/", ".")}}',
        codec: 'json',
        copyHeaders: false,
        msgId: true,
        ackTimeoutMs: 10000,
        attempts: 5,
        retryDelayMs: 500,
        retryMaxDelayMs: 8000,
      },
    },
  ],
});
