import { defineNode, Expression, type LintIssue, Type } from '../../src/spec/index.js';

/** Past this, per-key rings (8 bytes per slot) could take more memory than a flow should. */
const MAX_RING_BYTES = 256 * 1024 * 1024;

export const rateLimit = defineNode({
  type: 'rate-limit',
  version: 1,
  category: 'rule',
  title: 'Rate limit',
  summary:
    'At most N messages per interval, overall or per key; the rest wait (back pressure) or are dropped on purpose.',
  color: '#e2c275',
  inputs: [{ name: 'in', required: true }],
  outputs: [{ name: 'out' }],
  config: Type.Object(
    {
      limit: Type.Integer({
        title: 'Messages',
        minimum: 1,
        maximum: 1_000_000,
        default: 10,
        description: 'At most this many messages pass in any interval (per key, when a key is set).',
      }),
      intervalMs: Type.Integer({ title: 'Per (ms)', minimum: 1, default: 1000, description: 'The interval, in ms.' }),
      mode: Type.Enum(['wait', 'drop'] as const, {
        title: 'Excess messages',
        default: 'wait',
        description:
          'wait: held until their turn (the source slows down: nothing is dropped); drop: dropped on purpose, counted and acknowledged.',
      }),
      key: Type.Optional(
        Expression({
          title: 'Per key',
          description: 'JSONata giving the key to limit separately (e.g. `payload.device`); empty: one limit for all.',
        }),
      ),
      maxKeys: Type.Integer({
        title: 'Keys remembered',
        minimum: 1,
        maximum: 1_000_000,
        default: 10_000,
        description: 'With a key: the bound on keys tracked; past it the least recently used key is forgotten.',
        'x-advanced': true,
      }),
      timeoutMs: Type.Integer({
        title: 'Time limit (ms)',
        minimum: 1,
        maximum: 60_000,
        default: 1000,
        'x-advanced': true,
        description: 'Per key evaluation; a message that exceeds it fails.',
      }),
    },
    { additionalProperties: false },
  ),
  lint: (config) => {
    const issues: LintIssue[] = [];
    if (config.key && config.limit * config.maxKeys * 8 > MAX_RING_BYTES) {
      issues.push({
        path: '/maxKeys',
        severity: 'warning',
        message: `${config.maxKeys} keys x ${config.limit} messages could take ${Math.round((config.limit * config.maxKeys * 8) / 1048576)} MB`,
        hint: 'lower "Messages" or "Keys remembered"',
      });
    }
    return issues;
  },
  docs: `Lets at most **limit** messages through in any **intervalMs** (a sliding window, exact: never more than
\`limit\` in any interval), overall or per **key** (JSONata, e.g. \`payload.device\`).

**Excess messages.** With \`wait\` (Node-RED's delay node in rate mode, without its unbounded queue), a message over
the limit is held until its turn, in arrival order per key. A held message keeps its lineage open: its source is
acknowledged only after it was passed on and delivered, and it counts against the source's in-flight window
(\`maxInFlight\`), so a burst slows the source down instead of piling up: nothing is dropped and memory stays bounded.
With \`drop\`, a message over the limit is dropped on purpose: counted as *dropped* (and in the node's state) and
acknowledged.

**Bounds and state.** Per key the node keeps the times of the last \`limit\` messages (8 bytes each); with a key, at
most **maxKeys** keys (the least recently used is forgotten, and its next messages start a fresh window). The state
belongs to one deployment. On a redeploy or stop, held messages are waited for up to the flow's drain timeout; any
still held then are nacked, and their sources redeliver them to the new deployment.`,
  examples: [
    {
      title: 'At most 5 messages a second to an API, waiting',
      config: { limit: 5, intervalMs: 1000, mode: 'wait', maxKeys: 10_000, timeoutMs: 1000 },
    },
    {
      title: 'At most one alert per device a minute, extra alerts dropped',
      config: { limit: 1, intervalMs: 60_000, mode: 'drop', key: 'payload.device', maxKeys: 10_000, timeoutMs: 1000 },
    },
  ],
});
