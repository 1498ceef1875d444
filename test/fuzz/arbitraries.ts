/** fast-check arbitraries for fuzzing what users and clients send: flow text, flow-like documents, API bodies. */
import fc from 'fast-check';
import { catalog } from '../../nodes/catalog.js';

const nodeTypes = catalog.nodes.map((n) => n.type);
const connectionKinds = catalog.connections.map((k) => k.kind);

/** Strings users actually type, plus the hostile ones. */
export const nastyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    '',
    '__proto__',
    'constructor',
    'prototype',
    '${env:HOME}',
    '${file:/etc/shadow}',
    '${file:/proc/self/environ}',
    '{{payload}}',
    '$$.x',
    '../../etc/passwd',
    'a'.repeat(300),
    '\u0000',
    '\ud800',
    'sluice/flow@1',
    'sluice/flow@99',
  ),
);

const configValue: fc.Arbitrary<unknown> = fc.oneof(
  { depthSize: 'small' },
  fc.jsonValue({ maxDepth: 3 }),
  nastyString,
  fc.dictionary(nastyString, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
);

/** Something shaped like a flow, with every part possibly wrong. */
export const flowLike = fc.record(
  {
    format: fc.oneof(fc.constant('sluice/flow@1'), nastyString, fc.jsonValue({ maxDepth: 1 })),
    id: fc.oneof(nastyString, fc.integer()),
    name: nastyString,
    settings: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.record({ errorRoute: nastyString, onError: nastyString })),
    nodes: fc.oneof(
      fc.array(
        fc.record(
          {
            id: fc.oneof(nastyString, fc.constantFrom('a', 'b', 'c'), fc.integer()),
            type: fc.oneof(fc.constantFrom(...nodeTypes), nastyString),
            config: fc.oneof(configValue, fc.dictionary(nastyString, configValue, { maxKeys: 6 })),
            position: fc.jsonValue({ maxDepth: 1 }),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 6 },
      ),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    edges: fc.oneof(
      fc.array(
        fc.record(
          {
            source: fc.constantFrom('a', 'b', 'c', 'ghost'),
            sourcePort: fc.oneof(fc.constantFrom('out', 'error', 'in'), nastyString),
            target: fc.constantFrom('a', 'b', 'c', 'ghost'),
            targetPort: fc.oneof(fc.constantFrom('in', 'out'), nastyString),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 6 },
      ),
      fc.jsonValue({ maxDepth: 1 }),
    ),
    connections: fc.oneof(
      fc.array(
        fc.record(
          {
            id: fc.oneof(nastyString, fc.constantFrom('c1', 'c2')),
            kind: fc.oneof(fc.constantFrom(...connectionKinds), nastyString),
            config: fc.oneof(configValue, fc.dictionary(nastyString, configValue, { maxKeys: 6 })),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 3 },
      ),
      fc.jsonValue({ maxDepth: 1 }),
    ),
  },
  { requiredKeys: [] },
);

/** Text a flow file might hold: valid JSON of a flow-like thing, broken JSON, deep nesting, or noise. */
export const flowText = fc.oneof(
  flowLike.map((f) => JSON.stringify(f)),
  flowLike.chain((f) => {
    const text = JSON.stringify(f);
    // Cut or corrupt valid text at some place.
    return fc
      .tuple(fc.nat({ max: Math.max(0, text.length - 1) }), fc.constantFrom('', ',', '}', '"', '\\', '/*', '\u0000'))
      .map(([at, insert]) => text.slice(0, at) + insert + text.slice(at + 1));
  }),
  fc.nat({ max: 5000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
  fc.nat({ max: 3000 }).map((n) => `{"format":"sluice/flow@1","nodes":[${'{"a":'.repeat(n)}1${'}'.repeat(n)}]}`),
  fc.string({ maxLength: 200 }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
);

/** Text that must never reach a user: a stack frame or an internal error class. */
export const STACK_TRACE = /\n\s+at |\bat [\w.<>]+ \(.*:\d+:\d+\)|TypeError|ReferenceError|RangeError|Cannot read prop/;
