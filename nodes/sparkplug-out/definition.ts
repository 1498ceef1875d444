import { ackTimeoutProperty, ConnectionRef, defineNode, type LintIssue, Type } from '../../src/spec/index.js';

/** A fixed Sparkplug id: one topic level. */
function idProblem(id: string, what: string): string | undefined {
  if (/[/+#]/.test(id) || id.includes('\u0000')) return `${what} is one topic level: no /, +, # or NUL`;
  return undefined;
}

export const sparkplugOut = defineNode({
  type: 'sparkplug-out',
  version: 1,
  category: 'sink',
  title: 'Sparkplug out',
  summary: 'Publish as a Sparkplug B edge node: birth certificates, bdSeq, sequence numbers, death as the MQTT will.',
  color: '#c9a45c',
  inputs: [{ name: 'in', required: true }],
  outputs: [],
  config: Type.Object(
    {
      connection: ConnectionRef('mqtt', { title: 'Broker' }),
      groupId: Type.String({ title: 'Group id', minLength: 1, 'x-reference': true, default: 'plant' }),
      edgeNodeId: Type.String({ title: 'Edge node id', minLength: 1, 'x-reference': true, default: 'sluice' }),
      device: Type.String({
        title: 'Device',
        description:
          'Empty: the metrics belong to the edge node itself (NDATA). Else a device id or a template, e.g. `{{payload.device}}` or `{{headers.device}}` (DBIRTH on its first message, then DDATA).',
        default: '',
        'x-widget': 'template',
      }),
      qos: Type.Integer({
        title: 'QoS',
        description:
          '0 (the spec: births and data are QoS 0, so a message counts as delivered once written) or 1 (delivered once the broker acknowledged it; outside the letter of the spec, accepted by common hosts).',
        minimum: 0,
        maximum: 1,
        default: 0,
      }),
      useAliases: Type.Boolean({
        title: 'Use aliases',
        description:
          'Births declare a numeric alias per metric; DATA messages then carry the alias instead of the name.',
        default: true,
      }),
      clientId: Type.Optional(
        Type.String({
          title: 'Client id',
          description: 'Default `<connection client id or "sluice">-<flow id>-<node id>`.',
          maxLength: 200,
          'x-advanced': true,
        }),
      ),
      ...ackTimeoutProperty({
        default: 10_000,
        description: 'How long a publish waits for the broker (QoS 1) or for the write (QoS 0).',
      }),
    },
    { additionalProperties: false },
  ),
  lint(c) {
    const issues: LintIssue[] = [];
    for (const [path, value, what] of [
      ['/groupId', c.groupId, 'the group id'],
      ['/edgeNodeId', c.edgeNodeId, 'the edge node id'],
    ] as const) {
      const problem = idProblem(value, what);
      if (problem) issues.push({ path, message: problem });
    }
    const literal = c.device.replace(/\{\{[\s\S]*?\}\}/g, '');
    const problem = idProblem(literal, 'the device id');
    if (problem) issues.push({ path: '/device', message: problem });
    return issues;
  },
  docs: `Publishes the flow's messages as one Sparkplug B edge node (\`spBv1.0/<group>/.../<edge node>\`) on a client of
its own (the MQTT will belongs to a connection, so this node cannot share the connection's client).

**Session.** On every connect it publishes NBIRTH (seq 0) with \`bdSeq\`, \`Node Control/Rebirth\` and the edge node's
metrics, then a DBIRTH for each device it knows; the MQTT will is an NDEATH with the same \`bdSeq\` (QoS 1), which the
broker publishes if the connection drops; \`bdSeq\` goes up by one (mod 256) on each new connection. Stopping the flow
publishes the NDEATH itself before disconnecting. Every later message (DBIRTH, NDATA, DDATA) carries the next \`seq\`
(0-255, wrapping). An NCMD \`Node Control/Rebirth\` from a host (sparkplug-in asks for one when it missed a birth)
republishes the births with the last values.

**Metrics from a message.** A payload \`{metrics: [{name, value, datatype?, timestamp?}]}\` gives the metrics as they
are (\`datatype\` a Sparkplug type name such as \`Int32\`, \`Float\`, \`String\`); any other object payload is one metric per
field, nested objects flattened with \`/\` (\`{"line": {"speed": 3}}\` -> \`line/speed\`), each datatype inferred from the
value (boolean -> Boolean, string -> String, number -> Double, array -> DoubleArray/StringArray/BooleanArray).
The **device** setting says whose metrics they are: empty for the edge node itself (NDATA), else a device id (DBIRTH on
the device's first message, DDATA after it). A metric's datatype is fixed by the birth that declared it; a metric
the births did not declare makes the node publish the births again (DBIRTH for a device, NBIRTH and every DBIRTH for
the edge node), since Sparkplug hosts only know metrics from births.

**Delivery.** With QoS 0 (the spec's) a message counts as delivered once written to the socket; with QoS 1 once the
broker acknowledged it. While the broker is away a message fails at once (transient: the source redelivers it, or
it takes the error route); there is no retry inside the node, because a resent DATA would repeat a sequence number.
A payload that is not an object, or a value that does not fit its metric's datatype, fails the message with the
reason (deterministic).`,
  examples: [
    {
      title: 'Machine readings as an edge node',
      config: {
        connection: 'broker',
        groupId: 'plant-7',
        edgeNodeId: 'line-3',
        device: '{{payload.machine}}',
        qos: 0,
        useAliases: true,
        ackTimeoutMs: 10000,
      },
    },
    {
      title: 'Edge node metrics with QoS 1',
      config: {
        connection: 'broker',
        groupId: 'plant-7',
        edgeNodeId: 'gateway',
        device: '',
        qos: 1,
        useAliases: true,
        ackTimeoutMs: 10000,
      },
    },
  ],
});
