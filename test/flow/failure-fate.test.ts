import { describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.js';
import { migrateFlow } from '../../src/flow/migrate.js';
import { createFlowValidator } from '../../src/flow/validate.js';

const validator = createFlowValidator(catalog);

/** mqtt-in (codec as given) -> transform -> debug, and a debug node `dead` when the error route or an edge uses it. */
function flow(
  settings: Record<string, unknown> = {},
  codec = 'json',
  extraEdges: Array<[string, string, string]> = [],
) {
  const dead = settings.errorRoute === 'dead' || extraEdges.length > 0;
  return {
    format: 'sluice/flow@1',
    settings,
    connections: [{ id: 'b', kind: 'mqtt', config: { url: 'mqtt://127.0.0.1:1883' } }],
    nodes: [
      { id: 'in', type: 'mqtt-in', config: { connection: 'b', topics: ['t/#'], codec } },
      { id: 'map', type: 'transform', config: { expression: 'payload' } },
      { id: 'show', type: 'debug', config: {} },
      ...(dead ? [{ id: 'dead', type: 'debug', config: {} }] : []),
    ],
    edges: [
      { source: 'in', sourcePort: 'out', target: 'map', targetPort: 'in' },
      { source: 'map', sourcePort: 'out', target: 'show', targetPort: 'in' },
      ...extraEdges.map(([source, sourcePort, target]) => ({ source, sourcePort, target, targetPort: 'in' })),
    ],
  };
}

const infos = (doc: unknown) =>
  validator.validateText(JSON.stringify(doc)).problems.filter((p) => p.severity === 'info');

describe('what becomes of a failed message (sluice validate, info)', () => {
  it('with no error route: names the nodes whose failures are dropped, and how transient ones are treated', () => {
    const [p, ...rest] = infos(flow());
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ severity: 'info', code: 'failure-policy', path: '/settings' });
    expect(p.message).toMatch(/^a message that fails in node "in", "map", "show" by its content/);
    expect(p.message).toMatch(
      /logged at warn and dropped; one that fails because a service is down is nacked and redelivered$/,
    );
    expect(p.hint).toMatch(/add an error route/);
  });

  it('says that transient failures are lost too under onError "ack"', () => {
    expect(infos(flow({ onError: 'ack' }))[0].message).toMatch(/acknowledged and lost too \(onError "ack"\)$/);
  });

  it('leaves out a node whose error port is wired, and a source that does not decode (bytes)', () => {
    const [p] = infos(flow({}, 'bytes', [['map', 'error', 'dead']]));
    expect(p.message).toMatch(/^a message that fails in node "show", "dead" by/);
  });

  it('says nothing when an error route takes every failure, nor for an invalid flow', () => {
    expect(infos(flow({ errorRoute: 'dead' }))).toEqual([]);
    expect(infos({ ...flow(), nodes: [] })).toEqual([]);
    const broken = flow();
    broken.nodes[1].type = 'no-such-type';
    expect(infos(broken)).toEqual([]);
  });

  it('validate() (the engine, the server) leaves it out: it is for people reading a flow file', () => {
    expect(validator.validate(flow()).problems).toEqual([]);
  });
});

describe('onError "nack" (the old default) migrates to "drop"', () => {
  it('loads as "drop" with a warning that says what changed; the input is not changed', () => {
    const input = flow({ onError: 'nack', maxInFlight: 10 });
    const before = JSON.stringify(input);
    const { problems, flow: loaded } = validator.validate(input);
    expect(JSON.stringify(input)).toBe(before);
    expect(loaded?.settings).toEqual({ onError: 'drop', maxInFlight: 10 });
    expect(problems).toEqual([
      expect.objectContaining({
        severity: 'warning',
        code: 'migrated-setting',
        path: '/settings/onError',
        message: expect.stringMatching(/^onError "nack" is now "drop": .* still nacked and redelivered/),
      }),
    ]);
  });

  it('"drop" and "ack" load unchanged, without a warning', () => {
    for (const onError of ['drop', 'ack']) {
      const r = migrateFlow(flow({ onError }));
      expect(r.ok && r.problems).toEqual([]);
      expect(r.ok && (r.flow.settings as Record<string, unknown>).onError).toBe(onError);
    }
  });

  it('any other value is refused by the schema', () => {
    const { problems } = validator.validate(flow({ onError: 'retry' }));
    expect(problems.some((p) => p.severity === 'error' && p.path === '/settings/onError')).toBe(true);
  });
});
