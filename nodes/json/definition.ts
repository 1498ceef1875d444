import { defineNode, StringEnum, Type } from '../../src/spec/index.js';

export const json = defineNode({
  type: 'json',
  version: 1,
  category: 'transform',
  title: 'JSON',
  summary: 'Parse a text/bytes payload as JSON, or serialise a payload to JSON text.',
  color: '#a3c28f',
  inputs: [{ name: 'in', required: true }],
  outputs: [{ name: 'out' }],
  config: Type.Object(
    {
      action: StringEnum(['parse', 'serialize', 'toggle'] as const, {
        title: 'Action',
        default: 'parse',
        description: 'parse: text or bytes to a value; serialize: a value to text; toggle: whichever applies.',
      }),
      pretty: Type.Boolean({
        title: 'Indent output',
        default: false,
        'x-showWhen': { action: ['serialize', 'toggle'] },
      }),
    },
    { additionalProperties: false },
  ),
  docs: `Converts the payload between JSON text and a value.

- **parse**: a string or bytes payload (UTF-8) is parsed; a payload that is already a value passes unchanged.
  Text that is not valid JSON fails the message with the parser's reason (error port or error route); the flow goes on.
- **serialize**: the payload becomes JSON text.
- **toggle**: parse text, serialise values.`,
  examples: [{ title: 'Parse MQTT text payloads', config: { action: 'parse', pretty: false } }],
});
