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
  // The second case is the same example as saved before `user` was renamed `username`: it still runs.
  it.runIf(pgUp).each([
    ['', (text: string) => text],
    [' (saved with the old name "user")', (text: string) => text.replace('"username":', '"user":')],
  ])('mqtt-to-postgres.json%s: readings become rows, once each', async (_, edit) => {
    const t = tag();
    const text = edit(example('mqtt-to-postgres.json'));
    expect(text.includes('"user":')).toBe(_ !== '');
    const flow = JSON.parse(
      text
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

  it.runIf(pgUp)(
    'mqtt-subflow-to-postgres.json: one subflow, two uses with their own ranges, rows tagged by site',
    async () => {
      const t = tag();
      const flow = JSON.parse(
        example('mqtt-subflow-to-postgres.json')
          .replaceAll('north/sensors/', `${t}/north/sensors/`)
          .replaceAll('south/sensors/', `${t}/south/sensors/`)
          .replaceAll('"site_temperatures"', `"${t}_site_temps"`),
      );
      engine = new Engine({ catalog, resolve: { env: { PGPASSWORD: '' }, readFile: () => '' } });
      await engine.start(flow);
      // 50 °C is plausible in the south (0..60) only; -35 °C in neither.
      await publish(`${t}/north/sensors/n1/temperature`, [{ value: 20 }, { value: 50 }, { value: -35 }]);
      await publish(`${t}/south/sensors/s1/temperature`, [{ value: 20 }, { value: 50 }, { value: -35 }]);
      const client = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'test' });
      await client.connect();
      try {
        const rows = async () =>
          (
            await client
              .query(`SELECT site, device, celsius FROM "${t}_site_temps" ORDER BY site, celsius`)
              .catch(() => ({ rows: [] }))
          ).rows;
        await eventually(rows, (r) => r.length >= 3, 20_000, 'three rows');
        await engine.whenIdle();
        expect(await rows()).toEqual([
          { site: 'north', device: 'n1', celsius: 20 },
          { site: 'south', device: 's1', celsius: 20 },
          { site: 'south', device: 's1', celsius: 50 },
        ]);
        const counters = engine.counters();
        expect(counters['north:range']).toMatchObject({ in: 3 });
        expect(counters.implausible).toMatchObject({ in: 3 });
        expect(counters['north-in']).toMatchObject({ acked: 3, nacked: 0 });
      } finally {
        await client.query(`DROP TABLE IF EXISTS "${t}_site_temps"`);
        await client.end();
      }
    },
  );

  it.runIf(pgUp)(
    'mqtt-window-postgres.json: one row per device and window with the average; acks after the commit',
    async () => {
      const t = tag();
      const flow = JSON.parse(
        example('mqtt-window-postgres.json')
          .replaceAll('plant/+/temperature', `plant/+/temperature-${t}`)
          .replaceAll('"temperature_minutes"', `"${t}_minutes"`)
          .replace('"windowMs": 60000', '"windowMs": 1500'),
      );
      engine = new Engine({ catalog, resolve: { env: { PGPASSWORD: '' }, readFile: () => '' } });
      await engine.start(flow);
      await eventually(
        () => engine!.statuses().readings.state,
        (s) => s === 'connected',
        10_000,
        'mqtt-in connected',
      );
      // Just after a window boundary, so each device's readings land in one window.
      await new Promise((r) => setTimeout(r, 1500 - (Date.now() % 1500) + 20));
      await publish(`plant/oven-1/temperature-${t}`, [{ value: 200 }, { value: 210 }, { value: 220 }]);
      await publish(`plant/oven-2/temperature-${t}`, [{ value: 50 }]);
      expect(engine.counters().readings.acked ?? 0).toBe(0); // held in the open window
      const client = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'test' });
      await client.connect();
      try {
        const count = async () =>
          Number(
            (await client.query(`SELECT count(*) AS n FROM "${t}_minutes"`).catch(() => ({ rows: [{ n: 0 }] }))).rows[0]
              .n,
          );
        await eventually(count, (n) => n >= 2, 20_000, '2 rows');
        const rows = (await client.query(`SELECT device, avg_celsius, readings FROM "${t}_minutes" ORDER BY device`))
          .rows;
        expect(rows).toEqual([
          { device: 'oven-1', avg_celsius: 210, readings: '3' },
          { device: 'oven-2', avg_celsius: 50, readings: '1' },
        ]);
        await engine.whenIdle(5000);
        expect(engine.counters().readings).toMatchObject({ out: 4, acked: 4, nacked: 0 });
        expect(engine.counters()['per-minute']).toMatchObject({ in: 4, out: 2, dropped: 0 });
      } finally {
        await client.query(`DROP TABLE IF EXISTS "${t}_minutes"`);
        await client.end();
      }
    },
  );

  it.runIf(pgUp)(
    'mqtt-stream-postgres.json: validate, deadband and a 1-minute window per device into PostgreSQL; every reading acked',
    async () => {
      const t = tag();
      const flow = JSON.parse(
        example('mqtt-stream-postgres.json')
          .replaceAll('plant/+/temperature', `plant/+/temperature-${t}`)
          .replaceAll('"temperature_minutes"', `"${t}_stream_minutes"`)
          .replace('"windowMs": 60000', '"windowMs": 1500'),
      );
      engine = new Engine({ catalog, resolve: { env: { PGPASSWORD: '' }, readFile: () => '' } });
      await engine.start(flow);
      await eventually(
        () => engine!.statuses().readings.state,
        (s) => s === 'connected',
        10_000,
        'mqtt-in connected',
      );
      // Just after a window boundary, so each device's readings land in one window.
      await new Promise((r) => setTimeout(r, 1500 - (Date.now() % 1500) + 20));
      // "hot" is refused by validate; 210.3 moved by less than 0.5 from 210, so deadband drops it.
      await publish(`plant/oven-1/temperature-${t}`, [
        { value: 200 },
        { value: 'hot' },
        { value: 210 },
        { value: 210.3 },
        { value: 220 },
      ]);
      await publish(`plant/oven-2/temperature-${t}`, [{ value: 50 }]);
      const client = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'test' });
      await client.connect();
      try {
        const count = async () =>
          Number(
            (await client.query(`SELECT count(*) AS n FROM "${t}_stream_minutes"`).catch(() => ({ rows: [{ n: 0 }] })))
              .rows[0].n,
          );
        await eventually(count, (n) => n >= 2, 20_000, '2 rows');
        const rows = (
          await client.query(`SELECT device, avg_celsius, readings FROM "${t}_stream_minutes" ORDER BY device`)
        ).rows;
        expect(rows).toEqual([
          { device: 'oven-1', avg_celsius: 210, readings: '3' },
          { device: 'oven-2', avg_celsius: 50, readings: '1' },
        ]);
        await engine.whenIdle(5000);
        const c = engine.counters();
        expect(c.readings).toMatchObject({ out: 6, acked: 6, nacked: 0 });
        expect(c.valid).toMatchObject({ in: 6, out: 5, failed: 1 });
        expect(c.changed).toMatchObject({ in: 5, out: 4, dropped: 1 });
        expect(c['per-minute']).toMatchObject({ in: 4, out: 2, dropped: 0 });
      } finally {
        await client.query(`DROP TABLE IF EXISTS "${t}_stream_minutes"`);
        await client.end();
      }
    },
  );

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
