import { ConnectionRef, defineNode, type LintIssue, Type } from '../../src/spec/index.js';

/** A group id to subscribe to: one MQTT level, or `+` for every group. */
function groupProblem(group: string): string | undefined {
  if (group === '+') return undefined;
  if (group === '' || /[/+#]/.test(group) || group.includes('\u0000'))
    return 'a group id is one topic level (no /, +, # or NUL), or + for all';
  return undefined;
}

export const sparkplugIn = defineNode({
  type: 'sparkplug-in',
  version: 1,
  category: 'source',
  title: 'Sparkplug in',
  summary:
    'A Sparkplug B host: follows births, deaths and aliases of edge nodes and devices, emits one message per metric.',
  color: '#c9a45c',
  inputs: [],
  outputs: [{ name: 'out', label: 'out', description: 'One message per metric value (or per metric turned stale).' }],
  config: Type.Object(
    {
      connection: ConnectionRef('mqtt', { title: 'Broker' }),
      groupId: Type.String({
        title: 'Group id',
        description: 'The Sparkplug group to follow (`spBv1.0/<group>/#`); `+` follows every group.',
        default: '+',
        minLength: 1,
        'x-reference': true,
      }),
      hostId: Type.Optional(
        Type.String({
          title: 'Host id',
          description:
            'Sparkplug 3.0 host application id: the node publishes a retained `spBv1.0/STATE/<host id>` `{"online": true}` when it connects and sets `{"online": false}` as its MQTT will, so edge nodes that name it as their primary host know whether it is listening. Empty: no STATE.',
          maxLength: 200,
          'x-reference': true,
        }),
      ),
      qos: Type.Integer({
        title: 'QoS',
        description:
          'Of the subscription. Sparkplug edge nodes publish DATA with QoS 0 (the spec), so a message arrives at most once whatever this says; 1 keeps at-least-once for edge nodes that publish with QoS 1.',
        minimum: 0,
        maximum: 1,
        default: 1,
      }),
      requestRebirth: Type.Boolean({
        title: 'Request rebirth',
        description:
          'On a sequence gap, or DATA from an edge node or device with no birth certificate seen, publish an NCMD `Node Control/Rebirth` to that edge node.',
        default: true,
      }),
      controlMetrics: Type.Boolean({
        title: 'Emit control metrics',
        description:
          'Also emit `bdSeq` and the `Node Control/*` and `Device Control/*` metrics (session bookkeeping, not process data).',
        default: false,
      }),
      rebirthIntervalMs: Type.Integer({
        title: 'Rebirth request interval (ms)',
        description: 'At most one rebirth request per edge node in this time.',
        minimum: 0,
        maximum: 3_600_000,
        default: 5000,
        'x-advanced': true,
      }),
      clientId: Type.Optional(
        Type.String({
          title: 'Client id',
          description: 'Default `<connection client id or "sluice">-<flow id>-<node id>`.',
          maxLength: 200,
          'x-advanced': true,
        }),
      ),
      window: Type.Integer({
        title: 'Unacknowledged window',
        description:
          'At most this many MQTT messages received and not yet acknowledged to the broker; reading pauses beyond it.',
        minimum: 1,
        maximum: 65535,
        default: 1000,
        'x-advanced': true,
      }),
      maxEdgeNodes: Type.Integer({
        title: 'Edge nodes followed',
        description:
          'The bound of the state kept per edge node (births, aliases, seq): beyond it the least recently heard edge node is forgotten (a warning in the status and the log); its next DATA asks it for a rebirth.',
        minimum: 1,
        maximum: 1_000_000,
        default: 10_000,
        'x-advanced': true,
      }),
      maxDevices: Type.Integer({
        title: 'Devices followed',
        description:
          'The bound of the devices followed, over all edge nodes: beyond it the least recently heard device is forgotten (a warning in the status and the log); its next DATA asks its edge node for a rebirth.',
        minimum: 1,
        maximum: 10_000_000,
        default: 100_000,
        'x-advanced': true,
      }),
    },
    { additionalProperties: false },
  ),
  lint(c) {
    const issues: LintIssue[] = [];
    const problem = groupProblem(c.groupId);
    if (problem) issues.push({ path: '/groupId', message: problem });
    if (c.hostId !== undefined && (c.hostId === '' || /[/+#]/.test(c.hostId) || c.hostId.includes('\u0000'))) {
      issues.push({ path: '/hostId', message: 'a host id is one topic level (no /, +, # or NUL)' });
    }
    return issues;
  },
  docs: `Acts as a Sparkplug B host application on an MQTT connection: subscribes to \`spBv1.0/<group>/#\`, follows
every edge node's and device's birth and death certificates, resolves metric aliases, checks sequence numbers, and
emits **one message per metric**.

**Message.** \`topic\` and \`key\` are \`<group>/<edge node>[/<device>]/<metric name>\` (ready for a Unified Namespace:
an mqtt-out with topic \`uns/{{topic}}\`). \`payload\` is \`{group, edgeNode, device?, messageType, name, alias?,
datatype, value, timestamp, quality, staleReason?, seq?, isHistorical?, properties?}\`: \`datatype\` is the Sparkplug
type's name, \`value\` follows the \`sparkplug\` codec's rules (64-bit integers beyond 2^53 as decimal strings, bytes as
base64), \`timestamp\` is the metric's (else the payload's) in ms. Headers: \`sparkplug-group\`, \`sparkplug-edge-node\`,
\`sparkplug-device\`, \`sparkplug-message-type\`, \`sparkplug-quality\`.

Control metrics (\`bdSeq\`, \`Node Control/*\`, \`Device Control/*\`) are followed but not emitted unless
\`controlMetrics\` is on.

**State.** NBIRTH and DBIRTH declare the metrics (names, aliases, datatypes) and their first values, which are
emitted. DATA metrics that carry only an alias get their name and datatype from the birth. When an edge node dies
(NDEATH with its birth's \`bdSeq\`, usually the MQTT will), a device dies (DDEATH) or a sequence number is skipped,
each affected metric is emitted once more with its last value and \`quality: "stale"\` (and \`staleReason\`); after a
gap, data keeps flowing marked stale until the edge node's next NBIRTH. NDEATH with another \`bdSeq\` is a late will
of an older session and is ignored.

**Rebirth.** DATA from an edge node or device whose birth was not seen (e.g. the flow started after it), or with
aliases not in the birth, cannot be named: it is dropped (logged) and, with \`requestRebirth\`, the node publishes an
NCMD \`Node Control/Rebirth\` so the edge node publishes its births again, at most once per \`rebirthIntervalMs\`.
In a persistent session (the connection sets \`clean: false\`), NDATA and DDATA that come before their birth are not
dropped but kept, unacknowledged, until the birth asked for comes, then emitted (named by the new birth, as a replay
that moves no state): after a restart the broker hands in what it kept for the session before the edge node's
answer to the rebirth request. While such DATA waits, the request is repeated every \`rebirthIntervalMs\` (it goes
out with QoS 0 and an edge node may miss it). At most \`window\` are kept; beyond that the oldest is dropped (logged).

**Bounds.** At most \`maxEdgeNodes\` edge nodes and \`maxDevices\` devices (over all edge nodes) are followed.
Beyond a bound the least recently heard one is forgotten: the status (while connected) and the log say so, with
counts, and the snapshot counts them (\`forgottenEdgeNodes\`, \`forgottenDevices\`). A forgotten edge node or device
is treated as never born when it is heard again: its DATA asks for a rebirth, as after a restart.

**Delivery.** Like mqtt-in: an MQTT message is acknowledged to the broker only after every metric message derived
from it has settled. A redelivered message (a seq up to 127 behind the last one) emits its metrics again without
moving the state, so sinks may see duplicates (at-least-once). Sparkplug edge nodes publish births and data with
QoS 0, as the spec requires, so for them delivery is at most once whatever the subscription's QoS. The node connects
with a clean session, as the spec asks of host applications (unless the connection sets \`clean: false\`), and keeps
its state in memory: after a restart it asks each edge node it hears from for a rebirth, and messages that were in
flight when it stopped are not redelivered. With \`clean: false\` and edge nodes that publish with QoS 1 it is at
least once across a crash (kill -9) of the flow: nothing the broker acknowledged to the edge node is lost. With a \`hostId\` it publishes the Sparkplug 3.0 host STATE (retained, QoS 1): \`{"online": true, "timestamp"}\` on every
connect, the same with \`false\` as its MQTT will (a new timestamp per connection) and on a clean stop.`,
  examples: [
    {
      title: 'Every group on the broker, control metrics too',
      config: {
        connection: 'broker',
        groupId: '+',
        qos: 1,
        requestRebirth: true,
        controlMetrics: true,
        rebirthIntervalMs: 5000,
        window: 1000,
        maxEdgeNodes: 10_000,
        maxDevices: 100_000,
      },
    },
    {
      title: 'One plant, no rebirth requests',
      config: {
        connection: 'broker',
        groupId: 'plant-7',
        qos: 0,
        requestRebirth: false,
        controlMetrics: false,
        rebirthIntervalMs: 5000,
        window: 1000,
        maxEdgeNodes: 10_000,
        maxDevices: 100_000,
      },
    },
  ],
});
