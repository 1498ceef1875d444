import { defineNode, Expression, Type } from '../../src/spec/index.js';

export const split = defineNode({
  type: 'split',
  version: 1,
  category: 'transform',
  title: 'Split',
  summary: 'One message per element of an array, line of a text or property of an object (join reverses it).',
  color: '#8fb8c2',
  inputs: [{ name: 'in', required: true }],
  outputs: [{ name: 'out' }],
  config: Type.Object(
    {
      property: Expression({
        title: 'Split',
        description: 'JSONata giving what to split: an array, a text or an object.',
        default: 'payload',
      }),
      separator: Type.String({
        title: 'Text separator',
        description: 'Where a text is cut (JSON escapes such as \\n work in the flow file).',
        default: '\n',
        minLength: 1,
      }),
      skipEmpty: Type.Boolean({
        title: 'Skip empty text parts',
        description: 'Leave out empty parts of a text (e.g. after a final newline).',
        default: false,
      }),
      maxParts: Type.Integer({
        title: 'Most parts',
        description: 'A message that would split into more parts fails (error port or route): a bound on memory.',
        minimum: 1,
        maximum: 10_000_000,
        default: 100_000,
        'x-advanced': true,
      }),
      timeoutMs: Type.Integer({
        title: 'Time limit (ms)',
        minimum: 1,
        maximum: 60_000,
        default: 1000,
        'x-advanced': true,
      }),
    },
    { additionalProperties: false },
  ),
  docs: `Splits a message into one message per part: each element of an **array**, each piece of a **text** cut at
\`separator\`, or each property of an **object** (the part's payload is the property's value). Every part keeps the
input's topic, key and headers and gets a payload, the id \`<input id>:<index>\` and the headers \`split-id\` (the
input's id), \`split-index\` (from 0), \`split-count\`, \`split-type\` (\`array\`, \`string\` or \`object\`), \`split-key\`
(objects: the property) and \`split-separator\` (texts). A \`join\` in mode \`split\` puts the parts back together.

An empty array, text or object yields nothing (dropped on purpose, acknowledged). Anything else (a number, null)
fails the message, as does one that would make more than \`maxParts\` parts.

**The guarantee.** The parts travel on the input's lineage: its source acknowledges it once every part was
delivered, dropped on purpose or taken by an error route; the parts do not count against the in-flight bound.`,
  examples: [
    { title: 'Each reading of a batch', config: { property: 'payload.readings' } },
    { title: 'Lines of a text', config: { property: 'payload', separator: '\n', skipEmpty: true } },
  ],
});
