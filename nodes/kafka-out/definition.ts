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

const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

/** The template's literal text must be balanced and, without `{{ }}` parts, a valid topic name. */
function topicIssue(template: string): string | undefined {
  let depth = 0;
  let literal = '';
  let hasParts = false;
  for (let i = 0; i < template.length; i++) {
    const two = template.slice(i, i + 2);
    if (two === '{{') {
      if (depth > 0) return 'a "{{" opens inside another {{ }}';
      depth++;
      hasParts = true;
      i++;
    } else if (two === '}}' && depth > 0) {
      depth--;
      i++;
    } else if (depth === 0) {
      literal += template[i];
    }
  }
  if (depth > 0) return 'a "{{" is not closed with "}}"';
  if (!hasParts && (!TOPIC.test(template) || template === '.' || template === '..')) {
    return `"${template}" is not a valid Kafka topic name (1 to 249 of a-z A-Z 0-9 . _ -)`;
  }
  if (literal !== '' && !/^[a-zA-Z0-9._-]*$/.test(literal)) {
    return 'the text around {{ }} holds characters a Kafka topic name cannot have (only a-z A-Z 0-9 . _ -)';
  }
  return undefined;
}

export const kafkaOut = defineNode({
  type: 'kafka-out',
  version: 1,
  category: 'sink',
  title: 'Kafka out',
  summary: 'Produce messages to Kafka in batches; a message counts as delivered once the broker acknowledged it.',
  color: '#9fa8da',
  inputs: [{ name: 'in', required: true }],
  outputs: [],
  config: Type.Object(
    {
      connection: ConnectionRef('kafka', { title: 'Cluster', description: 'The Kafka connection to produce on.' }),
      topic: Type.String({
        title: 'Topic',
        'x-reference': true,
        minLength: 1,
        'x-widget': 'template',
        description:
          'A topic, or a template: text with `{{ }}` parts, each a JSONata expression on the message, e.g. `readings`, `plant.{{payload.site}}`, `{{$replace(topic, "/", ".")}}`. A part with no value, or a result that is not a valid topic name, fails the message.',
      }),
      ...codecProperty({
        description:
          '`json`: the payload as JSON text. `text`: a string payload as UTF-8. `bytes`: a bytes (or string) payload as is. `csv`: rows (objects under a header line, or arrays) as a CSV document. With `text` or `bytes` a null payload is sent as a tombstone (null value).',
      }),
      acks: Type.Enum(['all', 'leader', 'none'] as const, {
        title: 'Acknowledgement',
        default: 'all',
        description:
          '`all`: every in-sync replica has the record (acks=-1; what at-least-once needs). `leader`: the leader alone (lost if it fails before replicating). `none`: nothing is confirmed.',
      }),
      compression: Type.Enum(['none', 'gzip'] as const, {
        title: 'Compression',
        default: 'none',
        description:
          'Per batch. gzip is built in; Snappy, LZ4 and ZSTD would need extra codec packages and are not offered.',
      }),
      partitioner: Type.Enum(['default', 'legacy', 'round-robin'] as const, {
        title: 'Partitioner',
        default: 'default',
        description:
          "`default`: by a murmur2 hash of the key, as Java clients do (keyless messages in turn). `legacy`: kafkajs 1.x's hash. `round-robin`: in turn, ignoring the key (loses per-key order).",
        'x-advanced': true,
      }),
      batchSize: Type.Integer({
        title: 'Batch size',
        minimum: 1,
        maximum: 100_000,
        default: 500,
        description: 'Messages per produce request at most.',
      }),
      lingerMs: Type.Integer({
        title: 'Linger (ms)',
        minimum: 0,
        maximum: 60_000,
        default: 5,
        description: 'How long a batch waits for more messages before it is sent.',
      }),
      batchesInFlight: Type.Integer({
        title: 'Batches in flight',
        minimum: 1,
        maximum: 64,
        default: 1,
        description:
          'Produce requests awaiting their acknowledgement at once. Messages with the same key keep their order whatever the value. Raise it for a distant cluster, where one batch per round trip limits throughput.',
        'x-advanced': true,
      }),
      copyHeaders: Type.Boolean({
        title: 'Copy headers',
        default: true,
        description:
          'Send the received headers (`wire`) and the message headers as Kafka headers, except the envelope headers sources add (`kafka-*`, `mqtt-*`, `amqp-*`), which describe how the input arrived.',
      }),
      idHeader: Type.String({
        title: 'Message id header',
        default: '',
        maxLength: 200,
        examples: ['sluice-id'],
        description:
          'A Kafka header to carry the message id (e.g. `sluice-id`), for consumers that drop duplicates. Empty: none (each header costs a little in every record).',
        'x-advanced': true,
      }),
      ...ackTimeoutProperty({
        default: 30_000,
        description: 'How long the broker may wait for the replicas (acks all) before it answers with an error.',
      }),
      ...retryProperties({
        per: 'batch',
        when: 'the cluster is unreachable or refuses it for a passing reason',
        defaults: RETRY_DEFAULTS,
      }),
    },
    { additionalProperties: false },
  ),
  lint: (c) => {
    const issues: LintIssue[] = [];
    const bad = typeof c.topic === 'string' ? topicIssue(c.topic) : undefined;
    if (bad) issues.push({ path: '/topic', message: `topic: ${bad}` });
    if (c.acks !== 'all') {
      issues.push({
        path: '/acks',
        message:
          c.acks === 'none'
            ? 'acks "none": messages count as delivered without any confirmation, and can be lost'
            : 'acks "leader": a message is lost if the leader fails before a replica copied it',
        severity: 'warning',
      });
    }
    issues.push(...retryIssues(c, RETRY_DEFAULTS));
    return issues;
  },
  docs: `Produces each message as a Kafka record and acknowledges it upstream only when the broker has
**acknowledged the batch that holds it** (with \`acks: all\`, every in-sync replica has it): only then may the source
acknowledge its input.

**Topic.** A fixed topic or a template: literal text with \`{{ }}\` parts holding JSONata expressions evaluated on the
message, e.g. \`plant.{{payload.site}}\` or \`{{topic}}\`. MQTT topics use \`/\`, which Kafka topic names cannot hold:
\`{{$replace(topic, "/", ".")}}\` converts. A part with no value, or a result that is not a valid topic name
(1 to 249 of \`a-z A-Z 0-9 . _ -\`), fails that message (error port or error route) and the others go on. Whether
producing to a missing topic creates it is the cluster's \`auto.create.topics.enable\`.

**Record.** Key: the message key (none: the partitioner spreads keyless records). Value: the payload by \`codec\`.
Headers (\`copyHeaders\`): the received headers (\`wire\`) as they came, a repeated name repeated, and the message
headers (a header replaces a received one of the same name; not the envelope headers that sources add, \`kafka-*\`,
\`mqtt-*\` and \`amqp-*\`), plus, when \`idHeader\` names one (e.g. \`sluice-id\`), the message id, so that a consumer can drop
duplicates (a redelivered message keeps its id: kafka-in's ids come from topic, partition and offset). Timestamp: the message's.

**Batching.** Messages are collected into batches of up to \`batchSize\`, sent after \`lingerMs\` at the latest, one
produce request per batch, compressed with \`compression\`. One batch is in flight at a time by default; with
\`batchesInFlight\` above 1, messages are spread over that many lanes by key, so messages with the same key still
keep their order, even across retries. The flow's in-flight limit bounds how many messages can wait here.

**Partitioner.** \`default\` hashes the key with murmur2 like the Java client, so records with the same key go to the
same partition as a Java producer would send them; \`legacy\` is kafkajs 1.x's hash; \`round-robin\` ignores the key.
Nodes with the same partitioner share one producer per connection.

**Failures and back pressure.** While the cluster is unreachable, or answers with a passing error (leader moving,
timeout), a batch is retried with backoff (\`attempts\`, \`retryDelayMs\`, \`retryMaxDelayMs\`), then its messages fail
(the source redelivers them; the error route takes them only
with the flow's \`transientFailures: "route"\`): a long outage turns into failed messages, not growing
memory. An error that retrying cannot fix (a record too large, no permission on the topic) fails only the records
that cause it: the batch is split until they are found. A retried batch may have partly landed: at-least-once, so a record can be written twice.

**Idempotent producer: off.** kafkajs marks it experimental and it forces one request in flight; without it a retry
can write a record twice, which an \`idHeader\` lets consumers detect. Exactly-once is not offered.

**Status.** \`connecting\`, \`connected\`, or \`error\` with the reason; the producer reconnects with the connection's
backoff.`,
  examples: [
    {
      title: 'Readings to one topic, keyed by device upstream',
      config: { connection: 'kafka', topic: 'readings', codec: 'json', acks: 'all', batchSize: 500, lingerMs: 5 },
    },
    {
      title: 'One topic per MQTT topic, gzip',
      config: {
        connection: 'kafka',
        topic: 'mqtt.{{$replace(topic, "/", ".")}}',
        codec: 'json',
        acks: 'all',
        compression: 'gzip',
        batchSize: 1000,
        lingerMs: 20,
      },
    },
  ],
});
