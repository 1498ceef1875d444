import { describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.js';
import { migrateFlow, renamedSettings } from '../../src/flow/migrate.js';
import { createFlowValidator } from '../../src/flow/validate.js';
import { applyDefaults } from '../../src/runtime/resolve-config.js';
import { prepareSave } from '../../src/server/prepare.js';
import { findNodeType } from '../../src/spec/node-definition.js';

const validator = createFlowValidator(catalog);

const connections = [
  {
    id: 'broker',
    kind: 'mqtt',
    config: {
      url: 'mqtts://127.0.0.1:8883',
      rejectUnauthorized: false,
      reconnectMinMs: 200,
      reconnectMaxMs: 2000,
      keepalive: 30,
      sessionExpiry: 600,
    },
  },
  { id: 'rabbit', kind: 'amqp', config: { host: '127.0.0.1' } },
  { id: 'pg', kind: 'postgres', config: { host: 'localhost', user: 'app' } },
  { id: 'my', kind: 'mysql', config: { host: 'localhost' } },
];

/** A flow with every sink, written with the settings' old names. */
function oldFlow() {
  const sinks = [
    {
      id: 'amqp',
      type: 'amqp-out',
      config: { connection: 'rabbit', retryAttempts: 3, retryDelayMs: 20, confirmTimeoutMs: 5000 },
    },
    {
      id: 'mqtt',
      type: 'mqtt-out',
      config: { connection: 'broker', retryBaseMs: 20, retryMaxMs: 100, publishTimeoutMs: 2000 },
    },
    { id: 'pg', type: 'postgres-out', config: { connection: 'pg', retryBaseMs: 30, retryMaxMs: 300 } },
    { id: 'my', type: 'mysql-out', config: { connection: 'my', retryMaxMs: 400 } },
    { id: 'lite', type: 'sqlite-out', config: { attempts: 2, retryBaseMs: 50 } },
  ];
  return {
    format: 'sluice/flow@1',
    connections: structuredClone(connections),
    nodes: [{ id: 'gen', type: 'generate', config: {} }, ...sinks],
    edges: sinks.map((s) => ({ source: 'gen', sourcePort: 'out', target: s.id, targetPort: 'in' })),
  };
}

/** The same flow with the current names. */
function newFlow() {
  const f = oldFlow();
  f.connections[0].config = {
    url: 'mqtts://127.0.0.1:8883',
    verifyServer: false,
    reconnectDelayMs: 200,
    reconnectMaxDelayMs: 2000,
    keepaliveSeconds: 30,
    sessionExpirySeconds: 600,
  } as never;
  f.connections[2].config = { host: 'localhost', username: 'app' } as never;
  const configs: Record<string, Record<string, unknown>> = {
    amqp: { connection: 'rabbit', attempts: 3, retryDelayMs: 20, ackTimeoutMs: 5000 },
    mqtt: { connection: 'broker', retryDelayMs: 20, retryMaxDelayMs: 100, ackTimeoutMs: 2000 },
    pg: { connection: 'pg', retryDelayMs: 30, retryMaxDelayMs: 300 },
    my: { connection: 'my', retryMaxDelayMs: 400 },
    lite: { attempts: 2, retryDelayMs: 50 },
  };
  for (const n of f.nodes) if (configs[n.id]) n.config = configs[n.id] as never;
  return f;
}

describe('renamed settings', () => {
  it('old names load under the new names, with a warning "<old> was renamed to <new>" each, and no error', () => {
    const input = oldFlow();
    const before = JSON.stringify(input);
    const { problems, flow } = validator.validate(input);
    expect(JSON.stringify(input), 'the input is not changed').toBe(before);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    const renamed = problems.filter((p) => p.code === 'renamed-setting');
    expect(renamed.map((p) => [p.nodeId ?? p.connectionId, p.path, p.message])).toEqual([
      ['amqp', '/nodes/1/config/attempts', 'retryAttempts was renamed to attempts'],
      ['amqp', '/nodes/1/config/ackTimeoutMs', 'confirmTimeoutMs was renamed to ackTimeoutMs'],
      ['mqtt', '/nodes/2/config/retryDelayMs', 'retryBaseMs was renamed to retryDelayMs'],
      ['mqtt', '/nodes/2/config/retryMaxDelayMs', 'retryMaxMs was renamed to retryMaxDelayMs'],
      ['mqtt', '/nodes/2/config/ackTimeoutMs', 'publishTimeoutMs was renamed to ackTimeoutMs'],
      ['pg', '/nodes/3/config/retryDelayMs', 'retryBaseMs was renamed to retryDelayMs'],
      ['pg', '/nodes/3/config/retryMaxDelayMs', 'retryMaxMs was renamed to retryMaxDelayMs'],
      ['my', '/nodes/4/config/retryMaxDelayMs', 'retryMaxMs was renamed to retryMaxDelayMs'],
      ['lite', '/nodes/5/config/retryDelayMs', 'retryBaseMs was renamed to retryDelayMs'],
      ['broker', '/connections/0/config/verifyServer', 'rejectUnauthorized was renamed to verifyServer'],
      ['broker', '/connections/0/config/reconnectDelayMs', 'reconnectMinMs was renamed to reconnectDelayMs'],
      ['broker', '/connections/0/config/reconnectMaxDelayMs', 'reconnectMaxMs was renamed to reconnectMaxDelayMs'],
      ['broker', '/connections/0/config/keepaliveSeconds', 'keepalive was renamed to keepaliveSeconds'],
      ['broker', '/connections/0/config/sessionExpirySeconds', 'sessionExpiry was renamed to sessionExpirySeconds'],
      ['pg', '/connections/2/config/username', 'user was renamed to username'],
    ]);
    expect(renamed.every((p) => p.severity === 'warning')).toBe(true);
    // The migrated flow is exactly the flow written with the new names.
    expect(flow).toEqual(newFlow());
  });

  it('old names inside a subflow migrate too, with warnings that point into the subflow', () => {
    const input = {
      format: 'sluice/flow@1',
      connections: [{ id: 'broker', kind: 'mqtt', config: { url: 'mqtt://127.0.0.1:1883' } }],
      subflows: [
        {
          id: 'publish',
          nodes: [{ id: 'out', type: 'mqtt-out', config: { connection: 'broker', topic: 't', publishTimeoutMs: 900 } }],
          edges: [{ source: '$in', sourcePort: 'in', target: 'out', targetPort: 'in' }],
        },
      ],
      nodes: [
        { id: 'gen', type: 'generate', config: {} },
        { id: 'p', type: 'subflow:publish', config: {} },
      ],
      edges: [{ source: 'gen', sourcePort: 'out', target: 'p', targetPort: 'in' }],
    };
    const { problems, flow } = validator.validate(input);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(problems.find((p) => p.code === 'renamed-setting')).toMatchObject({
      path: '/subflows/0/nodes/0/config/ackTimeoutMs',
      message: 'publishTimeoutMs was renamed to ackTimeoutMs',
    });
    expect(flow?.subflows?.[0].nodes[0].config).toEqual({ connection: 'broker', topic: 't', ackTimeoutMs: 900 });
  });

  it('the runtime sees the same config from old and new names', () => {
    const migrated = validator.validate(oldFlow()).flow!;
    const current = newFlow();
    migrated.nodes.forEach((n, i) => {
      const def = findNodeType(catalog, n.type)!;
      expect(applyDefaults(def.config, n.config), n.id).toEqual(applyDefaults(def.config, current.nodes[i].config));
    });
  });

  it('new names validate without warnings', () => {
    expect(validator.validate(newFlow()).problems.filter((p) => p.code !== 'lint' || p.severity === 'error')).toEqual(
      [],
    );
    // The one lint warning left: verification off.
    expect(validator.validate(newFlow()).problems.map((p) => [p.path, p.message])).toEqual([
      ['/connections/0/config/verifyServer', 'the broker certificate is not verified'],
    ]);
  });

  it('with both names set, the new one wins and the old one is ignored, with a warning', () => {
    const f = newFlow();
    (f.nodes[1].config as Record<string, unknown>).retryAttempts = 9;
    const { problems, flow } = validator.validate(f);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(problems).toContainEqual(
      expect.objectContaining({
        severity: 'warning',
        path: '/nodes/1/config/attempts',
        message: 'retryAttempts was renamed to attempts; both are set, so retryAttempts is ignored',
      }),
    );
    expect(flow!.nodes[1].config).toEqual({ connection: 'rabbit', attempts: 3, retryDelayMs: 20, ackTimeoutMs: 5000 });
  });

  it('an old name on a node type that never had it stays an unknown field', () => {
    const f = newFlow();
    f.nodes.push({
      id: 'k',
      type: 'kafka-out',
      config: { connection: 'kafka', topic: 't', retryAttempts: 2 },
    } as never);
    f.connections.push({ id: 'kafka', kind: 'kafka', config: { brokers: ['127.0.0.1:9092'] } } as never);
    f.edges.push({ source: 'gen', sourcePort: 'out', target: 'k', targetPort: 'in' });
    const errors = validator.validate(f).problems.filter((p) => p.severity === 'error');
    expect(errors.map((p) => p.path)).toEqual(['/nodes/6/config/retryAttempts']);
  });

  it('saving (editor save, import) writes the new names and reports the renames', () => {
    const saved = prepareSave(oldFlow(), 'old', validator);
    expect(saved.flow).toEqual({ ...newFlow(), id: 'old' });
    expect(saved.text).not.toMatch(
      /retryAttempts|retryBaseMs|retryMaxMs|rejectUnauthorized|reconnectMinMs|reconnectMaxMs|"keepalive"|"sessionExpiry"|publishTimeoutMs|confirmTimeoutMs|"user"/,
    );
    expect(saved.problems.filter((p) => p.code === 'renamed-setting')).toHaveLength(15);
  });

  it('migrateFlow leaves a current flow as it is, the same object', () => {
    const f = newFlow();
    const r = migrateFlow(f);
    expect(r.ok && r.flow).toBe(f);
    expect(r.ok && r.problems).toEqual([]);
  });

  it('every renamed setting exists under its new name', () => {
    const renamed = renamedSettings(catalog);
    expect(Object.keys(renamed.nodes).length).toBeGreaterThan(0);
    for (const [type, renames] of Object.entries(renamed.nodes)) {
      const props = (findNodeType(catalog, type)!.config as { properties: Record<string, unknown> }).properties;
      for (const [old, now] of Object.entries(renames)) {
        expect(props[now], `${type}.${now}`).toBeDefined();
        expect(props[old], `${type}.${old}`).toBeUndefined();
      }
    }
    for (const [kind, renames] of Object.entries(renamed.connections)) {
      const props = (
        catalog.connections.find((c) => c.kind === kind)!.config as { properties: Record<string, unknown> }
      ).properties;
      for (const [old, now] of Object.entries(renames)) {
        expect(props[now], `${kind}.${now}`).toBeDefined();
        expect(props[old], `${kind}.${old}`).toBeUndefined();
      }
    }
  });
});
