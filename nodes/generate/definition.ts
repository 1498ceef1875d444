import { defineNode, Expression, Type } from '../../src/spec/index.js';

export const generate = defineNode({
  type: 'generate',
  version: 1,
  category: 'source',
  title: 'Generate',
  summary: 'Simulated messages for trying a flow: at an interval or a rate, from a payload template.',
  color: '#7c9cbf',
  inputs: [],
  outputs: [{ name: 'out', label: 'out' }],
  config: Type.Object(
    {
      topic: Type.String({
        title: 'Topic',
        'x-reference': true,
        default: 'sim/sensors',
        description: 'Topic set on every message.',
      }),
      payload: Expression({
        title: 'Payload template',
        description:
          'JSONata evaluated per message. `$seq` is the sequence number (1, 2, ...); `$random()` and `$millis()` give random and timestamp fields.',
        default:
          '{"seq": $seq, "device": "dev-" & ($seq % 5), "temp": $round(15 + $random() * 20, 1), "ts": $millis()}',
      }),
      key: Type.Optional(Expression({ title: 'Key', description: 'Optional JSONata for the message key.' })),
      intervalMs: Type.Integer({
        title: 'Interval (ms)',
        minimum: 0,
        maximum: 86_400_000,
        default: 1000,
        description: 'Time between messages. 0 sends as fast as the flow takes them.',
      }),
      rate: Type.Optional(
        Type.Number({
          title: 'Rate (msg/s)',
          exclusiveMinimum: 0,
          maximum: 10_000_000,
          description: 'Messages per second; overrides the interval when set.',
        }),
      ),
      count: Type.Integer({
        title: 'Count',
        minimum: 0,
        default: 0,
        description: 'How many messages to send; 0 keeps going until the flow stops.',
      }),
    },
    { additionalProperties: false },
  ),
  docs: `Emits simulated messages so a flow can be tried without a broker.

Each message gets the configured topic and a payload computed from the **payload template**, a JSONata
expression evaluated with \`$seq\` bound to the sequence number (starting at 1). JSONata's \`$random()\` and
\`$millis()\` give random values and timestamps.

Pacing: \`intervalMs\` between messages, or \`rate\` messages per second. With \`intervalMs: 0\` and no rate, it sends
as fast as the flow accepts them (bounded by the flow's in-flight limit). \`count\` stops after that many messages.

Every message is acknowledged like any other source's: the generator counts how many settled, so a test or a
benchmark can check that nothing was lost.`,
  examples: [
    {
      title: 'A temperature sensor every second',
      config: {
        topic: 'sim/sensors',
        payload: '{"device": "dev-" & ($seq % 3), "temp": $round(15 + $random() * 20, 1)}',
        intervalMs: 1000,
        count: 0,
      },
    },
    {
      title: '10,000 messages as fast as possible',
      config: { topic: 'load', payload: '{"n": $seq}', intervalMs: 0, count: 10000 },
    },
  ],
});
