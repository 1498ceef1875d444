import { defineNode, Expression, Type } from '../../src/spec/index.js';

export const deadband = defineNode({
  type: 'deadband',
  version: 1,
  category: 'rule',
  title: 'Deadband',
  summary: 'Report by exception: per key, pass a value only when it moved past a threshold, or after a silence.',
  color: '#e2c275',
  inputs: [{ name: 'in', required: true }],
  outputs: [{ name: 'out' }],
  config: Type.Object(
    {
      key: Expression({
        title: 'Key',
        description: 'JSONata: whose value this is (one state per key). No value: one shared state.',
        default: 'topic',
      }),
      value: Expression({ title: 'Value', description: 'JSONata: the value to compare.', default: 'payload' }),
      mode: Type.Enum(['absolute', 'percent', 'change'] as const, {
        title: 'Pass when',
        default: 'absolute',
        description:
          'absolute: it moved more than the threshold; percent: more than threshold % of the last passed value; change: it is different at all (any JSON value).',
      }),
      threshold: Type.Number({
        title: 'Threshold',
        minimum: 0,
        default: 1,
        description: 'How far the value must move from the last passed value (more than this) to pass.',
        'x-showWhen': { mode: ['absolute', 'percent'] },
      }),
      maxSilenceMs: Type.Integer({
        title: 'Heartbeat after (ms)',
        minimum: 0,
        default: 0,
        description:
          'Also pass a value, changed or not, when nothing of its key passed for this long (checked when a message arrives). 0: never.',
      }),
      maxKeys: Type.Integer({
        title: 'Keys remembered',
        minimum: 1,
        maximum: 10_000_000,
        default: 10_000,
        description: 'The bound: beyond it the least recently updated key is forgotten (its next value passes).',
      }),
      timeoutMs: Type.Integer({
        title: 'Time limit (ms)',
        minimum: 1,
        maximum: 60_000,
        default: 1000,
        'x-advanced': true,
        description: 'Per evaluation; a message that exceeds it fails.',
      }),
    },
    { additionalProperties: false },
  ),
  docs: `Report by exception (Node-RED's filter/RBE node, a SCADA deadband): per **key**, the first value passes, and
after it a value passes only when it differs from the **last passed** value by more than **threshold** (\`absolute\`),
by more than threshold percent of it (\`percent\`; from 0, any change), or at all (\`change\`, comparing any JSON
value). Other messages are dropped on purpose: counted as *dropped* and acknowledged. With **maxSilenceMs**, a value
also passes when nothing of its key passed for that long (a heartbeat, checked when a message arrives: the node sends
nothing on its own).

Values for \`absolute\` and \`percent\` must be numbers (or text that is one, like an MQTT payload \`21.5\`); anything else
fails the message (error port or route). A key with no value (no topic, say) shares one state.

**The guarantee.** If a message that passed is then not delivered (a sink failed and the source will redeliver it),
its key's state is forgotten, so the redelivery (or the next value) passes: a value is never lost for being "already
reported". **The bound**: at most **maxKeys** keys are remembered; past it the least recently updated key is
forgotten and its next value passes. **State** belongs to one deployment: after a redeploy or restart the first value
of every key passes again.`,
  examples: [
    {
      title: 'Temperature per device: report a move of more than 0.5, or every 5 minutes',
      config: {
        key: 'payload.device',
        value: 'payload.temp',
        mode: 'absolute',
        threshold: 0.5,
        maxSilenceMs: 300_000,
        maxKeys: 10_000,
        timeoutMs: 1000,
      },
    },
    {
      title: 'Only state changes per topic',
      config: { key: 'topic', value: 'payload', mode: 'change', maxSilenceMs: 0, maxKeys: 10_000, timeoutMs: 1000 },
    },
  ],
});
