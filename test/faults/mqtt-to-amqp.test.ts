/**
 * Fault suite, MQTT -> RabbitMQ: the broker unreachable (a TCP proxy between Sluice and RabbitMQ goes down, so the
 * machine's shared RabbitMQ keeps running), then back. An oracle consumes the queue directly; at least once:
 * nothing the MQTT broker acknowledged to the publisher may be missing.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateMosquitto } from '../support/fault-mosquitto.js';
import { requireService } from '../support/services.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { printTable, size, sleep, tmpDir } from './harness.js';
import { AmqpOracle } from './oracles.js';
import { runScenario } from './runner.js';

const available = await requireService('rabbitmq');
const COUNT = size(1_500, 24_000);
const RATE = size(300, 800);
const SPAN_MS = (COUNT / RATE) * 1000;

describe.runIf(available)('fault suite: MQTT -> RabbitMQ', { timeout: size(240_000, 1_200_000) }, () => {
  let dir: string;
  let broker: PrivateMosquitto;
  const names: string[] = [];
  const oracles: AmqpOracle[] = [];

  beforeAll(async () => {
    dir = tmpDir('amqp');
    broker = await PrivateMosquitto.start(join(dir, 'mosquitto'));
  });

  afterAll(async () => {
    for (const o of oracles) await o.close();
    await broker?.down();
    printTable('MQTT -> RabbitMQ', names);
  });

  const outageMs = size(3_000, 30_000);
  it(`RabbitMQ unreachable for ${outageMs / 1000} s (proxy down), then back`, async () => {
    const proxy = new TcpProxy(5672);
    await proxy.up();
    const oracle = new AmqpOracle(`sluice-faults-${randomUUID().slice(0, 8)}`);
    await oracle.open();
    oracles.push(oracle);
    const name = `RabbitMQ down ${outageMs / 1000} s`;
    names.push(name);
    try {
      const outcome = await runScenario({
        name,
        dir,
        broker,
        count: COUNT,
        ratePerSecond: RATE,
        sink: {
          node: {
            type: 'amqp-out',
            config: { connection: 'rabbit', exchange: '', routingKey: oracle.queue, codec: 'json' },
          },
          connections: [{ id: 'rabbit', kind: 'amqp', config: { host: '127.0.0.1', port: proxy.port } }],
          rows: () => oracle.rows(),
          tally: () => oracle.seen,
        },
        during: async (ctx) => {
          await sleep(SPAN_MS / 3);
          await proxy.down();
          await sleep(outageMs);
          await proxy.up();
          ctx.endFault();
        },
      });
      expect(outcome.messages).toBe(COUNT);
      expect(outcome.lost, `${name}: lost of ${outcome.messages}`).toBe(0);
    } finally {
      await proxy.down();
    }
  });
});
