import { ConnectionRef, codecProperty, defineNode, type LintIssue, Type } from '../../src/spec/index.js';
import { filterProblem } from './topic-filter.js';

export const mqttIn = defineNode({
  type: 'mqtt-in',
  version: 1,
  category: 'source',
  title: 'MQTT in',
  summary: 'Subscribe to MQTT topics; each message is acknowledged to the broker only after the flow delivered it.',
  color: '#d8b26e',
  inputs: [],
  outputs: [{ name: 'out', label: 'out', description: 'One message per MQTT PUBLISH.' }],
  config: Type.Object(
    {
      connection: ConnectionRef('mqtt', { title: 'Broker' }),
      topics: Type.Array(Type.String({ minLength: 1, title: 'Topic filter', 'x-reference': true }), {
        title: 'Topic filters',
        description:
          'Wildcards `+` (one level) and `#` (the rest); `$share/<group>/<filter>` to share the load between flows.',
        minItems: 1,
        default: ['sensors/#'],
      }),
      qos: Type.Integer({
        title: 'QoS',
        description:
          '0: at most once; 1: at least once; 2: at least once here too (exactly once only up to the broker).',
        minimum: 0,
        maximum: 2,
        // A choice of three, not a number box (the form shows a select).
        enum: [0, 1, 2],
        default: 1,
      }),
      ...codecProperty({
        also: ['sparkplug'],
        description:
          'json: parse (a payload that does not parse goes to the error route); text: UTF-8; bytes: as received; csv: a CSV document with a header line, as an array of row objects; sparkplug: a Sparkplug B protobuf payload as JSON `{timestamp, seq, metrics: [{name, alias, datatype, value}]}`.',
      }),
      clientId: Type.Optional(
        Type.String({
          title: 'Client id',
          description:
            'Default `<connection client id or "sluice">-<flow id>-<node id>`. Keep it stable: the persistent session belongs to it.',
          maxLength: 200,
          'x-advanced': true,
        }),
      ),
      window: Type.Integer({
        title: 'Unacknowledged window',
        description:
          'At most this many messages received and not yet acknowledged to the broker; reading pauses beyond it.',
        minimum: 1,
        maximum: 65535,
        default: 1000,
        'x-advanced': true,
      }),
    },
    { additionalProperties: false },
  ),
  unacknowledgedLimit: (c) => ({ count: c.window, path: '/window' }),
  lint(c) {
    const issues: LintIssue[] = [];
    const seen = new Set<string>();
    c.topics.forEach((t, i) => {
      const problem = filterProblem(t);
      if (problem) issues.push({ path: `/topics/${i}`, message: problem });
      if (seen.has(t)) issues.push({ path: `/topics/${i}`, message: `"${t}" is listed twice`, severity: 'warning' });
      seen.add(t);
    });
    if (c.qos === 0) {
      issues.push({
        path: '/qos',
        message: 'QoS 0: the broker does not redeliver, so messages in flight when the flow stops or fails are lost',
        severity: 'warning',
      });
    }
    return issues;
  },
  docs: `Subscribes to one or more topic filters and emits one message per MQTT PUBLISH.

**Message.** \`topic\` is the MQTT topic; \`payload\` is decoded by the **codec** (\`json\`, \`text\`, \`bytes\` or \`sparkplug\`). A payload
that the codec cannot read (e.g. \`{not json\`) goes to the node's error port or the flow's error route with the
reason; the flow goes on. Headers: \`mqtt-qos\`, \`mqtt-retain\` and \`mqtt-dup\` (\`"true"\` when set) and, with
MQTT 5, \`content-type\`, \`mqtt-response-topic\`, \`mqtt-correlation-data\` (base64), \`mqtt-payload-format\` and
\`mqtt-message-expiry\`. User properties are in \`wire\` as sent (a repeated name as an array); one with a single value
and a name Sluice does not reserve (\`mqtt-*\`, \`kafka-*\`, \`amqp-*\`, \`sluice-*\`, \`content-type\`) is also in
\`headers\`, so \`headers.site\` works and a user property can never pose as one of the headers above.

**Delivery (QoS 1 and 2).** A message is acknowledged to the broker (PUBACK, or PUBREC for QoS 2) only after the
flow has settled it: delivered by every sink, filtered out on purpose, or taken by an error route. Until then the
acknowledgement is withheld, so a crash or a stop loses nothing: the broker redelivers what was not acknowledged.
Acknowledgements are released in arrival order, many messages are in flight at once, and at most \`window\` are
unacknowledged: beyond that (or when the flow's \`maxInFlight\` is reached) the node stops reading from the socket.
A nacked message (a failure with no error route, e.g. a sink that is down) pauses intake on the same connection: its
acknowledgement stays withheld and the node hands it to the flow again at most every 0.5 s until it goes through,
then the other nacked messages, then new ones. Intake resumes within half a second of the sink's recovery.
Redelivered messages carry \`mqtt-dup: "true"\`, but so may messages the flow never saw: sinks should write
idempotently, keyed on a field of the payload (MQTT has no message id that survives a redelivery).
See docs/delivery.md for how this is done and measured.

**Sessions.** With QoS 1 or 2 the node uses a persistent session by default (\`clean: false\`, and on MQTT 5 the
connection's session expiry), under a stable client id (\`<connection client id or "sluice">-<flow id>-<node id>\`, or
\`clientId\`). The broker keeps the subscription and queues messages while the flow is stopped. Renaming the node or
the flow changes the client id and starts a new session. With MQTT 5 a retained message is sent for a new
subscription only, not again each time the flow restarts (MQTT 3.1.1 brokers resend it on every start).

**Scale-out.** Subscribe to \`$share/<group>/<filter>\` from several flows (each with its own client id): the broker
spreads the messages between them.

**Broker limits.** Mosquitto queues at most \`max_queued_messages\` (default **1000**) messages for a slow or offline
session and drops the rest, whatever the client does; raise it (and \`max_queued_bytes\`) in \`mosquitto.conf\` for
flows that must survive long outages or bursts. It also does not enforce \`max_inflight_messages\` for a session with
a backlog, which is why the node bounds its own window.

**Sparkplug B.** The \`sparkplug\` codec decodes the protobuf payload to \`{timestamp, seq, uuid?, body?, metrics:
[{name?, alias?, timestamp?, datatype, value, isNull?, isHistorical?, isTransient?, metadata?, properties?}]}\`:
\`datatype\` is the type's name (\`Int32\`, \`Double\`, ...), 64-bit integers are numbers when they are safe integers
and decimal strings beyond 2^53, Bytes and File values are base64, arrays are arrays, a DataSet is
\`{columns, types, rows}\`. A DATA metric that carries only an alias has no name here: the \`sparkplug-in\` node resolves
aliases from the birth certificates and tracks the edge nodes' state.

QoS 0 messages are never redelivered: one in flight when the flow stops or fails is lost.`,
  examples: [
    {
      title: 'Sensor readings as JSON',
      config: { connection: 'broker', topics: ['sensors/+/temperature'], qos: 1, codec: 'json', window: 1000 },
    },
    {
      title: 'A shared subscription for scale-out',
      config: { connection: 'broker', topics: ['$share/ingest/plant/#'], qos: 1, codec: 'json', window: 1000 },
    },
    {
      title: 'Raw bytes, QoS 2, fixed client id',
      config: {
        connection: 'broker',
        topics: ['cameras/+/frame'],
        qos: 2,
        codec: 'bytes',
        clientId: 'plant-7-frames',
        window: 200,
      },
    },
  ],
});
