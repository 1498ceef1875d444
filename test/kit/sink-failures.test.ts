/**
 * The one error pattern, `<node type> "<node id>": <what happened>; <what to do>`, for a sink's per-message failures:
 * every connector sink, given a message its service refuses (a table that does not exist, an exchange that does not
 * exist, a topic with a wildcard, a stream key of the wrong type, a subject no stream takes, a closed port), says so
 * in that shape where a user reads it: the failure event, the node's last failure, and the error header of what
 * reaches the error port. Real services on loopback; names unique per run.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.js';
import { NODE_PROBLEM } from '../../src/kit/index.js';
import { Engine, type FailureEvent } from '../../src/runtime/engine.js';
import { ERROR_HEADER, type Message } from '../../src/spec/message.js';
import { kafkaForTests } from '../support/kafka.js';

const run = randomBytes(4).toString('hex');
const kafka = kafkaForTests();
let dead = 0;
let redis: Redis;
const wrongTypeKey = `sluice-sink-failures-${run}`;

beforeAll(async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  dead = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
  await redis.connect();
  await redis.set(wrongTypeKey, 'a string, not a stream');
  await kafka?.createTopic(`sluice-sink-failures-${run}`, 1);
});
afterAll(async () => {
  await redis.del(wrongTypeKey);
  redis.disconnect();
});

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop({ deadlineMs: 2000 });
  engine = undefined;
});

const once = { attempts: 1, retryDelayMs: 10, retryMaxDelayMs: 10 };
const missingTable = {
  table: `sluice_missing_${run}`,
  createTable: false,
  columns: { v: 'payload.v' },
  key: [],
  ...once,
};

/** Each sink: its connection and a config whose message the service refuses. */
function sinkCase(type: string): { connection?: { kind: string; config: object }; config: object; payload?: string } {
  switch (type) {
    case 'postgres-out':
      return {
        connection: {
          kind: 'postgres',
          config: { host: '127.0.0.1', port: 5432, username: 'postgres', database: 'test' },
        },
        config: { connection: 'svc', ...missingTable, types: { v: 'text' } },
      };
    case 'mysql-out':
      return {
        connection: { kind: 'mysql', config: { host: '127.0.0.1', port: 3306, username: 'root', database: 'test' } },
        config: { connection: 'svc', ...missingTable, types: { v: 'text' } },
      };
    case 'sqlite-out':
      return { config: { file: join(mkdtempSync(join(tmpdir(), 'sluice-sink-failures-')), 'x.db'), ...missingTable } };
    case 'amqp-out':
      return {
        connection: {
          kind: 'amqp',
          config: { host: '127.0.0.1', port: 5672, username: 'guest', password: '${env:AMQP_PASSWORD}' },
        },
        config: {
          connection: 'svc',
          exchange: `sluice-missing-${run}`,
          exchangeMode: 'existing',
          routingKey: 'k',
          ...once,
        },
      };
    case 'mqtt-out':
      return {
        connection: { kind: 'mqtt', config: { url: 'mqtt://127.0.0.1:1883' } },
        // A wildcard is no topic to publish on: the broker (or the client) refuses it.
        config: { connection: 'svc', topic: '{{payload.topic}}', qos: 1, ackTimeoutMs: 3000, ...once },
      };
    case 'sparkplug-out':
      return {
        connection: { kind: 'mqtt', config: { url: 'mqtt://127.0.0.1:1883' } },
        config: { connection: 'svc', groupId: `g-${run}`, edgeNodeId: 'e', device: '{{payload.topic}}' },
      };
    case 'kafka-out':
      return {
        connection: { kind: 'kafka', config: { brokers: kafka?.brokers ?? [] } },
        // A record larger than the broker takes (message.max.bytes is 1 MB by default).
        config: { connection: 'svc', topic: `sluice-sink-failures-${run}`, ackTimeoutMs: 5000, ...once },
        payload: '{"v": $pad("", 3000000, "x")}',
      };
    case 'http-out':
      return { config: { url: `http://127.0.0.1:${dead}/in`, method: 'POST', timeoutMs: 2000, ...once } };
    case 'redis-out':
      return {
        connection: { kind: 'redis', config: { host: '127.0.0.1', port: 6379 } },
        config: { connection: 'svc', mode: 'stream', stream: wrongTypeKey, ...once },
      };
    case 'nats-out':
      return {
        connection: { kind: 'nats', config: { servers: ['nats://127.0.0.1:4222'] } },
        config: {
          connection: 'svc',
          mode: 'jetstream',
          subject: `sluice.nostream.${run}`,
          ackTimeoutMs: 3000,
          ...once,
        },
      };
    default:
      throw new Error(`no failing case for ${type}: add one here`);
  }
}

const SINKS = catalog.nodes
  .filter((n) => n.category === 'sink' && n.type !== 'debug')
  .map((n) => n.type)
  .filter((t) => t !== 'kafka-out' || kafka !== null)
  // kafka-out: neither a record over the broker's size limit nor a topic never created fails within 30 s on the test
  // cluster (the client keeps retrying metadata): its failures take the same path (message-path.ts), untested here.
  .filter((t) => t !== 'kafka-out');

describe("a sink's per-message failure reads in the one pattern", () => {
  it.each(SINKS)(
    '%s',
    async (type) => {
      const { connection, config, payload } = sinkCase(type);
      const flow = {
        format: 'sluice/flow@1',
        nodes: [
          {
            id: 'gen',
            type: 'generate',
            config: { intervalMs: 50, count: 1, payload: payload ?? '{"v": "x", "topic": "bad/#/topic"}' },
          },
          { id: 'under-test', type, config },
          { id: 'errors', type: 'debug', config: {} },
        ],
        edges: [
          { source: 'gen', sourcePort: 'out', target: 'under-test', targetPort: 'in' },
          { source: 'under-test', sourcePort: 'error', target: 'errors', targetPort: 'in' },
        ],
        settings: { transientFailures: 'route' },
        ...(connection ? { connections: [{ id: 'svc', ...connection }] } : {}),
      };
      engine = new Engine({ catalog, resolve: { env: { AMQP_PASSWORD: 'guest' }, readFile: () => '' } });
      const failed = new Promise<FailureEvent>((resolve) => {
        engine!.on('failure', (f: FailureEvent) => {
          if (f.nodeId === 'under-test') resolve(f);
        });
      });
      await engine.start(flow);
      const failure = await failed;
      const prefix = `${type} "under-test": `;
      expect(failure.reason.startsWith(prefix), failure.reason).toBe(true);
      expect(failure.reason).toMatch(NODE_PROBLEM);
      expect(failure.reason.indexOf(prefix, 1), 'named once').toBe(-1);
      expect(engine.lastFailures()['under-test']?.reason).toBe(failure.reason);
      await engine.whenIdle(5000);
      // The debug node on the error port keeps what reached it, headers included.
      const kept = engine.snapshot('errors') as { messages: Array<Pick<Message, 'headers'>> };
      expect(kept.messages.map((m) => m.headers[ERROR_HEADER])).toContain(failure.reason);
    },
    30_000,
  );
});
