import { ConnectionRef, codecProperty, defineNode, type LintIssue, Type } from '../../src/spec/index.js';

const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

export const kafkaIn = defineNode({
  type: 'kafka-in',
  version: 1,
  category: 'source',
  title: 'Kafka in',
  summary: 'Consume Kafka topics in a consumer group; offsets are committed only for messages the flow has finished.',
  color: '#9fa8da',
  inputs: [],
  outputs: [{ name: 'out', label: 'out', description: 'One message per Kafka record.' }],
  config: Type.Object(
    {
      connection: ConnectionRef('kafka', { title: 'Cluster', description: 'The Kafka connection to consume from.' }),
      topics: Type.Array(Type.String({ minLength: 1, maxLength: 249, title: 'Topic', 'x-reference': true }), {
        title: 'Topics',
        description: 'The topics to consume.',
        minItems: 1,
      }),
      groupId: Type.Optional(
        Type.String({
          title: 'Consumer group',
          minLength: 1,
          maxLength: 255,
          description:
            'Default `sluice-<flow id>-<node id>`. Flows (or replicas) with the same group share the partitions; the committed offsets belong to the group.',
        }),
      ),
      start: Type.Enum(['earliest', 'latest'] as const, {
        title: 'Start from',
        default: 'earliest',
        description:
          'Where a group with no committed offset starts: `earliest` reads what the topic holds, `latest` only what arrives from now on. Once the group has committed, it resumes there.',
      }),
      ...codecProperty({
        description:
          '`json`: parse the value. `text`: UTF-8. `bytes`: as is. `csv`: a CSV document with a header line, as an array of row objects. A value that does not decode goes to the error route. A null value (tombstone) is a null payload.',
      }),
      commitIntervalMs: Type.Integer({
        title: 'Commit interval (ms)',
        minimum: 10,
        maximum: 600_000,
        default: 1_000,
        description:
          'How often settled offsets are committed. Shorter: fewer records read again after a crash; longer: fewer commit requests.',
        'x-advanced': true,
      }),
      rewindDelayMs: Type.Integer({
        title: 'Redelivery delay (ms)',
        minimum: 0,
        maximum: 600_000,
        default: 1_000,
        description:
          'After a message failed with no error route to take it, wait this long before its partition is read again from it.',
        'x-advanced': true,
      }),
      sessionTimeoutMs: Type.Integer({
        title: 'Session timeout (ms)',
        minimum: 3_000,
        maximum: 600_000,
        default: 30_000,
        description: 'A member silent this long leaves the group and its partitions move to the others.',
        'x-advanced': true,
      }),
      heartbeatIntervalMs: Type.Integer({
        title: 'Heartbeat interval (ms)',
        minimum: 100,
        maximum: 60_000,
        default: 3_000,
        description: 'About a third of the session timeout.',
        'x-advanced': true,
      }),
      rebalanceTimeoutMs: Type.Integer({
        title: 'Rebalance timeout (ms)',
        minimum: 1_000,
        maximum: 600_000,
        default: 60_000,
        description: 'How long the group waits for members to re-join during a rebalance.',
        'x-advanced': true,
      }),
      maxWaitTimeMs: Type.Integer({
        title: 'Fetch wait (ms)',
        minimum: 0,
        maximum: 60_000,
        default: 500,
        description: 'How long the broker may hold a fetch while it has no new records (Kafka `fetch.max.wait.ms`).',
        'x-advanced': true,
      }),
      maxBytesPerPartition: Type.Integer({
        title: 'Fetch bytes per partition',
        minimum: 1_024,
        maximum: 104_857_600,
        default: 1_048_576,
        description: 'The most bytes one fetch returns per partition.',
        'x-advanced': true,
      }),
    },
    { additionalProperties: false },
  ),
  lint: (c) => {
    const issues: LintIssue[] = [];
    const seen = new Set<string>();
    c.topics.forEach((t, i) => {
      if (!TOPIC.test(t) || t === '.' || t === '..') {
        issues.push({ path: `/topics/${i}`, message: `"${t}" is not a valid Kafka topic name (a-z A-Z 0-9 . _ -)` });
      }
      if (seen.has(t)) issues.push({ path: `/topics/${i}`, message: `"${t}" is listed twice`, severity: 'warning' });
      seen.add(t);
    });
    if (c.heartbeatIntervalMs >= c.sessionTimeoutMs) {
      issues.push({
        path: '/heartbeatIntervalMs',
        message: 'the heartbeat interval must be shorter than the session timeout',
        hint: 'about a third of it',
      });
    }
    return issues;
  },
  docs: `Consumes one or more topics as a member of a consumer group and emits one message per record.

**Message.** \`id\` is \`<topic>/<partition>/<offset>\`: the same record always gets the same id, so sinks can write
idempotently. \`topic\` is the Kafka topic, \`key\` the record key (UTF-8; a key that is not UTF-8 arrives as base64
with header \`kafka-key-encoding: base64\`), \`payload\` the value decoded by \`codec\`. Headers: \`kafka-topic\`,
\`kafka-partition\`, \`kafka-offset\` and \`kafka-timestamp\`. The record headers are in \`wire\` as sent (UTF-8; a name
given twice as an array of its values); one with a single value and a name Sluice does not reserve (\`kafka-*\`,
\`mqtt-*\`, \`amqp-*\`, \`sluice-*\`, \`content-type\`) is also in \`headers\`. A value that the codec cannot read (e.g. \`{not json\`) goes to the error port or the flow's error
route with the reason; the flow goes on.

**Delivery.** Offsets are **never auto-committed**. A record counts as done when the flow has settled it: delivered
by every sink, filtered out on purpose, or taken by an error route. Records settle out of order, so each partition
commits (every \`commitIntervalMs\`, and when the flow stops) the offset below which every record is done. A crash,
a stop or a rebalance therefore loses nothing: the group reads again from its last commit, and records that were
done but not yet committed arrive a second time (at-least-once).

**Failures.** A message that fails with no error port or error route to take it is **not committed past**: its
partition is paused, and after \`rewindDelayMs\` read again from that record (a seek), so it is redelivered, together
with the records after it that were already taken. A record that always fails comes back forever; wire an error
route (e.g. a \`kafka-out\` to a dead-letter topic) to take such records and move on.

**Back pressure.** When the flow's in-flight limit is reached, the consumer pauses every partition and resumes when
there is room again; memory stays bounded however far behind the group is.

**Groups and scale-out.** The consumer group is \`groupId\`, by default \`sluice-<flow id>-<node id>\`: the same on every
run, so a restart resumes where it stopped; renaming the flow or the node starts a new group (from \`start\`). Run the
flow on several machines with the same group to share the partitions. A rebalance re-reads each partition from its
committed offset.

**Compression.** Records compressed with gzip are read; Snappy, LZ4 and ZSTD need codecs this build does not have,
and a batch using them stops the consumer with an error.

**Status.** \`connecting\` until the member joined the group, then \`connected\`; \`error\` with the reason when the
consumer fails, after which it restarts with the connection's backoff.`,
  examples: [
    { title: 'Orders as JSON', config: { connection: 'kafka', topics: ['orders'], start: 'earliest', codec: 'json' } },
    {
      title: 'Two topics, a named group, only new records',
      config: {
        connection: 'kafka',
        topics: ['readings', 'alarms'],
        groupId: 'plant-7-export',
        start: 'latest',
        codec: 'text',
      },
    },
  ],
});
