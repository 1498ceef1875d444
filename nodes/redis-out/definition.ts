import { ConnectionRef, codecProperty, defineNode, type LintIssue, Type } from '../../src/spec/index.js';
import { type RetryDefaults, retryIssues, retryProperties } from '../../src/spec/retry-schema.js';

const RETRY_DEFAULTS: RetryDefaults = { attempts: 5, retryDelayMs: 500, retryMaxDelayMs: 8_000 };

const toStream = { 'x-showWhen': { mode: ['stream'] } };
const toChannel = { 'x-showWhen': { mode: ['publish'] } };

const config = Type.Object(
  {
    connection: ConnectionRef('redis', { title: 'Redis', description: 'The Redis connection to write to.' }),
    mode: Type.Enum(['stream', 'publish'] as const, {
      title: 'Write as',
      default: 'stream',
      description:
        '`stream`: append an entry to a stream (XADD), kept until trimmed: at least once. `publish`: pub/sub (PUBLISH) to whoever is subscribed right now: at most once.',
    }),
    stream: Type.String({
      title: 'Stream',
      'x-reference': true,
      default: '{{topic}}',
      'x-widget': 'template',
      description:
        'The stream key: text with `{{ }}` parts, each a JSONata expression on the message, e.g. `readings:{{payload.site}}`. Created by the first entry.',
      ...toStream,
    }),
    channel: Type.String({
      title: 'Channel',
      'x-reference': true,
      default: '{{topic}}',
      'x-widget': 'template',
      description: 'The pub/sub channel: text with `{{ }}` parts, e.g. `alerts.{{payload.level}}`.',
      ...toChannel,
    }),
    maxLen: Type.Integer({
      title: 'Keep about (entries)',
      minimum: 0,
      maximum: 1_000_000_000,
      default: 0,
      description:
        'Trim the stream to about this many entries on each XADD (`MAXLEN ~`, which trims whole nodes: cheap). 0: never trim.',
      ...toStream,
    }),
    bodyField: Type.String({
      title: 'Body field',
      default: 'body',
      minLength: 1,
      maxLength: 255,
      description: 'The entry field that holds the payload (encoded by `codec`).',
      ...toStream,
    }),
    ...codecProperty({
      description:
        '`json`: the payload as JSON text. `text`: a string as UTF-8. `bytes`: bytes (or a string) as they are. `csv`: rows (objects under a header line, or arrays) as a CSV document.',
    }),
    copyHeaders: Type.Boolean({
      title: 'Copy headers',
      default: true,
      description:
        'Add the received headers (`wire`) and the message headers as entry fields, except the envelope headers sources add (`redis-*`, `nats-*`, `mqtt-*`, `kafka-*`, `amqp-*`).',
      ...toStream,
    }),
    idField: Type.String({
      title: 'Message id field',
      default: '',
      maxLength: 255,
      examples: ['sluice-id'],
      description:
        'An entry field to carry the message id (e.g. `sluice-id`), for consumers that drop duplicates. Empty: none.',
      ...toStream,
    }),
    batchSize: Type.Integer({
      title: 'Batch size',
      minimum: 1,
      maximum: 10_000,
      default: 500,
      description: 'Commands sent in one pipeline at most.',
      'x-advanced': true,
    }),
    lingerMs: Type.Integer({
      title: 'Linger (ms)',
      minimum: 0,
      maximum: 10_000,
      default: 2,
      description: 'How long the first message of a batch waits for more before the pipeline is sent.',
      'x-advanced': true,
    }),
    ...retryProperties({
      per: 'message',
      when: 'Redis is unreachable or busy (LOADING, OOM, READONLY)',
      note: 'An error reply about the command itself (WRONGTYPE: the key holds no stream) fails the message at once.',
      defaults: RETRY_DEFAULTS,
    }),
  },
  { additionalProperties: false },
);

export const redisOut = defineNode({
  type: 'redis-out',
  version: 1,
  category: 'sink',
  title: 'Redis Stream out',
  summary:
    'Append messages to a Redis Stream (XADD, at least once) or publish them on a channel (PUBLISH, at most once).',
  color: '#dc382d',
  inputs: [{ name: 'in', required: true }],
  outputs: [],
  config,
  lint: (c) => {
    const issues: LintIssue[] = [...retryIssues(c, RETRY_DEFAULTS)];
    if (c.idField && c.idField === c.bodyField) {
      issues.push({ path: '/idField', message: 'the message id field and the body field are the same field' });
    }
    return issues;
  },
  docs: `Writes each message to Redis and acknowledges it upstream only when Redis has answered the command.

**Streams (\`mode: stream\`).** Each message becomes one entry (\`XADD <stream> * ...\`, with \`MAXLEN ~ maxLen\` when
set): the \`bodyField\` field holds the payload encoded by \`codec\`; with \`copyHeaders\`, the received headers
(\`wire\`) and the message headers are further fields (not the envelope headers sources add); with \`idField\`, one
more field carries the message id, so that consumers can drop duplicates. An entry stays until the stream is trimmed,
so a consumer that was down reads it later: **at least once**. Redis replicates and persists it as configured (AOF
\`appendfsync\`): an entry acknowledged by a server that then loses its memory is lost with it.

**Pub/sub (\`mode: publish\`).** Each message is \`PUBLISH\`ed on \`channel\` as its encoded payload (no headers).
Redis hands it to the clients subscribed at that moment and keeps nothing: a subscriber that is down or slow loses it.
This is **at most once**; use it for live views, never for data that must arrive.

**Templates.** \`stream\` and \`channel\` are text with \`{{ }}\` parts holding JSONata expressions evaluated on the
message, e.g. \`{{topic}}\` or \`readings:{{payload.site}}\`. A part without a value fails the message.

**Batching.** Commands are collected into batches of up to \`batchSize\` and sent as one pipeline after \`lingerMs\` at
the latest; one batch is in flight at a time and order is kept. The flow's in-flight limit bounds what waits here.

**Failures.** An error reply about the command (\`WRONGTYPE\`: the key holds something else) fails that message alone
(error port or error route), at once. While Redis is unreachable or busy (\`LOADING\`, \`OOM\`, \`READONLY\`), the failed
commands are retried with backoff (\`attempts\`, \`retryDelayMs\`, \`retryMaxDelayMs\`); after the last attempt the
message fails. A command cut off by a lost connection may have been applied: a retry can then add the entry twice.

**Status.** The node writes on the connection's shared client: \`connecting\`, \`connected\` or \`error\` with the reason.`,
  examples: [
    {
      title: 'Readings into a capped stream per site',
      config: {
        connection: 'redis',
        mode: 'stream',
        stream: 'readings:{{payload.site}}',
        channel: '{{topic}}',
        maxLen: 100000,
        bodyField: 'body',
        codec: 'json',
        copyHeaders: true,
        idField: 'sluice-id',
        batchSize: 500,
        lingerMs: 2,
        attempts: 5,
        retryDelayMs: 500,
        retryMaxDelayMs: 8000,
      },
    },
    {
      title: 'Live alerts on a pub/sub channel',
      config: {
        connection: 'redis',
        mode: 'publish',
        stream: '{{topic}}',
        channel: 'alerts',
        maxLen: 0,
        bodyField: 'body',
        codec: 'json',
        copyHeaders: true,
        idField: '',
        batchSize: 500,
        lingerMs: 2,
        attempts: 5,
        retryDelayMs: 500,
        retryMaxDelayMs: 8000,
      },
    },
  ],
});
