import { defineNode, type LintIssue, StringEnum, Type } from '../../src/spec/index.js';

export const inject = defineNode({
  type: 'inject',
  version: 1,
  category: 'source',
  title: 'Inject',
  summary: 'Send a set payload (JSON, text or a timestamp) on its button, once at start, or on an interval.',
  color: '#a6bbcf',
  inputs: [],
  outputs: [{ name: 'out', label: 'out' }],
  config: Type.Object(
    {
      topic: Type.Optional(
        Type.String({ title: 'Topic', 'x-reference': true, description: 'Topic set on every message.' }),
      ),
      payloadType: StringEnum(['json', 'text', 'timestamp'] as const, {
        title: 'Payload type',
        default: 'json',
        description:
          'JSON: the payload text parsed as JSON; text: the text as it is; timestamp: the time it is sent (ms since 1970).',
      }),
      payload: Type.String({
        title: 'Payload',
        default: '{"hello": "world"}',
        'x-widget': 'textarea',
        'x-showWhen': { payloadType: ['json', 'text'] },
        description: 'What every message carries: JSON text, or plain text (see Payload type).',
      }),
      key: Type.Optional(
        Type.String({ title: 'Key', description: 'Optional message key (Kafka partitioning, dedup).' }),
      ),
      onceAtStart: Type.Boolean({
        title: 'Once at start',
        default: false,
        description: 'Send one message when the flow starts, after the delay below.',
      }),
      onceDelayMs: Type.Integer({
        title: 'Start delay (ms)',
        minimum: 0,
        maximum: 86_400_000,
        default: 100,
        'x-showWhen': { onceAtStart: [true] },
        description: 'How long after the start the one message goes.',
      }),
      intervalMs: Type.Integer({
        title: 'Repeat every (ms)',
        minimum: 0,
        maximum: 86_400_000,
        default: 0,
        description: 'Time between messages; 0 sends only on the button (and once at start when set).',
      }),
    },
    { additionalProperties: false },
  ),
  lint: (c) => {
    const issues: LintIssue[] = [];
    if (c.payloadType === 'json') {
      try {
        JSON.parse(c.payload);
      } catch (err) {
        issues.push({
          path: '/payload',
          message: `the payload is not JSON (${err instanceof Error ? err.message : String(err)})`,
          hint: 'fix the JSON, or set Payload type to "text" to send it as text',
        });
      }
    }
    return issues;
  },
  docs: `Sends a message by hand, as Node-RED's inject node does: the payload is set here (JSON, text, or the time it
is sent) and goes out

- when its button on the canvas is pressed in the running flow (no redeploy);
- once when the flow starts, after \`onceDelayMs\`, with \`onceAtStart\`;
- every \`intervalMs\` while the flow runs, when it is above 0.

Without \`onceAtStart\` and with \`intervalMs: 0\` it sends only on its button. A timestamp payload is
\`Date.now()\` at the moment it is sent (milliseconds since 1970). The properties panel of any running source,
this one included, also sends a payload typed there.

Every message is acknowledged like any other source's (counted as in flight, bounded by the flow's
\`maxInFlight\`): the button reports whether the message was delivered or why it failed, and the node counts how
many were sent, delivered and failed.`,
  examples: [
    {
      title: 'A button that sends a test reading',
      config: { payloadType: 'json', payload: '{"device": "dev-1", "temp": 21.5}', topic: 'lab/test' },
    },
    {
      title: 'A timestamp every 5 seconds, and once at start',
      config: { payloadType: 'timestamp', onceAtStart: true, onceDelayMs: 100, intervalMs: 5000 },
    },
  ],
});
