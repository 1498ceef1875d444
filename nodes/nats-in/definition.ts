import { ConnectionRef, codecProperty, defineNode, type LintIssue, Type } from '../../src/spec/index.js';

const js = { 'x-showWhen': { mode: ['jetstream'] } };
const core = { 'x-showWhen': { mode: ['core'] } };

/** JetStream's rule for stream and consumer names: no whitespace, `.`, `*`, `>`, path separators. */
export const NAME = '^[^\\s.*>/\\\\]+$';

const config = Type.Object(
  {
    connection: ConnectionRef('nats', { title: 'NATS', description: 'The NATS connection to consume on.' }),
    mode: Type.Enum(['jetstream', 'core'] as const, {
      title: 'Delivery',
      default: 'jetstream',
      description:
        '`jetstream`: a durable JetStream consumer; each message is acked after the flow delivered it (at least once). `core`: a plain subscription; what arrives while the flow is down is lost (at most once).',
    }),
    stream: Type.String({
      title: 'Stream',
      'x-reference': true,
      default: '',
      maxLength: 255,
      description: 'The JetStream stream to consume.',
      ...js,
    }),
    createStream: Type.Boolean({
      title: 'Create the stream if missing',
      default: false,
      description: 'Create the stream, capturing `subject`, when it does not exist (limits retention, file storage).',
      ...js,
    }),
    subject: Type.String({
      title: 'Subject',
      'x-reference': true,
      default: '',
      maxLength: 1024,
      description:
        'JetStream: the filter subject (e.g. `orders.>`); empty: all the stream holds. Core: the subject to subscribe to (wildcards `*` and `>`).',
    }),
    durable: Type.Optional(
      Type.String({
        title: 'Durable consumer',
        pattern: NAME,
        maxLength: 255,
        description:
          'Default `sluice-<flow id>-<node id>`. Created if missing. Flows (or replicas) with the same durable share its messages.',
        ...js,
      }),
    ),
    deliverPolicy: Type.Enum(['all', 'new', 'last'] as const, {
      title: 'Start from',
      default: 'all',
      description:
        'Where a consumer created by this node starts: `all` that the stream holds, `new` from now on, `last` the last message per subject. An existing consumer resumes where it is.',
      ...js,
    }),
    queue: Type.String({
      title: 'Queue group',
      default: '',
      maxLength: 255,
      description:
        'Core: subscribers with the same queue group share the messages (each goes to one). Empty: every subscriber gets all.',
      ...core,
    }),
    ...codecProperty({
      description:
        '`json`: parse the data as JSON. `text`: UTF-8 text. `bytes`: the raw bytes. `csv`: a CSV document with a header line, as an array of row objects. Data that does not decode goes to the error route.',
    }),
    maxAckPending: Type.Integer({
      title: 'Max ack pending',
      minimum: 0,
      maximum: 1_000_000,
      default: 0,
      description:
        "Messages the server sends ahead unacknowledged (`max_ack_pending`). 0: the flow's in-flight limit, so nothing waits in the client beyond what the flow may hold.",
      'x-advanced': true,
      ...js,
    }),
    ackWaitMs: Type.Integer({
      title: 'Ack wait (ms)',
      minimum: 1_000,
      maximum: 3_600_000,
      default: 30_000,
      description:
        "A message not acknowledged this long after its delivery (the process died) is delivered again. Longer than a message's slowest trip through the flow.",
      'x-advanced': true,
      ...js,
    }),
    nakDelayMs: Type.Integer({
      title: 'Redelivery delay (ms)',
      minimum: 0,
      maximum: 600_000,
      default: 1_000,
      description:
        'After a message failed with no error route to take it, it is nak’ed and delivered again after this delay.',
      'x-advanced': true,
      ...js,
    }),
  },
  { additionalProperties: false },
);

export const natsIn = defineNode({
  type: 'nats-in',
  version: 1,
  category: 'source',
  title: 'NATS in',
  summary: 'Consume a NATS JetStream stream with a durable consumer (acked after delivery), or a core NATS subject.',
  color: '#27aae1',
  inputs: [],
  outputs: [{ name: 'out', label: 'out', description: 'One message per NATS message.' }],
  config,
  lint: (c) => {
    const issues: LintIssue[] = [];
    if (c.mode === 'jetstream') {
      if (c.stream === '') issues.push({ path: '/stream', message: 'JetStream needs the stream to consume' });
      else if (!new RegExp(NAME).test(c.stream) && !c.stream.startsWith('${')) {
        issues.push({ path: '/stream', message: 'a stream name cannot hold spaces, ".", "*", ">" or slashes' });
      }
      if (c.createStream && c.subject === '') {
        issues.push({ path: '/subject', message: 'creating the stream needs the subject it captures' });
      }
    } else {
      if (c.subject === '') issues.push({ path: '/subject', message: 'core NATS needs the subject to subscribe to' });
    }
    return issues;
  },
  docs: `Consumes messages from NATS.

**JetStream (\`mode: jetstream\`, at least once).** The node consumes \`stream\` through a **durable pull consumer**
(created if missing, \`durable\` by default \`sluice-<flow id>-<node id>\`) with explicit acks. A message is **acked
only after the flow has finished with it**: delivered by every sink, filtered out on purpose, or taken by an error
route. One the flow failed on, with no error route to take it, is **nak'ed with a delay** (\`nakDelayMs\`) and
delivered again; one the flow dropped (it failed by itself: bad payload, expression error) is terminated (\`term\`):
JetStream does not deliver it again. Anything unacknowledged when the process dies is delivered again after
\`ackWaitMs\`. Sinks should write idempotently: the message id \`<stream>/<stream sequence>\` is the same on every
delivery. Flows or replicas with the same durable share its messages: that is how to scale out.

**Back pressure.** The server sends at most \`max_ack_pending\` unacknowledged messages: by default the flow's
in-flight limit (\`maxAckPending: 0\`), and the node pulls no more while the flow is full. The backlog stays on the server.

**Core NATS (\`mode: core\`, at most once).** A plain subscription to \`subject\` (wildcards allowed), in a queue group
if \`queue\` is set. Core NATS has no acknowledgements: a message published while the flow is down, or held in the
client when it crashes, is lost. Use it for live data where the newest value matters, not for records.

**Message.** The payload is the data decoded by \`codec\` (what does not decode goes to the error route); the topic is
the subject. Headers: the NATS headers (in \`wire\`, and in \`headers\` for names Sluice does not reserve), and the
envelope \`nats-subject\`, \`nats-stream\`, \`nats-sequence\`, \`nats-deliveries\` (JetStream), \`nats-msg-id\` (the
publisher's \`Nats-Msg-Id\`, which core messages also take as their id).

**Connection.** All NATS nodes share the connection; while it is down the node shows \`error\`/\`connecting\` and
resumes on its own (the durable consumer keeps its place on the server).`,
  examples: [
    {
      title: 'A durable consumer on the ORDERS stream',
      config: {
        connection: 'nats',
        mode: 'jetstream',
        stream: 'ORDERS',
        createStream: false,
        subject: 'orders.>',
        durable: 'order-sync',
        deliverPolicy: 'all',
        queue: '',
        codec: 'json',
        maxAckPending: 0,
        ackWaitMs: 30000,
        nakDelayMs: 1000,
      },
    },
    {
      title: 'Live sensor values on core NATS, shared by replicas',
      config: {
        connection: 'nats',
        mode: 'core',
        stream: '',
        createStream: false,
        subject: 'sensors.*.temperature',
        deliverPolicy: 'all',
        queue: 'sluice',
        codec: 'json',
        maxAckPending: 0,
        ackWaitMs: 30000,
        nakDelayMs: 1000,
      },
    },
  ],
});
