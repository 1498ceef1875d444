import { defineNode, Expression, Type } from '../../src/spec/index.js';

export const filter = defineNode({
  type: 'filter',
  version: 1,
  category: 'rule',
  title: 'Filter',
  summary: 'Pass messages that match a condition; drop (and acknowledge) the rest.',
  color: '#e2c275',
  inputs: [{ name: 'in', required: true }],
  outputs: [{ name: 'out' }],
  config: Type.Object(
    {
      condition: Expression({
        title: 'Condition',
        description: 'JSONata over the message; a truthy result passes the message on.',
        default: 'payload.temp > 25',
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
  docs: `Passes a message on when its **condition** (JSONata over the message) is truthy, by JSONata's \`$boolean\`
rules. Other messages are dropped on purpose: they count as *dropped* and their source acknowledges them.
An evaluation error fails the message (error port or error route), it is not treated as false.`,
  examples: [{ title: 'Hot readings only', config: { condition: 'payload.temp > 30', timeoutMs: 1000 } }],
});
