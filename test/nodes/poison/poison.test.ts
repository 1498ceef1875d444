/**
 * Poison messages never stall a flow (issue 10, fault 1), one test per source against the real services: with the
 * default settings (no error port, no error route) a message that fails deterministically (a payload that does not
 * decode, a JSONata runtime error, a row the database refuses) is logged at warn with flow, node and reason, counted
 * as failed and dropped (acknowledged), and later good messages arrive; a transient failure (the database is
 * unreachable) is still nacked and redelivered until it lands.
 */
import type { Producer } from 'kafkajs';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { FlowConnection } from '../../../src/flow/document.js';
import { Engine } from '../../../src/runtime/engine.js';
import { eventually } from '../../conformance/harness.js';
import { captureLog, type LogLine, WARN } from '../../support/capture-log.js';
import { kafkaForTests, uniqueTopic } from '../../support/kafka.js';
import { requireService } from '../../support/services.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
import { flowOf, loadTestRuntime, type SinkHandle, sinks, testCatalog } from '../../support/test-nodes.js';
import { Admin, amqpConnection, unique } from '../amqp/support.js';
import { committedOffsets, FAST_GROUP, kafkaConnection, plainProducer } from '../kafka/support.js';
import { clearSession, connectPlain, MOSQUITTO, uniqueBase, uniqueClientId } from '../mqtt-support/mqtt.js';

const FLOW = 'poison-test';

let cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  cleanups = [];
});

type NodeSpec = [id: string, type: string, config?: Record<string, unknown>];

/** Starts a flow (id FLOW) on the test catalogue with a capturing logger; stopped after the test. */
async function start(
  connections: FlowConnection[],
  nodes: NodeSpec[],
  edges: Array<[string, string]>,
  settings: Record<string, unknown> = {},
) {
  const { log, lines } = captureLog();
  const engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime, log });
  cleanups.push(() => engine.stop({ deadlineMs: 1000 }));
  await engine.start({ ...flowOf(nodes, edges, settings), id: FLOW, connections });
  return { engine, lines, sink: sinks.get('sink') as SinkHandle };
}

const ids = (sink: SinkHandle) => sink.delivered.map((m) => (m.payload as { id?: string; v?: string }).id);

/** The engine's warn lines about failed messages at `node` (they name the failure's kind). */
const warnsAt = (lines: LogLine[], node: string) =>
  lines.filter((l) => l.level === WARN && l.node === node && l.kind !== undefined);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const mqttConnection: FlowConnection = {
  id: 'broker',
  kind: 'mqtt',
  config: { url: MOSQUITTO, reconnectDelayMs: 100, reconnectMaxDelayMs: 500 },
};

async function mqttPublish(topic: string, bodies: string[]): Promise<void> {
  const pub = await connectPlain();
  for (const b of bodies) await pub.publishAsync(topic, b, { qos: 1 });
  await pub.endAsync();
}

const good = (n: number, prefix = 'g') => Array.from({ length: n }, (_, i) => JSON.stringify({ id: `${prefix}${i}` }));

const mosquitto = await requireService('mosquitto');

describe.runIf(mosquitto)('poison messages: mqtt-in', () => {
  it('a QoS 1 message that is not JSON is logged at warn, counted failed and dropped; the good ones after it arrive', async () => {
    const base = uniqueBase('poison');
    const clientId = uniqueClientId('poison');
    cleanups.push(() => clearSession(clientId));
    const { engine, lines, sink } = await start(
      [mqttConnection],
      [
        ['in', 'mqtt-in', { connection: 'broker', clientId, topics: [`${base}/#`], qos: 1, codec: 'json' }],
        ['sink', 'test-sink', { failFlagged: false }],
      ],
      [['in', 'sink']],
    );
    await mqttPublish(`${base}/x`, ['this is not JSON', ...good(5)]);
    await eventually(
      () => sink.delivered.length,
      (n) => n >= 5,
      10_000,
      'the 5 good messages after the poison one',
    );
    expect(ids(sink)).toEqual(['g0', 'g1', 'g2', 'g3', 'g4']);
    // Long enough for a redelivery loop (nack, reconnect, redeliver) to show; none may happen.
    await sleep(1500);
    await engine.whenIdle();
    const c = engine.counters().in;
    expect(c).toMatchObject({ failed: 1, acked: 6, nacked: 0 });
    const warns = warnsAt(lines, 'in');
    expect(warns).toHaveLength(1);
    expect(warns[0]).toMatchObject({ flow: FLOW, kind: 'deterministic' });
    expect(warns[0].reason).toMatch(/not valid JSON/);
    expect(warns[0].msg).toMatch(/dropped/);
    expect(ids(sink)).toHaveLength(5);
  });

  it('a JSONata runtime error in a transform is logged at warn and dropped; later messages arrive', async () => {
    const base = uniqueBase('poison-expr');
    const clientId = uniqueClientId('poison-expr');
    cleanups.push(() => clearSession(clientId));
    const { engine, lines, sink } = await start(
      [mqttConnection],
      [
        ['in', 'mqtt-in', { connection: 'broker', clientId, topics: [`${base}/#`], qos: 1, codec: 'json' }],
        ['map', 'transform', { expression: '{ "id": payload.id, "next": payload.n + 1 }' }],
        ['sink', 'test-sink', { failFlagged: false }],
      ],
      [
        ['in', 'map'],
        ['map', 'sink'],
      ],
    );
    const bodies = [
      JSON.stringify({ id: 'bad', n: 'not a number' }),
      ...[0, 1, 2].map((i) => JSON.stringify({ id: `g${i}`, n: i })),
    ];
    await mqttPublish(`${base}/x`, bodies);
    await eventually(
      () => sink.delivered.length,
      (n) => n >= 3,
      10_000,
      'the 3 good messages',
    );
    await sleep(1500);
    await engine.whenIdle();
    expect(ids(sink)).toEqual(['g0', 'g1', 'g2']);
    expect(engine.counters().map).toMatchObject({ in: 4, out: 3, failed: 1 });
    expect(engine.counters().in).toMatchObject({ acked: 4, nacked: 0 });
    const warns = warnsAt(lines, 'map');
    expect(warns).toHaveLength(1);
    expect(warns[0]).toMatchObject({ flow: FLOW, kind: 'deterministic' });
    expect(warns[0].reason).toMatch(/T2001|number/);
  });
});

const postgres = await requireService('postgres');

describe.runIf(mosquitto && postgres)('poison messages: a database sink behind mqtt-in', () => {
  const server = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };

  async function pgAdmin(table: string): Promise<pg.Client> {
    const admin = new pg.Client(server);
    await admin.connect();
    await admin.query(`CREATE TABLE ${table} (id text PRIMARY KEY, n integer NOT NULL)`);
    cleanups.push(async () => {
      await admin.query(`DROP TABLE IF EXISTS ${table}`);
      await admin.end();
    });
    return admin;
  }

  it('a row the database refuses is dropped with a warning; the rest land', async () => {
    const table = `poison_refused_${Math.random().toString(36).slice(2, 10)}`;
    const admin = await pgAdmin(table);
    const base = uniqueBase('poison-row');
    const clientId = uniqueClientId('poison-row');
    cleanups.push(() => clearSession(clientId));
    const { engine, lines } = await start(
      [mqttConnection, { id: 'db', kind: 'postgres', config: server }],
      [
        ['in', 'mqtt-in', { connection: 'broker', clientId, topics: [`${base}/#`], qos: 1, codec: 'json' }],
        ['sink', 'postgres-out', { connection: 'db', table, columns: { id: 'payload.id', n: 'payload.n' } }],
      ],
      [['in', 'sink']],
    );
    await mqttPublish(`${base}/x`, [
      JSON.stringify({ id: 'null-n', n: null }),
      ...[0, 1, 2].map((i) => JSON.stringify({ id: `g${i}`, n: i })),
    ]);
    const rows = await eventually(
      async () => (await admin.query(`SELECT id FROM ${table} ORDER BY id`)).rows.map((r) => r.id as string),
      (r) => r.length >= 3,
      10_000,
      'three rows',
    );
    await sleep(1000);
    await engine.whenIdle();
    expect(rows).toEqual(['g0', 'g1', 'g2']);
    expect(engine.counters().in).toMatchObject({ acked: 4, nacked: 0 });
    expect(engine.counters().sink).toMatchObject({ failed: 1 });
    const warns = warnsAt(lines, 'sink');
    expect(warns.length).toBeGreaterThanOrEqual(1);
    expect(warns[0]).toMatchObject({ flow: FLOW, kind: 'deterministic' });
    expect(warns[0].reason).toMatch(/refused the row/);
  });

  it.each([
    ['', false],
    [', even with an error route wired (it takes what redelivery cannot fix)', true],
  ])(
    'a transient failure (the database unreachable) is still nacked and redelivered until it lands%s',
    async (_, withRoute) => {
      const table = `poison_transient_${Math.random().toString(36).slice(2, 10)}`;
      const admin = await pgAdmin(table);
      const proxy = new TcpProxy(5432);
      await proxy.up();
      cleanups.push(() => proxy.down());
      const base = uniqueBase('poison-down');
      const clientId = uniqueClientId('poison-down');
      cleanups.push(() => clearSession(clientId));
      const { engine, lines } = await start(
        [
          mqttConnection,
          { id: 'db', kind: 'postgres', config: { ...server, port: proxy.port, connectTimeoutMs: 1000 } },
        ],
        [
          ['in', 'mqtt-in', { connection: 'broker', clientId, topics: [`${base}/#`], qos: 1, codec: 'json' }],
          [
            'sink',
            'postgres-out',
            {
              connection: 'db',
              table,
              columns: { id: 'payload.id', n: 'payload.n' },
              attempts: 2,
              retryDelayMs: 20,
              retryMaxDelayMs: 50,
            },
          ],
          ...(withRoute ? [['dead', 'test-sink', { failFlagged: false }] as NodeSpec] : []),
        ],
        [['in', 'sink']],
        withRoute ? { errorRoute: 'dead' } : {},
      );
      await proxy.down();
      await mqttPublish(
        `${base}/x`,
        [0, 1, 2, 3, 4].map((i) => JSON.stringify({ id: `t${i}`, n: i })),
      );
      await eventually(
        () => engine.counters().in.nacked,
        (n) => (n ?? 0) >= 1,
        15_000,
        'a nack while the database is down',
      );
      const transient = warnsAt(lines, 'sink');
      expect(transient.length).toBeGreaterThanOrEqual(1);
      expect(transient[0]).toMatchObject({ flow: FLOW, kind: 'transient' });
      await proxy.up();
      const rows = await eventually(
        async () => (await admin.query(`SELECT id FROM ${table} ORDER BY id`)).rows.map((r) => r.id as string),
        (r) => r.length >= 5,
        30_000,
        'all five rows after the database came back',
      );
      expect(rows).toEqual(['t0', 't1', 't2', 't3', 't4']);
      if (withRoute) expect(sinks.get('dead')!.delivered).toEqual([]);
    },
  );
});

const kafka = kafkaForTests();

describe.runIf(kafka)('poison messages: kafka-in', () => {
  it('a record that is not JSON is logged at warn and dropped; its offset is committed with the good ones', async () => {
    const k = kafka!;
    const topic = uniqueTopic('poison');
    await k.createTopic(topic, 1);
    const groupId = `poison-${topic}`;
    const { engine, lines, sink } = await start(
      [kafkaConnection(k.brokers)],
      [
        ['in', 'kafka-in', { connection: 'kafka', topics: [topic], groupId, codec: 'json', ...FAST_GROUP }],
        ['sink', 'test-sink', { failFlagged: false }],
      ],
      [['in', 'sink']],
    );
    const producer: Producer = plainProducer(k.brokers);
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    await producer.send({
      topic,
      acks: -1,
      messages: [{ value: '{not json' }, ...good(5).map((value) => ({ value }))],
    });
    await eventually(
      () => sink.delivered.length,
      (n) => n >= 5,
      20_000,
      'the 5 good records',
    );
    await eventually(
      async () => (await committedOffsets(k.brokers, groupId, topic)).get(0),
      (o) => o === 6,
      10_000,
      'offset 6 committed (the poison record included)',
    );
    await engine.whenIdle();
    expect(ids(sink)).toEqual(['g0', 'g1', 'g2', 'g3', 'g4']);
    expect(engine.counters().in).toMatchObject({ failed: 1, acked: 6, nacked: 0 });
    const warns = warnsAt(lines, 'in');
    expect(warns).toHaveLength(1);
    expect(warns[0]).toMatchObject({ flow: FLOW, kind: 'deterministic' });
    expect(warns[0].reason).toMatch(/not valid JSON/);
  });
});

describe.runIf(await requireService('rabbitmq'))('poison messages: amqp-in', () => {
  async function queues(...names: string[]): Promise<Admin> {
    const admin = await Admin.open();
    cleanups.push(() => admin.close(names));
    return admin;
  }

  it('a message that is not JSON is logged at warn and dropped (acked); the queue empties', async () => {
    const q = unique('poison');
    const admin = await queues(q);
    await admin.ch.assertQueue(q, { durable: true });
    const { engine, lines, sink } = await start(
      [amqpConnection()],
      [
        ['in', 'amqp-in', { connection: 'rabbit', queue: q, queueMode: 'existing', codec: 'json' }],
        ['sink', 'test-sink', { failFlagged: false }],
      ],
      [['in', 'sink']],
    );
    await admin.sendToQueue(q, ['not json at all', ...good(5)]);
    await eventually(
      () => sink.delivered.length,
      (n) => n >= 5,
      10_000,
      'the 5 good messages',
    );
    await sleep(1500); // the default requeue delay is 1 s: a requeued poison message would be back by now
    await engine.whenIdle();
    expect(ids(sink)).toEqual(['g0', 'g1', 'g2', 'g3', 'g4']);
    expect(engine.counters().in).toMatchObject({ failed: 1, acked: 6, nacked: 0 });
    expect(await admin.messageCount(q)).toBe(0);
    const warns = warnsAt(lines, 'in');
    expect(warns).toHaveLength(1);
    expect(warns[0]).toMatchObject({ flow: FLOW, kind: 'deterministic' });
  });

  it('with onFailure dead-letter, a dropped poison message goes to the queue dead-letter exchange', async () => {
    const q = unique('poison-dlx');
    const dlq = unique('poison-dlq');
    const admin = await queues(q, dlq);
    await admin.ch.assertQueue(dlq, { durable: true });
    await admin.ch.assertQueue(q, { durable: true, deadLetterExchange: '', deadLetterRoutingKey: dlq });
    const { engine, sink } = await start(
      [amqpConnection()],
      [
        [
          'in',
          'amqp-in',
          { connection: 'rabbit', queue: q, queueMode: 'existing', codec: 'json', onFailure: 'dead-letter' },
        ],
        ['sink', 'test-sink', { failFlagged: false }],
      ],
      [['in', 'sink']],
    );
    await admin.sendToQueue(q, ['{broken', ...good(2)]);
    await eventually(
      () => admin.messageCount(dlq),
      (n) => n === 1,
      10_000,
      'the poison message in the dead-letter queue',
    );
    await engine.whenIdle();
    expect(ids(sink)).toEqual(['g0', 'g1']);
    const [dead] = await admin.peekAll(dlq);
    expect(dead.content.toString()).toBe('{broken');
  });
});
