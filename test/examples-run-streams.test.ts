/** The Redis and NATS examples run as shipped (stream, subject and topic names made unique per run). */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { jetstream } from '@nats-io/jetstream';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { catalog } from '../nodes/catalog.js';
import { Engine } from '../src/runtime/engine.js';
import { eventually } from './conformance/harness.js';
import { readTopic } from './nodes/kafka/support.js';
import { Admin as NatsAdmin } from './nodes/nats/support.js';
import { Admin as RedisAdmin } from './nodes/redis/support.js';
import { kafkaForTests, uniqueTopic } from './support/kafka.js';
import { requireService } from './support/services.js';

const tag = () => `ex${randomBytes(4).toString('hex')}`;
const example = (name: string) => readFileSync(new URL(`../examples/${name}`, import.meta.url), 'utf8');
let engine: Engine | undefined;

afterEach(async () => {
  await engine?.stop({ deadlineMs: 2000 });
  engine = undefined;
});

const kafka = kafkaForTests();
const redisUp = await requireService('redis');
const natsUp = (await requireService('nats')) && (await requireService('mosquitto'));

describe('Redis and NATS examples against real services', () => {
  it.runIf(redisUp && kafka)(
    'redis-to-kafka.json: stream entries become Kafka records, then are acknowledged',
    async () => {
      const t = tag();
      const topic = uniqueTopic('orders');
      await kafka!.createTopic(topic, 1);
      const flow = JSON.parse(
        example('redis-to-kafka.json')
          .replaceAll('"stream": "orders"', `"stream": "${t}-orders"`)
          .replaceAll('"group": "orders-to-kafka"', `"group": "${t}-group"`)
          .replaceAll('"topic": "orders"', `"topic": "${topic}"`)
          .replaceAll('"localhost:9092"', kafka!.brokers.map((b) => JSON.stringify(b)).join(',')),
      );
      const redis = new RedisAdmin();
      try {
        const orders = Array.from({ length: 20 }, (_, i) => ({ id: `o${i}`, customer: `c${i % 3}`, total: i * 10 }));
        await redis.addJson(`${t}-orders`, orders);
        engine = new Engine({ catalog });
        await engine.start(flow);
        const records = await eventually(
          () => readTopic(kafka!.brokers, topic),
          (r) => r.length >= 20,
          30_000,
          '20 records',
        );
        const first = JSON.parse(records.find((r) => JSON.parse(r.payload ?? '{}').order === 'o1')?.payload ?? '{}');
        expect(first).toMatchObject({ order: 'o1', customer: 'c1', total: 10 });
        expect(first.entry).toMatch(/^\d+-\d+$/);
        await engine.whenIdle();
        await eventually(
          () => redis.pending(`${t}-orders`, `${t}-group`),
          (n) => n === 0,
          10_000,
          'all acknowledged',
        );
        expect(engine.counters().orders).toMatchObject({ out: 20, acked: 20, nacked: 0 });
      } finally {
        await redis.close();
      }
    },
  );

  it.runIf(natsUp)('nats-to-mqtt.json: JetStream messages become MQTT publishes on the matching topics', async () => {
    const t = tag();
    const stream = `${t.toUpperCase()}_SENSORS`;
    const flow = JSON.parse(
      example('nats-to-mqtt.json')
        .replaceAll('"SENSORS"', `"${stream}"`)
        .replaceAll('"sensors.>"', `"${t}.>"`)
        .replaceAll('"sensors-to-mqtt"', `"${t}-durable"`),
    );
    const nats = await NatsAdmin.open();
    nats.track(stream);
    const client = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { protocolVersion: 5 });
    const got: Array<{ topic: string; body: unknown }> = [];
    client.on('message', (topic, body) => got.push({ topic, body: JSON.parse(body.toString()) }));
    try {
      await client.subscribeAsync(`${t}/#`, { qos: 1 });
      engine = new Engine({ catalog });
      await engine.start(flow);
      // The node creates the stream: publish once it exists.
      await eventually(
        async () => (await nats.jsm.streams.info(stream).catch(() => undefined)) !== undefined,
        Boolean,
        10_000,
        'the stream',
      );
      const js = jetstream(nats.nc);
      await js.publish(`${t}.north.boiler-1`, JSON.stringify({ temp: 71.5 }));
      await js.publish(`${t}.south.pump-2`, JSON.stringify({ temp: 40 }));
      await eventually(
        () => got.length,
        (n) => n >= 2,
        20_000,
        '2 MQTT messages',
      );
      expect(got.sort((a, b) => a.topic.localeCompare(b.topic))).toEqual([
        { topic: `${t}/north/boiler-1`, body: { temp: 71.5 } },
        { topic: `${t}/south/pump-2`, body: { temp: 40 } },
      ]);
      await engine.whenIdle();
      expect(engine.counters().readings).toMatchObject({ out: 2, acked: 2, nacked: 0 });
    } finally {
      await client.endAsync();
      await nats.close();
    }
  });
});
