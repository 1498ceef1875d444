/**
 * One error pattern, `<node type> "<node id>": <what happened>; <what to do>`: the kit's nodeProblem, and a node that
 * cannot start, whatever its connector, is reported that way.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.js';
import { NODE_PROBLEM, nodeProblem } from '../../src/kit/index.js';
import { Engine } from '../../src/runtime/engine.js';

describe('nodeProblem', () => {
  it('says where, what happened and what to do', () => {
    expect(nodeProblem('mqtt-out', 'out', 'the broker refused the connection', 'check the credentials')).toBe(
      'mqtt-out "out": the broker refused the connection; check the credentials',
    );
    expect(nodeProblem('mqtt-out', 'out', 'x', 'y')).toMatch(NODE_PROBLEM);
  });

  it('does not add a second hint to a reason that has its own', () => {
    expect(nodeProblem('kafka-in', 'k', 'no topic; set one', 'check the settings')).toBe(
      'kafka-in "k": no topic; set one',
    );
  });
});

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop({ deadlineMs: 2000 });
  engine = undefined;
});

const gen = { id: 'gen', type: 'generate', config: { intervalMs: 60_000, count: 1 } };

/** Flows whose node cannot start, each for a different connector, without needing the service to be down. */
const cases: Array<[string, string, Record<string, unknown>]> = [
  [
    'mqtt-out',
    'a certificate that is not PEM',
    {
      nodes: [gen, { id: 'pub', type: 'mqtt-out', config: { connection: 'b', topic: 't' } }],
      connections: [{ id: 'b', kind: 'mqtt', config: { url: 'mqtts://127.0.0.1:8883', ca: '${env:CA}' } }],
      edges: [{ source: 'gen', sourcePort: 'out', target: 'pub', targetPort: 'in' }],
    },
  ],
  [
    'kafka-out',
    'a bootstrap broker that is not host:port',
    {
      nodes: [gen, { id: 'prod', type: 'kafka-out', config: { connection: 'k', topic: 't' } }],
      connections: [{ id: 'k', kind: 'kafka', config: { brokers: ['${env:BROKERS}'] } }],
      edges: [{ source: 'gen', sourcePort: 'out', target: 'prod', targetPort: 'in' }],
    },
  ],
  [
    'function',
    'code that does not compile',
    {
      nodes: [gen, { id: 'fn', type: 'function', config: { code: 'return {' } }],
      edges: [{ source: 'gen', sourcePort: 'out', target: 'fn', targetPort: 'in' }],
    },
  ],
];

describe('a node that cannot start is reported in the one pattern, whatever its connector', () => {
  it.each(cases)('%s: %s', async (type, _, flow) => {
    engine = new Engine({
      catalog,
      resolve: { env: { CA: 'not a certificate', BROKERS: 'no-port-here' }, readFile: () => '' },
    });
    const started = engine.start({ format: 'sluice/flow@1', ...flow });
    const err = await started.then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err, 'the flow must not start').toBeInstanceOf(Error);
    const id = (flow.nodes as Array<{ id: string; type: string }>).find((n) => n.type === type)!.id;
    expect(err!.message.startsWith(`${type} "${id}": failed to start: `), err!.message).toBe(true);
    expect(err!.message).toMatch(NODE_PROBLEM);
  });
});
