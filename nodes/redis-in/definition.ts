import { ConnectionRef, codecProperty, defineNode, type LintIssue, Type } from '../../src/spec/index.js';

const config = Type.Object(
  {
    connection: ConnectionRef('redis', { title: 'Redis', description: 'The Redis connection to read from.' }),
    stream: Type.String({
      title: 'Stream',
      'x-reference': true,
      minLength: 1,
      maxLength: 1024,
      description: 'The stream key. It is created (empty) with the group if it does not exist.',
    }),
    group: Type.Optional(
      Type.String({
        title: 'Consumer group',
        minLength: 1,
        maxLength: 255,
        description:
          'Default `sluice-<flow id>-<node id>`. Flows (or replicas) with the same group share the entries; each entry goes to one of them. Created if missing.',
      }),
    ),
    consumer: Type.Optional(
      Type.String({
        title: 'Consumer name',
        minLength: 1,
        maxLength: 255,
        description:
          'Default `<host name>-<node id>`. Must stay the same across restarts: a restarted consumer re-reads its own pending entries. Replicas need different names (their host names differ).',
        'x-advanced': true,
      }),
    ),
    start: Type.Enum(['earliest', 'latest'] as const, {
      title: 'Start from',
      default: 'earliest',
      description:
        'Where a group created by this node starts: `earliest` reads what the stream holds, `latest` only entries added from now on. An existing group resumes where it is.',
    }),
    bodyField: Type.String({
      title: 'Body field',
      default: 'body',
      maxLength: 255,
      description:
        'The entry field that holds the payload (decoded by `codec`); the other fields become headers. Empty: the payload is the whole entry, an object of its fields (text values), and `codec` is not used.',
    }),
    ...codecProperty({
      description:
        '`json`: parse the body field as JSON. `text`: UTF-8 text. `bytes`: the raw bytes. `csv`: a CSV document with a header line, as an array of row objects. A body that does not decode goes to the error route.',
    }),
    batchSize: Type.Integer({
      title: 'Read batch',
      minimum: 1,
      maximum: 10_000,
      default: 100,
      description: 'Entries per XREADGROUP (`COUNT`). The flow’s in-flight limit holds too.',
      'x-advanced': true,
    }),
    blockMs: Type.Integer({
      title: 'Block (ms)',
      minimum: 10,
      maximum: 60_000,
      default: 2_000,
      description: 'How long one read waits for new entries (`BLOCK`).',
      'x-advanced': true,
    }),
    claimIdleMs: Type.Integer({
      title: 'Claim after idle (ms)',
      minimum: 0,
      maximum: 86_400_000,
      default: 60_000,
      description:
        "Entries another consumer of the group has held unacknowledged longer than this (it crashed or was removed) are claimed (XAUTOCLAIM) and delivered here. Must be longer than a message's slowest trip through the flow. 0: never claim.",
    }),
    redeliveryDelayMs: Type.Integer({
      title: 'Redelivery delay (ms)',
      minimum: 0,
      maximum: 600_000,
      default: 1_000,
      description:
        'After a message failed with no error route to take it, its entry stays pending and is delivered again after this delay.',
      'x-advanced': true,
    }),
  },
  { additionalProperties: false },
);

export const redisIn = defineNode({
  type: 'redis-in',
  version: 1,
  category: 'source',
  title: 'Redis Stream in',
  summary:
    'Read a Redis Stream in a consumer group; each entry is acknowledged (XACK) only once the flow has delivered it.',
  color: '#dc382d',
  inputs: [],
  outputs: [{ name: 'out', label: 'out', description: 'One message per stream entry.' }],
  config,
  lint: (c) => {
    const issues: LintIssue[] = [];
    if (c.claimIdleMs > 0 && c.claimIdleMs < c.blockMs) {
      issues.push({
        path: '/claimIdleMs',
        message:
          'entries are claimed after less idle time than one blocking read: busy consumers lose entries to each other',
        hint: 'claim after much longer than a message takes to go through the flow (the default is 60 s)',
        severity: 'warning',
      });
    }
    return issues;
  },
  docs: `Reads entries of a Redis Stream as a member of a **consumer group** (\`XREADGROUP\`). An entry is
**acknowledged (\`XACK\`) only after the flow has finished with it**: delivered by every sink, filtered out on purpose,
or taken by an error route. Until then it stays in the group's pending list, so a crash, a stop or a lost
connection loses nothing. Sinks should write idempotently: the message id \`<stream>/<entry id>\` is the same on every
delivery of an entry.

**Group and consumer.** The group is created if missing (with the stream: \`MKSTREAM\`), from the start of the stream
(\`start: earliest\`) or from new entries (\`latest\`). Flows or replicas with the same \`group\` share the entries
(competing consumers: how to scale out); each needs its own \`consumer\` name, which must stay the same across restarts.
At start the node first **re-reads its own pending entries** (read before a crash, never acknowledged), then reads new
ones.

**Dead consumers.** Every so often the node claims (\`XAUTOCLAIM\`) entries that another consumer of the group has
held for longer than \`claimIdleMs\` (a replica that crashed and never came back) and delivers them. Set it well above
the longest time a message takes through the flow, or a live but slow consumer loses entries to the others (they are
then delivered twice).

**Failures.** A message the flow failed on, with no error port or error route to take it, is not acknowledged: its
entry is claimed back (\`XCLAIM\`, which counts the delivery in \`XPENDING\`) and delivered again after
\`redeliveryDelayMs\`. A message the flow dropped (it failed by itself: bad payload, expression error) is acknowledged.

**Message.** The payload is the \`bodyField\` field decoded by \`codec\`; an entry without that field, or one that
does not decode, goes to the error route with the reason. With \`bodyField\` empty, the payload is the whole entry as
an object (\`{"temp": "21.5", "site": "berlin"}\`: Redis values are text). The other fields are headers (in \`wire\`
and, for names Sluice does not reserve, in \`headers\`). Envelope headers: \`redis-stream\`, \`redis-id\`. The topic is
the stream key.

**Back pressure.** The node reads at most \`batchSize\` entries at a time and no more while the flow's in-flight limit
is reached: memory stays bounded, and the backlog stays in Redis.

**Connection.** The node reads on a client of its own (a blocking read holds its connection) and acknowledges on the
connection's shared client. It shows \`connecting\`, \`connected\` or \`error\` with the reason, and resumes after a lost
connection with the connection's backoff.`,
  examples: [
    {
      title: 'Orders stream, shared by every replica of the flow',
      config: {
        connection: 'redis',
        stream: 'orders',
        group: 'order-sync',
        start: 'earliest',
        bodyField: 'body',
        codec: 'json',
        batchSize: 100,
        blockMs: 2000,
        claimIdleMs: 60000,
        redeliveryDelayMs: 1000,
      },
    },
    {
      title: 'Sensor entries written field by field',
      config: {
        connection: 'redis',
        stream: 'sensors',
        start: 'latest',
        bodyField: '',
        codec: 'json',
        batchSize: 500,
        blockMs: 2000,
        claimIdleMs: 60000,
        redeliveryDelayMs: 1000,
      },
    },
  ],
});
