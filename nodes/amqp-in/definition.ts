import { ConnectionRef, codecProperty, defineNode, type LintIssue, Type } from '../../src/spec/index.js';

const declaringQueue = { 'x-showWhen': { queueMode: ['declare'] } };
const declaringExchange = { 'x-showWhen': { exchangeMode: ['declare'] } };

const config = Type.Object(
  {
    connection: ConnectionRef('amqp', { description: 'The AMQP connection to consume on.' }),
    queue: Type.String({
      title: 'Queue',
      'x-reference': true,
      minLength: 1,
      maxLength: 255,
      description: 'The queue to consume.',
    }),
    queueMode: Type.Enum(['declare', 'existing'] as const, {
      title: 'Queue set-up',
      default: 'declare',
      description:
        '`declare`: create the queue if it is missing (if it exists, its settings must match). `existing`: only check that it exists.',
    }),
    durable: Type.Boolean({
      title: 'Durable queue',
      default: true,
      description: 'The queue and its persistent messages survive a broker restart.',
      ...declaringQueue,
    }),
    queueType: Type.Enum(['classic', 'quorum'] as const, {
      title: 'Queue type',
      default: 'classic',
      description:
        'Quorum queues are replicated, and can dead-letter a message after too many deliveries (`x-delivery-limit`).',
      ...declaringQueue,
    }),
    deadLetterExchange: Type.Optional(
      Type.String({
        title: 'Dead-letter exchange',
        description:
          'Where the broker sends rejected and expired messages (`x-dead-letter-exchange`). Empty: the default exchange.',
        ...declaringQueue,
      }),
    ),
    deadLetterRoutingKey: Type.Optional(
      Type.String({
        title: 'Dead-letter routing key',
        description: 'Routing key for dead-lettered messages (`x-dead-letter-routing-key`). Default: their own.',
        ...declaringQueue,
      }),
    ),
    queueArguments: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), {
        title: 'Other queue arguments',
        description:
          'More `x-` arguments for the declaration, e.g. `{"x-message-ttl": 60000, "x-delivery-limit": 20}`.',
        'x-advanced': true,
        ...declaringQueue,
      }),
    ),
    exchange: Type.String({
      title: 'Bind to exchange',
      'x-reference': true,
      default: '',
      description:
        'Bind the queue to this exchange with the binding keys. Empty: no binding (publishers send to the queue by name).',
    }),
    exchangeMode: Type.Enum(['declare', 'existing'] as const, {
      title: 'Exchange set-up',
      default: 'existing',
      description: '`existing`: the exchange must exist. `declare`: create it if missing.',
    }),
    exchangeType: Type.Enum(['topic', 'direct', 'fanout', 'headers'] as const, {
      title: 'Exchange type',
      default: 'topic',
      description: 'Type of the declared exchange.',
      ...declaringExchange,
    }),
    exchangeDurable: Type.Boolean({
      title: 'Durable exchange',
      default: true,
      description: 'The declared exchange survives a broker restart.',
      ...declaringExchange,
    }),
    bindingKeys: Type.Array(Type.String(), {
      title: 'Binding keys',
      default: ['#'],
      description: 'One binding per key. On a topic exchange `#` takes everything, `sensors.*` one level.',
    }),
    prefetch: Type.Integer({
      title: 'Prefetch',
      minimum: 1,
      maximum: 65_535,
      default: 100,
      description:
        "Unacknowledged messages the broker sends ahead. More helps throughput over a slow link; the flow's in-flight limit bounds it too.",
    }),
    ...codecProperty({
      description:
        '`json`: parse the body as JSON. `text`: UTF-8 text. `bytes`: the raw bytes. `csv`: a CSV document with a header line, as an array of row objects. A body that does not decode goes to the error route.',
    }),
    onFailure: Type.Enum(['requeue', 'dead-letter'] as const, {
      title: 'When delivery fails',
      default: 'requeue',
      description:
        "For a message the flow failed on (no error route took it): `requeue` puts it back in the queue after a delay; `dead-letter` rejects it to the queue's dead-letter exchange. A message the flow dropped (it failed by itself: bad payload, expression error, refused row) is acked with `requeue` and dead-lettered with `dead-letter`; it is never requeued.",
    }),
    requeueDelayMs: Type.Integer({
      title: 'Requeue delay (ms)',
      minimum: 0,
      maximum: 600_000,
      default: 1000,
      description: 'Wait before requeueing a failed message, so a failing sink is not hammered in a tight loop.',
      'x-showWhen': { onFailure: ['requeue'] },
    }),
  },
  { additionalProperties: false },
);

export const amqpIn = defineNode({
  type: 'amqp-in',
  version: 1,
  category: 'source',
  title: 'AMQP in',
  summary: 'Consume a RabbitMQ queue; each message is acked only once the flow has delivered it.',
  color: '#ff6600',
  inputs: [],
  outputs: [{ name: 'out', label: 'out' }],
  config,
  unacknowledgedLimit: (c) => ({ count: c.prefetch, path: '/prefetch' }),
  lint: (c) => {
    const issues: LintIssue[] = [];
    if ((c.queue ?? '').startsWith('amq.') && c.queueMode === 'declare') {
      issues.push({ path: '/queue', message: 'queue names starting with "amq." are reserved by the broker' });
    }
    if (c.exchange !== '' && c.bindingKeys.length === 0) {
      issues.push({
        path: '/bindingKeys',
        message: 'binding to an exchange needs at least one binding key',
        hint: '"#" takes everything on a topic exchange',
      });
    }
    if (c.exchange.startsWith('amq.') && c.exchangeMode === 'declare') {
      issues.push({
        path: '/exchangeMode',
        message: `"${c.exchange}" is a built-in exchange: RabbitMQ refuses to declare it`,
        hint: 'set Exchange set-up to "existing"',
      });
    }
    if (c.queueMode === 'declare' && c.queueType === 'quorum' && !c.durable) {
      issues.push({ path: '/durable', message: 'quorum queues are always durable' });
    }
    const hasDlx = c.deadLetterExchange !== undefined || c.queueArguments?.['x-dead-letter-exchange'] !== undefined;
    if (c.onFailure === 'dead-letter' && c.queueMode === 'declare' && !hasDlx) {
      issues.push({
        path: '/onFailure',
        message: 'rejected messages are dropped: the queue has no dead-letter exchange',
        hint: 'set a dead-letter exchange (or make sure a broker policy sets one)',
        severity: 'warning',
      });
    }
    if (c.queueMode === 'declare' && !c.durable) {
      issues.push({
        path: '/durable',
        message: 'a non-durable queue loses its messages when the broker restarts',
        severity: 'warning',
      });
    }
    return issues;
  },
  docs: `Consumes messages from an AMQP 0-9-1 queue (RabbitMQ). A message is **acknowledged only after the flow has
finished with it**: delivered by every sink, filtered out on purpose, or taken by an error route. Until then it
stays unacknowledged on the broker, so a crash, a stop or a lost connection loses nothing: RabbitMQ delivers it
again (with \`amqp-redelivered: true\`). Sinks should write idempotently, e.g. keyed by the message id.

**Queue.** \`declare\` creates the queue when missing (durable, classic or quorum, with a dead-letter exchange and
other \`x-\` arguments); if it exists with different settings the broker refuses and the node shows the error.
\`existing\` only checks it. With \`exchange\` set, the queue is bound to it with each binding key (the exchange is
declared too if \`exchangeMode\` is \`declare\`).

**Back pressure.** The broker sends at most \`prefetch\` unacknowledged messages to this node; the flow's in-flight
limit also holds. When sinks slow down, acks slow down, and the broker stops sending: memory stays bounded.

**Message.** The payload is the body decoded by \`codec\`; a body that does not decode (not JSON, not UTF-8) goes
to the error route with the reason, and the raw text or bytes as payload. The message id is the AMQP
\`message-id\` when the publisher set one (otherwise a new id: redeliveries then get different ids), the topic is
the routing key, and the headers are the envelope: \`amqp-routing-key\`, \`amqp-exchange\`,
\`amqp-message-id\`, \`amqp-correlation-id\`, \`amqp-content-type\`, \`amqp-reply-to\`, \`amqp-type\`,
\`amqp-app-id\`, \`amqp-timestamp\`, \`amqp-priority\`, \`amqp-redelivered\` (when set). The AMQP headers are in
\`wire\` as text (a table or array as JSON); one whose name Sluice does not reserve (\`amqp-*\`, \`mqtt-*\`,
\`kafka-*\`, \`sluice-*\`, \`content-type\`) is also in \`headers\`.

**Failures.** A message the flow failed on, with no error port or error route to take it, is **requeued after
\`requeueDelayMs\`** by default: nothing is lost and a failing sink is not retried in a tight loop, while the
message holds one prefetch slot. Because a requeued poison message comes back forever, consider a quorum queue with
\`x-delivery-limit\` and a dead-letter exchange, or \`onFailure: dead-letter\`, which rejects the message
without requeue so the broker moves it to the queue's dead-letter exchange (without one, the broker drops it).

**Connection.** Each \`amqp-in\` node has its own channel on the shared connection. When the channel or the
connection is lost, the node shows \`error\`/\`connecting\`, reopens with backoff, declares again and resumes
consuming. Messages that were in flight on the lost channel are redelivered by RabbitMQ; their late
acknowledgements are dropped, never sent on the new channel. Several flows consuming the same queue share its
messages (competing consumers): that is how to scale out.`,
  examples: [
    {
      title: 'Consume a durable queue bound to a topic exchange',
      config: {
        connection: 'rabbit',
        queue: 'sluice.readings',
        queueMode: 'declare',
        durable: true,
        queueType: 'classic',
        deadLetterExchange: 'readings.dlx',
        exchange: 'telemetry',
        exchangeMode: 'existing',
        exchangeType: 'topic',
        exchangeDurable: true,
        bindingKeys: ['readings.#'],
        prefetch: 100,
        codec: 'json',
        onFailure: 'requeue',
        requeueDelayMs: 1000,
      },
    },
    {
      title: 'Quorum queue that dead-letters failures',
      config: {
        connection: 'rabbit',
        queue: 'orders',
        queueMode: 'declare',
        durable: true,
        queueType: 'quorum',
        deadLetterExchange: '',
        deadLetterRoutingKey: 'orders.failed',
        queueArguments: { 'x-delivery-limit': 20 },
        exchange: '',
        exchangeMode: 'existing',
        exchangeType: 'topic',
        exchangeDurable: true,
        bindingKeys: ['#'],
        prefetch: 50,
        codec: 'json',
        onFailure: 'dead-letter',
        requeueDelayMs: 1000,
      },
    },
  ],
});
