import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Engine } from '../../../src/runtime/engine.js';
import { defineNode, type Message, Type } from '../../../src/spec/index.js';
import type { CreateRuntime } from '../../../src/spec/runtime-contract.js';
import { eventually, payloads, type TestPayload } from '../../conformance/harness.js';
import { simulateMqttChange } from '../../support/mqtt-faults.js';
import { requireService } from '../../support/services.js';
import { type SinkHandle, sinks } from '../../support/test-nodes.js';
import { startFlow } from '../mqtt-support/flow.js';
import { clearSession, connectPlain, publishJson, uniqueBase, uniqueClientId } from '../mqtt-support/mqtt.js';

// The faults that pretend mqtt.js changed live in test support, not in production code.
vi.mock('../../../src/connectors/mqtt/internals.js', async (original) =>
  (await import('../../support/mqtt-faults.js')).withFaults(await original()),
);

const run = await requireService('mosquitto');

let engines: Engine[] = [];
let sessions: string[] = [];
afterEach(async () => {
  for (const e of engines) await e.stop({ deadlineMs: 1000 });
  for (const id of sessions) await clearSession(id);
  engines = [];
  sessions = [];
});

/** An mqtt-in node -> a test sink; returns the engine and the sink's record. */
async function source(config: Record<string, unknown>, sink: Record<string, unknown> = {}, settings = {}) {
  const clientId = (config.clientId as string | undefined) ?? uniqueClientId('in');
  sessions.push(clientId);
  const { engine, statuses } = await startFlow(
    [
      ['in', 'mqtt-in', { connection: 'broker', clientId, ...config }],
      ['sink', 'test-sink', { failFlagged: false, ...sink }],
      ['dead', 'test-sink', { failFlagged: false }],
    ],
    [['in', 'sink']],
    { settings: { errorRoute: 'dead', ...settings } },
  );
  engines.push(engine);
  return { engine, statuses, clientId, sink: sinks.get('sink') as SinkHandle, dead: sinks.get('dead') as SinkHandle };
}

const idsOf = (sink: SinkHandle) => sink.delivered.map((m) => (m.payload as TestPayload).id);

describe.runIf(run)('mqtt-in', () => {
  it('subscribes to several filters with + and #', async () => {
    const base = uniqueBase('filters');
    const { sink } = await source({ topics: [`${base}/+/temp`, `${base}/x/#`], codec: 'text' });
    const pub = await connectPlain();
    for (const t of ['a/temp', 'b/temp', 'x/y/z', 'x', 'a/hum', 'a/temp/deeper', 'y/x/z']) {
      await pub.publishAsync(`${base}/${t}`, t, { qos: 1 });
    }
    await pub.publishAsync(`${base}/x/end`, 'end', { qos: 1 });
    await pub.endAsync();
    await eventually(
      () => sink.delivered.map((m) => m.payload),
      (p) => p.includes('end'),
      10_000,
      'the end marker',
    );
    expect(sink.delivered.map((m) => m.topic?.slice(base.length + 1)).sort()).toEqual([
      'a/temp',
      'b/temp',
      'x',
      'x/end',
      'x/y/z',
    ]);
  });

  it('takes QoS 0, 1 and 2 messages and acknowledges each after delivery', async () => {
    const base = uniqueBase('qos');
    const { engine, sink } = await source({ topics: [`${base}/#`], qos: 2 });
    const pub = await connectPlain();
    for (const qos of [0, 1, 2] as const) {
      await publishJson(pub, () => `${base}/q${qos}`, payloads(20, `q${qos}-`), { qos });
    }
    await pub.endAsync();
    await eventually(
      () => sink.delivered.length,
      (n) => n >= 60,
      10_000,
      '60 messages',
    );
    await engine.whenIdle();
    const qosOf = (m: Message) => m.headers['mqtt-qos'];
    expect(sink.delivered.filter((m) => qosOf(m) === '0')).toHaveLength(20);
    expect(sink.delivered.filter((m) => qosOf(m) === '1')).toHaveLength(20);
    expect(sink.delivered.filter((m) => qosOf(m) === '2')).toHaveLength(20);
    expect(engine.counters().in).toMatchObject({ out: 60, acked: 60, nacked: 0, inFlight: 0 });
    expect(engine.snapshot('in')).toMatchObject({ mode: 'gate', heldAcks: 0, released: 40, ungated: 0 });
  });

  for (const qos of [1, 2] as const) {
    it(`QoS ${qos}: messages in a slow sink when the flow stops are redelivered to the next run`, async () => {
      const base = uniqueBase(`restart-q${qos}`);
      const clientId = uniqueClientId(`restart-q${qos}`);
      // A small window and a slow sink: the first run cannot finish before it is stopped.
      const slow = { delayMs: 100, batchSize: 25, lingerMs: 5 };
      const first = await source({ topics: [`${base}/#`], qos, clientId, window: 50 }, slow);
      const all = payloads(400, 'r');
      const pub = await connectPlain();
      await publishJson(pub, () => `${base}/data`, all, { qos });
      await eventually(
        () => first.sink.delivered.length,
        (n) => n >= 40,
        10_000,
        'the first messages',
      );
      await first.engine.stop({ deadlineMs: 0 });
      const got = new Set(idsOf(first.sink));
      // Withheld acknowledgements are never sent, so some messages must come back.
      expect(got.size).toBeLessThan(400);
      const second = await source({ topics: [`${base}/#`], qos, clientId }, { delayMs: 5 });
      await eventually(
        () => {
          for (const id of idsOf(second.sink)) got.add(id);
          return got.size;
        },
        (n) => n >= 400,
        20_000,
        'all 400 ids across both runs',
      );
      await pub.endAsync();
      expect(second.sink.delivered.some((m) => m.headers['mqtt-dup'] === 'true')).toBe(true);
    });
  }

  it('keeps a persistent session: messages published while the flow is stopped arrive when it starts', async () => {
    const base = uniqueBase('session');
    const clientId = uniqueClientId('session');
    const first = await source({ topics: [`${base}/#`], clientId });
    await first.engine.stop();
    const pub = await connectPlain();
    await publishJson(pub, () => `${base}/offline`, payloads(50, 'off'));
    await pub.endAsync();
    const second = await source({ topics: [`${base}/#`], clientId });
    await eventually(
      () => new Set(idsOf(second.sink)).size,
      (n) => n >= 50,
      10_000,
      '50 queued messages',
    );
  });

  it('MQTT 5: a retained message comes with a new subscription, not again when the session resumes', async () => {
    const base = uniqueBase('retained');
    const clientId = uniqueClientId('retained');
    const pub = await connectPlain();
    await pub.publishAsync(`${base}/state`, '{"id": "kept"}', { qos: 1, retain: true });
    const first = await source({ topics: [`${base}/#`], clientId });
    await eventually(
      () => first.sink.delivered.length,
      (n) => n >= 1,
      10_000,
      'the retained message',
    );
    expect(first.sink.delivered[0].headers['mqtt-retain']).toBe('true');
    await first.engine.stop();
    const second = await source({ topics: [`${base}/#`], clientId });
    await pub.publishAsync(`${base}/after`, '{"id": "after"}', { qos: 1 });
    await eventually(
      () => second.sink.delivered.length,
      (n) => n >= 1,
      10_000,
      'the next message',
    );
    expect(idsOf(second.sink)).toEqual(['after']);
    await pub.publishAsync(`${base}/state`, '', { qos: 1, retain: true });
    await pub.endAsync();
  });

  it('spreads a shared subscription between two flows', async () => {
    const base = uniqueBase('shared');
    const filter = `$share/g${Date.now()}/${base}/#`;
    const a = await source({ topics: [filter] });
    const sinkA = a.sink;
    const b = await source({ topics: [filter] });
    const sinkB = b.sink;
    const pub = await connectPlain();
    const all = payloads(200, 's');
    await publishJson(pub, (_p, i) => `${base}/d${i % 5}`, all);
    await pub.endAsync();
    const union = () => new Set([...idsOf(sinkA), ...idsOf(sinkB)]).size;
    await eventually(union, (n) => n >= 200, 10_000, 'all 200 ids across both flows');
    expect(sinkA.delivered.length).toBeGreaterThan(0);
    expect(sinkB.delivered.length).toBeGreaterThan(0);
  });

  it('decodes payloads by codec; an unreadable one goes to the error route', async () => {
    const base = uniqueBase('codec');
    const text = await source({ topics: [`${base}/text`], codec: 'text' });
    const pub = await connectPlain();
    await pub.publishAsync(`${base}/text`, 'héllo', { qos: 1 });
    await pub.publishAsync(`${base}/text`, Buffer.from([0xff, 0xfe]), { qos: 1 });
    await eventually(
      () => text.sink.delivered.length + text.dead.delivered.length,
      (n) => n >= 2,
      10_000,
      '2 messages',
    );
    expect(text.sink.delivered[0].payload).toBe('héllo');
    expect(text.dead.delivered[0].headers['sluice-error']).toMatch(/UTF-8/);
    expect(text.dead.delivered[0].payload).toEqual(Buffer.from([0xff, 0xfe]));
    await text.engine.stop();

    const bytes = await source({ topics: [`${base}/bytes`], codec: 'bytes' });
    await pub.publishAsync(`${base}/bytes`, Buffer.from([0, 1, 2, 255]), { qos: 1 });
    await eventually(
      () => bytes.sink.delivered.length,
      (n) => n >= 1,
      10_000,
      'the bytes message',
    );
    expect(Buffer.from(bytes.sink.delivered[0].payload as Uint8Array)).toEqual(Buffer.from([0, 1, 2, 255]));

    const json = await source({ topics: [`${base}/json`], codec: 'json' });
    await pub.publishAsync(`${base}/json`, '{"a": [1, 2]}', { qos: 1 });
    await pub.publishAsync(`${base}/json`, '{"a": ', { qos: 1 });
    await pub.publishAsync(`${base}/json`, '{"b": true}', { qos: 1 });
    await eventually(
      () => json.sink.delivered.length + json.dead.delivered.length,
      (n) => n >= 3,
      10_000,
      '3 messages',
    );
    await json.engine.whenIdle();
    expect(json.sink.delivered.map((m) => m.payload)).toEqual([{ a: [1, 2] }, { b: true }]);
    expect(json.dead.delivered[0].headers['sluice-error']).toMatch(/not valid JSON/);
    expect(json.engine.counters().in).toMatchObject({ acked: 3, nacked: 0 });
    await pub.endAsync();
  });

  it('MQTT 5: carries content type, response topic and correlation data into headers, user properties into wire', async () => {
    const base = uniqueBase('props');
    const { sink } = await source({ topics: [`${base}/#`] }, {}, {});
    const pub = await connectPlain();
    await pub.publishAsync(`${base}/p`, '{"n": 1}', {
      qos: 1,
      retain: true,
      properties: {
        userProperties: { site: 'plant-7', tag: ['a', 'b'] },
        contentType: 'application/json',
        responseTopic: `${base}/reply`,
        correlationData: Buffer.from([1, 2, 3]),
        payloadFormatIndicator: true,
        messageExpiryInterval: 600,
      },
    });
    await eventually(
      () => sink.delivered.length,
      (n) => n >= 1,
      10_000,
      'the message',
    );
    await pub.publishAsync(`${base}/p`, '', { qos: 1, retain: true }); // clear the retained message
    await pub.endAsync();
    expect({ ...sink.delivered[0].wire }).toEqual({ site: 'plant-7', tag: ['a', 'b'] });
    expect(sink.delivered[0].headers.tag).toBeUndefined(); // repeated: in wire only
    expect(sink.delivered[0].headers).toMatchObject({
      site: 'plant-7',
      'content-type': 'application/json',
      'mqtt-response-topic': `${base}/reply`,
      'mqtt-correlation-data': Buffer.from([1, 2, 3]).toString('base64'),
      'mqtt-payload-format': 'utf-8',
      'mqtt-qos': '1',
    });
    expect(Number(sink.delivered[0].headers['mqtt-message-expiry'])).toBeGreaterThan(0);
  });

  it('derives a stable client id from the flow and node ids unless one is set', async () => {
    const flowId = `flow${Date.now()}`;
    const { engine } = await startFlow(
      [
        ['in', 'mqtt-in', { connection: 'broker', topics: [`${uniqueBase('cid')}/#`] }],
        ['sink', 'test-sink'],
      ],
      [['in', 'sink']],
      { id: flowId, connection: { clientId: 'edge 1' } },
    );
    engines.push(engine);
    sessions.push(`edge_1-${flowId}-in`);
    expect(engine.snapshot('in')).toMatchObject({ clientId: `edge_1-${flowId}-in`, connected: true });
  });

  it('bounds the unacknowledged window: a slow sink never holds more than `window` messages', async () => {
    const base = uniqueBase('window');
    const { engine, sink } = await source(
      { topics: [`${base}/#`], window: 25 },
      { delayMs: 20, batchSize: 10, lingerMs: 5 },
    );
    const pub = await connectPlain();
    await publishJson(pub, () => `${base}/w`, payloads(300, 'w'));
    await pub.endAsync();
    await eventually(
      () => new Set(idsOf(sink)).size,
      (n) => n >= 300,
      20_000,
      '300 messages',
    );
    expect(sink.maxPending).toBeLessThanOrEqual(25);
    expect(sink.maxPending).toBeGreaterThan(1);
    await engine.whenIdle();
    expect(engine.snapshot('in')).toMatchObject({ heldAcks: 0, released: 300 });
  });

  it("respects the flow's maxInFlight (the engine's back pressure) too", async () => {
    const base = uniqueBase('maxinflight');
    const { sink } = await source(
      { topics: [`${base}/#`] },
      { delayMs: 20, batchSize: 50, lingerMs: 5 },
      { maxInFlight: 8 },
    );
    const pub = await connectPlain();
    await publishJson(pub, () => `${base}/m`, payloads(200, 'm'));
    await pub.endAsync();
    await eventually(
      () => new Set(idsOf(sink)).size,
      (n) => n >= 200,
      20_000,
      '200 messages',
    );
    expect(sink.maxPending).toBeLessThanOrEqual(8);
  });

  it('reports an error status with the reason when the broker is unreachable, without blocking the start', async () => {
    const { engine, statuses } = await startFlow(
      [
        ['in', 'mqtt-in', { connection: 'broker', topics: ['x/#'], clientId: uniqueClientId('down') }],
        ['sink', 'test-sink'],
      ],
      [['in', 'sink']],
      { connection: { url: 'mqtt://127.0.0.1:1', reconnectDelayMs: 100 } },
    );
    engines.push(engine);
    const errors = await eventually(
      () => statuses.filter((s) => s.nodeId === 'in' && s.state === 'error'),
      (e) => e.length > 0,
      10_000,
      'an error status',
    );
    expect(errors[0].reason).toMatch(/ECONNREFUSED/);
  });
});

// ---- nack -> redelivery -------------------------------------------------------------------------------------

const flakySink = defineNode({
  type: 'flaky-sink',
  version: 1,
  category: 'sink',
  title: 'Flaky sink',
  summary: 'Fails the first delivery of each message whose payload has fail: true.',
  docs: 'Test only.',
  inputs: [{ name: 'in', required: true }],
  outputs: [],
  config: Type.Object({}),
});

const flaky = { delivered: [] as Message[], failedOnce: new Set<string>() };
const createFlaky: CreateRuntime<unknown> = () => ({
  async handle(msg: Message) {
    const p = msg.payload as TestPayload & { fail?: boolean };
    if (p.fail && !flaky.failedOnce.has(p.id)) {
      flaky.failedOnce.add(p.id);
      throw new Error('the sink failed (once)');
    }
    flaky.delivered.push(msg);
  },
});

describe.runIf(run)('mqtt-in nack', () => {
  afterEach(() => simulateMqttChange(undefined));

  for (const mode of ['gate', 'hold'] as const) {
    it(`${mode} mode: a nacked message (no error route) goes into the flow again on the same connection, its ack held till then`, async () => {
      // Hold mode is the fallback when mqtt.js's packet writer cannot be gated.
      if (mode === 'hold') simulateMqttChange('no-send-hook');
      const base = uniqueBase(`nack-${mode}`);
      const clientId = uniqueClientId('nack');
      sessions.push(clientId);
      const { engine } = await startFlow(
        [
          ['in', 'mqtt-in', { connection: 'broker', topics: [`${base}/#`], clientId }],
          ['flaky', 'flaky-sink'],
        ],
        [['in', 'flaky']],
        {
          connection: { reconnectDelayMs: 100 },
          extra: { catalog: [flakySink], runtimes: { 'flaky-sink': createFlaky } },
        },
      );
      engines.push(engine);
      const all = payloads(30, `${mode}-`).map((p) => ({ ...p, fail: p.n === 10 }));
      const pub = await connectPlain();
      await Promise.all(all.map((p) => pub.publishAsync(`${base}/n`, JSON.stringify(p), { qos: 1 })));
      await pub.endAsync();
      const mine = () => flaky.delivered.filter((m) => (m.payload as TestPayload).id.startsWith(`${mode}-`));
      await eventually(
        () => new Set(mine().map((m) => (m.payload as TestPayload).id)).size,
        (n) => n >= 30,
        20_000,
        'all 30 ids',
      );
      const again = mine().find((m) => (m.payload as TestPayload).id === `${mode}-10`);
      expect(again?.headers['mqtt-dup']).toBe('true');
      expect(engine.counters().in.nacked).toBeGreaterThanOrEqual(1);
      expect(engine.snapshot('in')).toMatchObject({ mode, ungated: 0 });
      const snap = engine.snapshot('in') as { redeliveryReconnects: number; retried: number; connects: number };
      expect(snap.retried).toBeGreaterThanOrEqual(1);
      expect(snap).toMatchObject({ redeliveryReconnects: 0, connects: 1 });
      // Every ack went out once the retry went through: nothing is left held or waiting.
      await eventually(
        () => engine.snapshot('in') as { heldAcks: number; retrying: number },
        (x) => x.heldAcks === 0 && x.retrying === 0,
        5_000,
        'no held acks',
      );
    });
  }
});
