import { defineNode, Expression, Type } from '../../src/spec/index.js';

const durableOnly = { 'x-showWhen': { durable: [true] } };

export const dedup = defineNode({
  type: 'dedup',
  version: 1,
  category: 'rule',
  title: 'Dedup',
  summary: 'Drop a message whose key was already seen (within a time window); bounded memory, optional durable state.',
  color: '#e2c275',
  inputs: [{ name: 'in', required: true }],
  outputs: [{ name: 'out' }],
  config: Type.Object(
    {
      key: Expression({
        title: 'Key',
        description:
          "JSONata over the message: what makes two messages the same. Default: the payload's `id`, else the message id.",
        default: '$exists(payload.id) ? payload.id : id',
      }),
      windowMs: Type.Integer({
        title: 'Window (ms)',
        minimum: 0,
        default: 0,
        description: 'A key counts as seen for this long after it passed; 0: until it is forgotten at the bound.',
      }),
      maxKeys: Type.Integer({
        title: 'Keys remembered',
        minimum: 1,
        maximum: 10_000_000,
        default: 100_000,
        description:
          'The bound: beyond it the least recently seen key is forgotten (a later copy of it passes again). About 150 bytes per short key.',
      }),
      durable: Type.Boolean({
        title: 'Durable',
        default: false,
        description:
          'Also keep the keys in a SQLite file, so copies redelivered after a crash or restart are recognised.',
      }),
      stateFile: Type.String({
        title: 'State file',
        minLength: 1,
        default: './sluice-dedup.db',
        description: 'The SQLite file, under the data directory (`--data-dir`, `SLUICE_DATA_DIR`). Created if missing.',
        ...durableOnly,
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
  docs: `Passes the first message of each **key** and drops later ones (a *duplicate*), Redpanda Connect's and EMQX's
dedupe with Sluice's guarantee. Duplicates are dropped on purpose: they count as *dropped* and their source
acknowledges them. The key is JSONata over the message (default: the payload's \`id\`, else the message id), compared as
text (a key that is not a string is written as JSON); a message whose key has no value fails (error port or route).

**When a key counts as seen.** A key is remembered when its message passes, and forgotten again if that message is
then *not* delivered (a sink failed and the source will redeliver it): the redelivery passes, so at-least-once holds.
A copy that arrives while the first is still on its way is dropped; if the first then fails, its redelivery passes.
With **windowMs**, a key is seen for that long after it passed (a duplicate does not extend it); 0 means until it is
forgotten at the bound.

**The bound.** At most **maxKeys** keys are remembered (the state is an LRU: a duplicate makes its key recent). Past
the bound the least recently seen key is forgotten, so a copy of it that comes later passes again: memory stays
bounded, and what the bound costs is a late duplicate let through, never a message lost. The count of forgotten keys
is in the node's state (\`evicted\`). Memory: about 120–150 bytes per key for keys of ~20 characters (the engine benchmark measures it
at the bound).

**Durable.** With **durable**, each key is also written to a SQLite file (WAL) when its message's source is about to
be acknowledged, keyed by flow id and node id, and looked up there when it is not in memory. A copy redelivered after
a crash or a restart (the broker never got the ack) is then recognised and dropped: for idempotent keys, at-least-once
delivery becomes an exactly-once effect. The file keeps at most **maxKeys** keys per node too (pruned as it grows). It
is written with \`synchronous = NORMAL\`: it survives a crash of Sluice; after a power loss the last keys may be
missing, and then those copies pass (at least once still holds). The file must be under the data directory, as for
\`sqlite-out\`.

**State and redeploys.** The memory state belongs to one deployment of the flow: a redeploy or restart starts empty
(durable keys are still found in the file, which the new deployment takes over when flow id and node id are the same).`,
  examples: [
    {
      title: 'Drop repeated readings by their id for 10 minutes',
      config: { key: 'payload.id', windowMs: 600_000, maxKeys: 100_000, durable: false, timeoutMs: 1000 },
    },
    {
      title: 'Exactly-once effect for orders across restarts',
      config: {
        key: 'payload.orderId',
        windowMs: 0,
        maxKeys: 1_000_000,
        durable: true,
        stateFile: './data/orders-dedup.db',
        timeoutMs: 1000,
      },
    },
  ],
});
