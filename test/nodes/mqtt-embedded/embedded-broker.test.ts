import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { startEmbeddedBroker } from '../../../src/connectors/mqtt/embedded-broker.js';
import { eventually, payloads, type TestPayload } from '../../conformance/harness.js';
import { type SinkHandle, sinks } from '../../support/test-nodes.js';
import { startFlow } from '../mqtt-support/flow.js';

describe('embedded MQTT broker (aedes)', () => {
  it('serves MQTT 3.1.1 on 127.0.0.1 and closes', async () => {
    const broker = await startEmbeddedBroker({ port: 0 });
    expect(broker.url).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    const sub = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    const got: string[] = [];
    sub.on('message', (_t, p) => got.push(p.toString()));
    await sub.subscribeAsync('demo/#', { qos: 1 });
    const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    await pub.publishAsync('demo/a', 'hello', { qos: 1 });
    await eventually(
      () => got,
      (g) => g.length === 1,
      5000,
      'the message',
    );
    expect(got).toEqual(['hello']);
    await pub.endAsync();
    await sub.endAsync();
    await broker.close();
    await expect(mqtt.connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 2000 })).rejects.toThrow();
  });

  it('runs a flow end to end: mqtt-in -> mqtt-out -> mqtt-in, at least once', async () => {
    const broker = await startEmbeddedBroker({ port: 0 });
    const connection = { url: broker.url, protocolVersion: '3.1.1' };
    const { engine } = await startFlow(
      [
        ['in', 'mqtt-in', { connection: 'broker', topics: ['raw/+'], clientId: 'demo-in' }],
        ['out', 'mqtt-out', { connection: 'broker', topic: 'clean/{{payload.id}}' }],
        ['back', 'mqtt-in', { connection: 'broker', topics: ['clean/#'], clientId: 'demo-back' }],
        ['sink', 'test-sink'],
      ],
      [
        ['in', 'out'],
        ['back', 'sink'],
      ],
      { connection },
    );
    try {
      const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
      const all = payloads(200, 'e');
      await Promise.all(all.map((p) => pub.publishAsync(`raw/${p.n % 3}`, JSON.stringify(p), { qos: 1 })));
      await pub.endAsync();
      const sink = sinks.get('sink') as SinkHandle;
      await eventually(
        () => new Set(sink.delivered.map((m) => (m.payload as TestPayload).id)).size,
        (n) => n >= 200,
        15_000,
        '200 messages',
      );
      await engine.whenIdle();
      expect(engine.counters().in).toMatchObject({ acked: 200, nacked: 0 });
    } finally {
      await engine.stop();
      await broker.close();
    }
  });

  it('a connection left at MQTT 5 (the default) falls back to 3.1.1 against it, and the nodes say which version', async () => {
    const broker = await startEmbeddedBroker({ port: 0 });
    const { engine, statuses } = await startFlow(
      [
        ['in', 'mqtt-in', { connection: 'broker', topics: ['v5demo/+'], clientId: 'v5-in' }],
        ['out', 'mqtt-out', { connection: 'broker', topic: 'v5back/{{payload.id}}' }],
        ['back', 'mqtt-in', { connection: 'broker', topics: ['v5back/#'], clientId: 'v5-back' }],
        ['sink', 'test-sink'],
      ],
      [
        ['in', 'out'],
        ['back', 'sink'],
      ],
      { connection: { url: broker.url, protocolVersion: '5' } },
    );
    try {
      await eventually(
        () => ['in', 'out', 'back'].map((id) => statuses.filter((s) => s.nodeId === id).at(-1)),
        (last) => last.every((s) => s?.state === 'connected'),
        10_000,
        'every MQTT node connected',
      );
      for (const id of ['in', 'out', 'back']) {
        expect(statuses.filter((s) => s.nodeId === id).at(-1)?.reason).toMatch(
          /MQTT 3\.1\.1 \(the broker refused MQTT 5\)/,
        );
      }
      const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
      const all = payloads(20, 'v');
      await Promise.all(all.map((p) => pub.publishAsync(`v5demo/${p.n}`, JSON.stringify(p), { qos: 1 })));
      await pub.endAsync();
      const sink = sinks.get('sink') as SinkHandle;
      await eventually(
        () => new Set(sink.delivered.map((m) => (m.payload as TestPayload).id)).size,
        (n) => n >= 20,
        15_000,
        '20 messages',
      );
    } finally {
      await engine.stop();
      await broker.close();
    }
  });

  it('refuses MQTT 5 clients (aedes speaks 3.1.1 only)', async () => {
    const broker = await startEmbeddedBroker({ port: 0 });
    await expect(
      mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 2000 }),
    ).rejects.toThrow();
    await broker.close();
  });
});
