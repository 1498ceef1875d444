import { defineNode, StringEnum, Type } from '../../src/spec/index.js';

export const debug = defineNode({
  type: 'debug',
  version: 1,
  category: 'sink',
  title: 'Debug',
  summary: 'Keep the most recent messages for the debug panel (bounded), optionally log them.',
  color: '#9aa5b1',
  inputs: [{ name: 'in', required: true }],
  outputs: [],
  config: Type.Object(
    {
      active: Type.Boolean({
        title: 'Active',
        default: true,
        description:
          'Show messages in the debug panel. The button on the node switches it in the running flow without a deploy.',
      }),
      keep: Type.Integer({
        title: 'Messages kept',
        minimum: 1,
        maximum: 10_000,
        default: 100,
        description: 'The newest messages kept for the debug panel; older ones are forgotten.',
      }),
      capture: StringEnum(['message', 'payload'] as const, {
        title: 'Show',
        default: 'message',
        description: 'The whole message or just its payload.',
      }),
      log: Type.Boolean({ title: 'Also log', default: false, description: 'Write each message to the runtime log.' }),
      maxPayloadBytes: Type.Integer({
        title: 'Payload size shown',
        minimum: 64,
        maximum: 1_048_576,
        default: 16_384,
        'x-advanced': true,
        description: 'Larger payloads are shown truncated.',
      }),
    },
    { additionalProperties: false },
  ),
  docs: `A terminal node for watching a flow. It keeps the newest \`keep\` messages in a ring buffer (memory stays
bounded however fast messages arrive) and publishes each one to the editor's debug panel. Messages that reach a
debug node count as delivered, so their sources acknowledge them.

The button on the node turns it off and on (\`active\`), as in Node-RED: while off it still takes (and so
acknowledges) its messages, but neither keeps, shows nor logs them. Pressed in a running flow it takes effect at once,
without a deploy; the flow records the choice, so the next deploy keeps it.`,
  examples: [
    {
      title: 'Watch the last 100 messages',
      config: { active: true, keep: 100, capture: 'message', log: false, maxPayloadBytes: 16384 },
    },
  ],
});
