/** The connector examples run as shipped (topics and table renamed per run) against the real services. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import amqp from 'amqplib';
import mqtt from 'mqtt';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { catalog } from '../nodes/catalog.js';
import { Engine } from '../src/runtime/engine.js';
import { eventually } from './conformance/harness.js';
import { requireService } from './support/services.js';

const tag = () => `ex${randomBytes(4).toString('hex')}`;
const example = (name: string) => readFileSync(new URL(`../examples/${name}`, import.meta.url), 'utf8');
let engine: Engine | undefined;

afterEach(async () => {
  await engine?.stop({ deadlineMs: 2000 });
  engine = undefined;
});

async function publish(topic: string, payloads: unknown[]) {
  const client = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { protocolVersion: 5 });
  for (const p of payloads) await client.publishAsync(topic, JSON.stringify(p), { qos: 1 });
  await client.endAsync();
}

const pgUp = (await requireService('postgres')) && (await requireService('mosquitto'));
const mqttUp = await requireService('mosquitto');
const amqpUp = (await requireService('rabbitmq')) && (await requireService('mosquitto'));

describe('examples that talk to real services', () => {
  it.runIf(pgUp)('mqtt-to-postgres.json: readings become rows, once each', async () => {
    const t = tag();
    const flow = JSON.parse(
      example('mqtt-to-postgres.json')
        .replaceAll('sensors/+/temperature', `sensors/+/temperature-${t}`)
        .replaceAll('"temperatures"', `"${t}_temps"`),
    );
    engine = new Engine({ catalog, resolve: { env: { PGPASSWORD: '' }, readFile: () => '' } });
    await engine.start(flow);
    const readings = Array.from({ length: 50 }, (_, i) => ({ value: 20 + i / 10 }));
    await publish(`sensors/boiler-1/temperature-${t}`, readings);
    const client = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'test' });
    await client.connect();
    try {
      const count = async () =>
        Number(
          (await client.query(`SELECT count(*) AS n FROM "${t}_temps"`).catch(() => ({ rows: [{ n: 0 }] }))).rows[0].n,
        );
      await eventually(count, (n) => n >= 50, 20_000, '50 rows');
      const rows = (await client.query(`SELECT device, celsius FROM "${t}_temps" ORDER BY celsius`)).rows;
      expect(rows).toHaveLength(50);
      expect(rows[0]).toEqual({ device: 'boiler-1', celsius: 20 });
      await engine.whenIdle();
      expect(engine.counters().readings).toMatchObject({ out: 50, acked: 50, nacked: 0 });
    } finally {
      await client.query(`DROP TABLE IF EXISTS "${t}_temps"`);
      await client.end();
    }
  });

  it.runIf(amqpUp)('mqtt-to-amqp.json: valid readings reach the exchange, invalid ones are filtered', async () => {
    const t = tag();
    const flow = JSON.parse(
      example('mqtt-to-amqp.json')
        .replaceAll('sensors/#', `${t}/sensors/#`)
        .replaceAll('"telemetry"', `"${t}-telemetry"`),
    );
    const conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    const ch = await conn.createChannel();
    try {
      await ch.assertExchange(`${t}-telemetry`, 'topic', { durable: true });
      const { queue } = await ch.assertQueue('', { exclusive: true });
      await ch.bindQueue(queue, `${t}-telemetry`, 'readings.#');
      engine = new Engine({
        catalog,
        resolve: { env: { AMQP_USER: 'guest', AMQP_PASSWORD: 'guest' }, readFile: () => '' },
      });
      await engine.start(flow);
      await eventually(
        () => engine!.statuses().readings.state,
        (s) => s === 'connected',
        10_000,
        'mqtt-in connected',
      );
      await publish(`${t}/sensors/a`, [
        { device: 'd1', temp: 21 },
        { temp: 3 },
        { device: 'd2', temp: 'hot' },
        { device: 'd3', temp: 30 },
      ]);
      const got: Array<{ key: string; body: unknown }> = [];
      await ch.consume(
        queue,
        (m) => {
          if (m) got.push({ key: m.fields.routingKey, body: JSON.parse(m.content.toString()) });
        },
        { noAck: true },
      );
      await eventually(
        () => got.length,
        (n) => n >= 2,
        20_000,
        '2 messages at the queue',
      );
      await engine.whenIdle();
      expect(got.map((g) => g.key).sort()).toEqual(['readings.d1', 'readings.d3']);
      expect(engine.counters().valid).toMatchObject({ in: 4, out: 2, dropped: 2 });
      expect(engine.counters().readings).toMatchObject({ acked: 4, nacked: 0 });
    } finally {
      await ch.deleteExchange(`${t}-telemetry`).catch(() => undefined);
      await conn.close();
    }
  });
  it.runIf(mqttUp)("sparkplug-uns.json: an edge node's metrics reach the Unified Namespace by name", async () => {
    const t = tag();
    const flow = JSON.parse(
      example('sparkplug-uns.json')
        .replaceAll('plant-7', `plant-${t}`)
        .replaceAll('uns/{{topic}}', `uns-${t}/{{topic}}`)
        .replaceAll('"intervalMs": 1000', '"intervalMs": 100'),
    );
    const client = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { protocolVersion: 5 });
    const seen = new Map<string, { value: unknown; quality: string; datatype: string }>();
    client.on('message', (topic, payload) => {
      if (payload.length > 0) seen.set(topic, JSON.parse(payload.toString()));
    });
    await client.subscribeAsync(`uns-${t}/#`, { qos: 1 });
    try {
      engine = new Engine({ catalog });
      await engine.start(flow);
      const device = `uns-${t}/plant-${t}/line-3/press-1`;
      await eventually(
        () => [...seen.keys()],
        (k) => k.includes(`${device}/temperature`) && k.includes(`${device}/strokes`),
        20_000,
        'press-1 metrics under uns/',
      );
      expect(seen.get(`${device}/temperature`)).toMatchObject({ datatype: 'Float', quality: 'good' });
      expect(typeof seen.get(`${device}/temperature`)?.value).toBe('number');
      expect(seen.get(`${device}/running`)).toMatchObject({ value: true, datatype: 'Boolean' });
    } finally {
      // Retained messages are cleared so the broker does not keep them.
      for (const topic of seen.keys()) await client.publishAsync(topic, '', { qos: 1, retain: true });
      await client.endAsync();
    }
  });
});
