import { defineNode, Type } from '../../src/spec/index.js';

export const delay = defineNode({
  type: 'delay',
  version: 1,
  category: 'rule',
  title: 'Delay',
  summary: 'Hold each message for a fixed time or a time computed per message, then pass it on.',
  color: '#e2c275',
  inputs: [{ name: 'in', required: true }],
  outputs: [{ name: 'out' }],
  config: Type.Object(
    {
      mode: Type.Enum(['fixed', 'per-message'] as const, {
        title: 'Delay',
        default: 'fixed',
        description: 'fixed: the same time for every message; per-message: a JSONata expression gives the time.',
      }),
      delayMs: Type.Integer({
        title: 'Delay (ms)',
        minimum: 0,
        maximum: 86_400_000,
        default: 1000,
        'x-showWhen': { mode: ['fixed'] },
        description: 'How long each message is held.',
      }),
      delay: Type.Optional(
        Type.String({
          title: 'Delay expression (milliseconds)',
          description: 'JSONata over the message giving milliseconds, e.g. `payload.delayMs`.',
          'x-widget': 'expression',
          'x-language': 'jsonata',
          'x-showWhen': { mode: ['per-message'] },
        }),
      ),
      maxDelayMs: Type.Integer({
        title: 'Longest delay (ms)',
        minimum: 0,
        maximum: 86_400_000,
        default: 60_000,
        'x-showWhen': { mode: ['per-message'] },
        description: 'A longer computed delay is cut to this; a negative one is 0.',
      }),
      timeoutMs: Type.Integer({
        title: 'Time limit (ms)',
        minimum: 1,
        maximum: 60_000,
        default: 1000,
        'x-advanced': true,
        description: 'Per evaluation of the delay expression; a message that exceeds it fails.',
      }),
    },
    { additionalProperties: false },
  ),
  lint: (config) =>
    config.mode === 'per-message' && !config.delay?.trim()
      ? [{ path: '/delay', message: 'per-message delay needs a delay expression', hint: 'e.g. payload.delayMs' }]
      : [],
  docs: `Holds each message for **delayMs**, or for the milliseconds a JSONata expression gives per message (cut to
**maxDelayMs**; a negative value is 0; a value that is not a number fails the message), then passes it on. Messages
are independent: a long delay does not hold up a shorter one behind it.

**The guarantee.** A held message keeps its lineage open: its source is acknowledged only after the message was passed
on and delivered. Held messages count against the source's in-flight window (\`maxInFlight\`): when the window is full
of held messages the source pauses, so memory stays bounded (Node-RED's delay node queues without bound instead).
Throughput is at most \`maxInFlight\` messages per delay: raise \`maxInFlight\` for long delays at high rates.

**Redeploy and stop.** Held messages are waited for up to the flow's drain timeout (\`drainTimeoutMs\`); those still
held then are nacked (not lost): their sources redeliver them, to the new deployment on a redeploy. The node keeps no
other state.`,
  examples: [
    {
      title: 'Hold each message for 2 seconds',
      config: { mode: 'fixed', delayMs: 2000, maxDelayMs: 60_000, timeoutMs: 1000 },
    },
    {
      title: 'Retry later: the delay is in the message',
      config: { mode: 'per-message', delay: 'payload.retryInMs', maxDelayMs: 30_000, delayMs: 1000, timeoutMs: 1000 },
    },
  ],
});
