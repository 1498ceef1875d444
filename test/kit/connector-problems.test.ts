/**
 * The one error pattern, `<node type> "<node id>": <what happened>; <what to do>`, across connectors: every connector
 * node type, given a service that is not there (a closed port on 127.0.0.1) or a setting that cannot work, reports
 * its error status in that shape. The configs are each type's own first documented example, pointed at the closed port.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.js';
import { NODE_PROBLEM } from '../../src/kit/index.js';
import { Engine, type StatusEvent } from '../../src/runtime/engine.js';

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let dead = 0;
/** A port something listens on (not HTTP): an http-in listener cannot take it. */
let taken: Server;
let takenPort = 0;
beforeAll(async () => {
  dead = await closedPort();
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  takenPort = (taken.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => taken.close(() => resolve()));
});

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop({ deadlineMs: 2000 });
  engine = undefined;
});

/** The connection each family's nodes use, at the closed port; fast timeouts so the failure shows soon. */
function connectionFor(type: string): { kind: string; config: Record<string, unknown> } | undefined {
  const reconnect = { reconnectDelayMs: 200, reconnectMaxDelayMs: 1000, connectTimeoutMs: 1000 };
  switch (type.split('-')[0]) {
    case 'mqtt':
    case 'sparkplug':
      return { kind: 'mqtt', config: { url: `mqtt://127.0.0.1:${dead}`, protocolVersion: '3.1.1', ...reconnect } };
    case 'amqp':
      return { kind: 'amqp', config: { host: '127.0.0.1', port: dead, ...reconnect } };
    case 'kafka':
      return { kind: 'kafka', config: { brokers: [`127.0.0.1:${dead}`], ...reconnect } };
    case 'nats':
      return { kind: 'nats', config: { servers: [`nats://127.0.0.1:${dead}`], ...reconnect } };
    case 'redis':
      return { kind: 'redis', config: { host: '127.0.0.1', port: dead, ...reconnect } };
    case 'postgres':
      return { kind: 'postgres', config: { host: '127.0.0.1', port: dead, username: 'x', connectTimeoutMs: 1000 } };
    case 'mysql':
      return { kind: 'mysql', config: { host: '127.0.0.1', port: dead, username: 'x', connectTimeoutMs: 1000 } };
    case 'http':
      return type === 'http-in' ? { kind: 'http-server', config: { host: '127.0.0.1', port: takenPort } } : undefined;
    default:
      return undefined;
  }
}

/** The node's own settings: its first example, with what points at a service moved to the closed port. */
function nodeConfig(type: string): Record<string, unknown> {
  const def = catalog.nodes.find((n) => n.type === type);
  const example = { ...(def?.examples?.[0]?.config as Record<string, unknown>) };
  if ('connection' in example) example.connection = 'svc';
  if (type === 'http-out') Object.assign(example, { url: `http://127.0.0.1:${dead}/in`, attempts: 100 });
  // A directory that cannot exist (below a file): the database cannot be opened.
  if (type === 'sqlite-out') Object.assign(example, { file: '/dev/null/sluice.db' });
  if (type === 'mqtt-in' || type === 'sparkplug-in') delete example.clientId;
  return example;
}

const CONNECTOR_TYPES = [
  'mqtt-in',
  'mqtt-out',
  'sparkplug-in',
  'sparkplug-out',
  'amqp-in',
  'amqp-out',
  'kafka-in',
  'kafka-out',
  'nats-in',
  'nats-out',
  'redis-in',
  'redis-out',
  'http-in',
  'http-out',
  'postgres-out',
  'mysql-out',
  'sqlite-out',
];

describe('a connector node that cannot reach its service says so in the one pattern', () => {
  it('covers every connector node type in the catalogue', () => {
    const withConnector = catalog.nodes
      .map((n) => n.type)
      .filter((t) => /^(mqtt|sparkplug|amqp|kafka|nats|redis|http|postgres|mysql|sqlite)-/.test(t));
    expect(CONNECTOR_TYPES.slice().sort()).toEqual(withConnector.sort());
  });

  it.each(CONNECTOR_TYPES)(
    '%s',
    async (type) => {
      const def = catalog.nodes.find((n) => n.type === type)!;
      const isSink = (def.inputs?.length ?? 0) > 0;
      const conn = connectionFor(type);
      const nodes: Array<Record<string, unknown>> = [{ id: 'under-test', type, config: nodeConfig(type) }];
      const edges: Array<Record<string, unknown>> = [];
      if (isSink) {
        nodes.unshift({
          id: 'gen',
          type: 'generate',
          config: {
            intervalMs: 50,
            count: 1,
            payload: '{"device":"d1","temp":1,"site":"s","region":"r","machine":"m"}',
          },
        });
        edges.push({ source: 'gen', sourcePort: 'out', target: 'under-test', targetPort: 'in' });
      }
      const flow = {
        format: 'sluice/flow@1',
        nodes,
        edges,
        ...(conn ? { connections: [{ id: 'svc', ...conn }] } : {}),
      };
      engine = new Engine({ catalog, resolve: { env: { GITHUB_WEBHOOK_SECRET: 'a-secret' }, readFile: () => '' } });
      const seen = new Promise<string>((resolve) => {
        engine!.on('status', (s: StatusEvent) => {
          if (s.nodeId === 'under-test' && s.state === 'error' && s.reason !== undefined) {
            resolve(s.reason);
          }
        });
      });
      const started = engine.start(flow).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      // A flow that does not start without an error status would fail here with its start error, not a time-out.
      const noStatus = started.then(
        (e) => new Promise<string>((r) => setTimeout(() => r(`no error status; start: ${e?.message ?? 'ok'}`), 5000)),
      );
      const reason = await Promise.race([seen, noStatus]);
      await started;
      expect(reason.startsWith(`${type} "under-test": `), reason).toBe(true);
      expect(reason).toMatch(NODE_PROBLEM);
    },
    20_000,
  );
});
