/**
 * Config-resolution errors in the one pattern, `<node type> "<node id>": <what happened>; <what to do>`, across
 * connectors: for every node type that uses a flow connection, a connection whose secret reference cannot be resolved
 * (an unset environment variable, a secret file that is not there) stops the flow with an error naming the node, the
 * connection and the field, and saying what to do. A node's own field gets the same shape.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.js';
import { NODE_PROBLEM } from '../../src/kit/index.js';
import { Engine } from '../../src/runtime/engine.js';
import { applyDefaults } from '../../src/runtime/resolve-config.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop({ deadlineMs: 1000 });
  engine = undefined;
});

/** Node types with a connection field (to a kind with secrets), and the connection kind it takes (from the schema, not a list). */
const WITH_CONNECTION = catalog.nodes
  .flatMap((def) => {
    const props = (def.config as unknown as { properties?: Record<string, { 'x-connection'?: string }> }).properties;
    const kind = props?.connection?.['x-connection'];
    return kind ? [[def.type, kind] as const] : [];
  })
  .filter(([, kind]) => secretField(kind) !== undefined); // an SQLite file has no secrets

/** A secret string field of the connection kind's settings (they take references), if it has one. */
function secretField(kind: string): string | undefined {
  const def = catalog.connections.find((c) => c.kind === kind)!;
  const props = (def.config as unknown as { properties: Record<string, { type?: string; 'x-secret'?: boolean }> })
    .properties;
  return Object.entries(props).find(([, p]) => p['x-secret'] && p.type === 'string')?.[0];
}

/** The node's first example, pointed at connection "svc". */
function nodeConfig(type: string): Record<string, unknown> {
  const def = catalog.nodes.find((n) => n.type === type)!;
  return { ...(def.examples?.[0]?.config as Record<string, unknown>), connection: 'svc' };
}

async function startError(type: string, kind: string, secret: string): Promise<string> {
  const def = catalog.nodes.find((n) => n.type === type)!;
  const nodes: Array<Record<string, unknown>> = [{ id: 'under-test', type, config: nodeConfig(type) }];
  const edges: Array<Record<string, unknown>> = [];
  if (def.inputs.length > 0) {
    nodes.unshift({ id: 'gen', type: 'generate', config: { count: 1 } });
    edges.push({ source: 'gen', sourcePort: 'out', target: 'under-test', targetPort: 'in' });
  }
  // The connection's own example settings (defaults applied), with a secret that cannot be resolved.
  const conn = catalog.connections.find((c) => c.kind === kind)!;
  const base = applyDefaults(conn.config, (conn.examples?.[0]?.config as object | undefined) ?? {});
  // A password alone may not validate (NATS wants a user name beside it).
  const user = kind === 'nats' ? { username: 'u' } : {};
  const connections = [{ id: 'svc', kind, config: { ...user, ...base, [secretField(kind)!]: secret } }];
  engine = new Engine({
    catalog,
    resolve: {
      env: { GITHUB_WEBHOOK_SECRET: 'set' }, // http-in's example has a secret of its own
      readFile: () => {
        throw new Error('no such file');
      },
    },
  });
  const err = await engine.start({ format: 'sluice/flow@1', nodes, edges, connections }).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(err, 'the flow must not start').toBeInstanceOf(Error);
  return err!.message;
}

describe('a reference that cannot be resolved is reported in the one pattern', () => {
  it('covers the connector node types (the list comes from the catalogue)', () => {
    expect(WITH_CONNECTION.map(([t]) => t)).toEqual(expect.arrayContaining(['postgres-out', 'mqtt-in', 'kafka-out']));
  });

  describe.each(WITH_CONNECTION)('%s (%s connection)', (type, kind) => {
    it('an environment variable that is not set', async () => {
      const message = await startError(type, kind, '${env:SLUICE_TEST_NOT_SET}');
      expect(message.startsWith(`${type} "under-test": connection "svc" (${kind}): field /`), message).toBe(true);
      expect(message).toMatch(NODE_PROBLEM);
      expect(message).toMatch(/SLUICE_TEST_NOT_SET is not set .*; set SLUICE_TEST_NOT_SET/);
    });

    it('a secret file that cannot be read', async () => {
      const message = await startError(type, kind, '${file:/run/secrets/sluice-test-missing}');
      expect(message.startsWith(`${type} "under-test": connection "svc" (${kind}): field /`), message).toBe(true);
      expect(message).toMatch(NODE_PROBLEM);
      expect(message).toMatch(/cannot read secret file .*; check the path/);
    });
  });

  it("a node's own field", async () => {
    engine = new Engine({ catalog, resolve: { env: {}, readFile: () => '' } });
    const err = await engine
      .start({
        format: 'sluice/flow@1',
        nodes: [
          { id: 'gen', type: 'generate', config: { count: 1, topic: '${env:SLUICE_TEST_NOT_SET}' } },
          { id: 'd', type: 'debug', config: {} },
        ],
        edges: [{ source: 'gen', sourcePort: 'out', target: 'd', targetPort: 'in' }],
      })
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(err?.message).toMatch(/^generate "gen": field \/topic: .*; set SLUICE_TEST_NOT_SET/);
    expect(err?.message).toMatch(NODE_PROBLEM);
  });
});
