import { defineNode, Expression, Type } from '../../src/spec/index.js';

export const transform = defineNode({
  type: 'transform',
  version: 1,
  category: 'transform',
  title: 'Transform',
  summary: 'Map each message to a new payload (and optionally topic, key, headers) with JSONata.',
  color: '#a3c28f',
  inputs: [{ name: 'in', required: true }],
  outputs: [{ name: 'out' }],
  config: Type.Object(
    {
      expression: Expression({
        title: 'Payload',
        description:
          'JSONata over the message ({ topic, key, payload, headers, timestamp, id }); its result becomes the payload.',
        default: 'payload',
      }),
      topic: Type.Optional(Expression({ title: 'Topic', description: 'JSONata for the new topic (optional).' })),
      key: Type.Optional(Expression({ title: 'Key', description: 'JSONata for the new key (optional).' })),
      headers: Type.Optional(
        Expression({
          title: 'Headers',
          description: 'JSONata giving an object of headers merged into the message headers (optional).',
        }),
      ),
      timeoutMs: Type.Integer({
        title: 'Time limit (ms)',
        minimum: 1,
        maximum: 60_000,
        default: 1000,
        'x-advanced': true,
        description: 'Per evaluation; a message that exceeds it fails.',
      }),
      maxDepth: Type.Integer({
        title: 'Recursion limit',
        minimum: 10,
        maximum: 10_000,
        default: 500,
        'x-advanced': true,
      }),
    },
    { additionalProperties: false },
  ),
  docs: `Computes a new payload from each message with a [JSONata](https://jsonata.org) expression, compiled once.

The expression sees the whole message: \`payload\`, \`topic\`, \`key\`, \`headers\`, \`wire\` (the headers as received,
see the README's Messages), \`timestamp\`, \`id\`.
Optional expressions set a new topic, key, or extra headers. When the payload expression yields nothing
(a missing field), the payload becomes \`null\`. An evaluation error (a type error, the time or recursion
limit) fails that message: it goes to the error port, or the flow's error route, with the reason.

Common expressions run on Sluice's compiled fast path; everything else runs in the JSONata interpreter
with the same results.`,
  examples: [
    {
      title: 'Celsius to Fahrenheit, device from the topic',
      config: {
        expression: '{"device": $split(topic, "/")[1], "tempF": payload.temp * 1.8 + 32}',
        timeoutMs: 1000,
        maxDepth: 500,
      },
    },
  ],
});
