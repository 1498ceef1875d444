import { defineNode, Expression, StringEnum, Type } from '../../src/spec/index.js';

export const join = defineNode({
  type: 'join',
  version: 1,
  category: 'transform',
  title: 'Join',
  summary: 'Collect messages into one array, object or text: the parts of a split, every n messages, or a time span.',
  color: '#8fb8c2',
  inputs: [{ name: 'in', required: true }],
  outputs: [{ name: 'out' }],
  config: Type.Object(
    {
      mode: StringEnum(['split', 'count', 'time'] as const, {
        title: 'Group',
        default: 'split',
        description:
          'split: the parts of one split message (by the split-* headers); count: every n messages; time: what ' +
          'arrives within a span after a group starts.',
      }),
      count: Type.Integer({
        title: 'Messages per group',
        minimum: 1,
        maximum: 1_000_000,
        default: 10,
        'x-showWhen': { mode: ['count'] },
      }),
      spanMs: Type.Integer({
        title: 'Span (ms)',
        description: 'A group is emitted this long after its first message arrived.',
        minimum: 1,
        maximum: 24 * 3_600_000,
        default: 1000,
        'x-showWhen': { mode: ['time'] },
      }),
      key: Type.Optional(
        Expression({
          title: 'Per key',
          description: 'JSONata giving a key: one group per key (count and time). None: one group.',
          'x-showWhen': { mode: ['count', 'time'] },
        }),
      ),
      output: StringEnum(['auto', 'array', 'object', 'string'] as const, {
        title: 'Output',
        default: 'auto',
        description:
          'array of values; object of values by property; text joined with the separator; auto: what the split ' +
          'split (split-type header), else an array.',
      }),
      value: Expression({
        title: 'Value',
        description: 'JSONata giving each message\u2019s element.',
        default: 'payload',
      }),
      property: Expression({
        title: 'Property',
        description: 'Object output: JSONata giving each element\u2019s property name.',
        default: '$exists(headers."split-key") ? headers."split-key" : topic',
        'x-showWhen': { output: ['object', 'auto'] },
      }),
      separator: Type.String({
        title: 'Text separator',
        description: 'Text output: put between the parts (auto after a split: the split\u2019s separator).',
        default: '\n',
        'x-showWhen': { output: ['string', 'auto'] },
      }),
      maxWaitMs: Type.Integer({
        title: 'Most wait (ms)',
        description:
          'split and count: a group still incomplete this long after its first message is emitted as it is ' +
          '(header join-complete: false). 0: wait until complete (or the flow stops).',
        minimum: 0,
        maximum: 24 * 3_600_000,
        default: 0,
        'x-showWhen': { mode: ['split', 'count'] },
      }),
      onStop: StringEnum(['redeliver', 'flush'] as const, {
        title: 'On stop',
        default: 'redeliver',
        description:
          'When the flow stops or is redeployed, open groups are given back (not acknowledged: redelivered) or ' +
          'flushed (emitted as they are).',
        'x-advanced': true,
      }),
      timeoutMs: Type.Integer({
        title: 'Time limit (ms)',
        description: 'Per JSONata evaluation.',
        minimum: 1,
        maximum: 60_000,
        default: 1000,
        'x-advanced': true,
      }),
    },
    { additionalProperties: false },
  ),
  holds: (config) => (config.mode === 'count' ? { count: config.count, path: '/count', what: 'a group' } : undefined),
  docs: `Collects messages into one: the reverse of \`split\`, or Node-RED's join in manual mode.

**Groups.** \`split\`: the parts of one split message, by its \`split-id\`, complete when all \`split-count\` parts
arrived, in \`split-index\` order (the joined message takes the split input's id, topic and key back). \`count\`: every
\`count\` messages (per key). \`time\`: everything that arrives within \`spanMs\` after a group's first message (per key).
With \`maxWaitMs\`, an incomplete split or count group is emitted as it is after that long, with the header
\`join-complete: false\`.

**Output.** \`array\` of each message's \`value\` (default the payload); \`object\` of values by \`property\` (default the
split's \`split-key\`, else the topic); \`string\`: the values joined with \`separator\`; \`auto\`: the kind the split
split (\`split-type\`), else an array. The joined message's id is stable (the split input's id, or the first/last
message's id with \`:join\`), so an idempotent sink writes a redelivered group once.

**The guarantee.** A message held in a group is not acknowledged until the joined message was delivered, dropped on
purpose or taken by an error route (a failure the source must redeliver nacks every message of the group). Parts of a
split share their input's lineage and take one place in the source's in-flight bound; in \`count\` mode every message
takes one, so \`sluice validate\` refuses a \`count\` larger than \`settings.maxInFlight\` (or the source's own bound:
mqtt-in's \`window\`, amqp-in's \`prefetch\`), and a \`time\` group holds what
arrives during its span (the source waits when that is more than the bound). When the flow stops, open groups are
given back for redelivery (\`onStop: redeliver\`, default) or emitted as they are (\`flush\`).`,
  examples: [
    { title: 'Undo a split', config: { mode: 'split', output: 'auto' } },
    { title: 'Batches of 100 readings per device', config: { mode: 'count', count: 100, key: 'payload.device' } },
    {
      title: 'Latest value per topic each second',
      config: { mode: 'time', spanMs: 1000, output: 'object', property: 'topic' },
    },
  ],
});
