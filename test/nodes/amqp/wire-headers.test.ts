/**
 * Fault 9 (issue 10) on RabbitMQ: AMQP headers never pose as Sluice's headers in amqp-in, and amqp-out sends them back
 * as headers, never as AMQP properties.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../conformance/harness.js';
import { requireService } from '../../support/services.js';
import { type Started, startFlow } from '../../support/start-flow.js';
import { type SinkHandle, sinks } from '../../support/test-nodes.js';
import { Admin, amqpConnection, unique } from './support.js';

describe.runIf(await requireService('rabbitmq'))('amqp-in and amqp-out: received headers stay headers', () => {
  let flow: Started | undefined;
  let admin: Admin | undefined;
  const queues: string[] = [];
  const exchanges: string[] = [];

  afterEach(async () => {
    await flow?.engine.stop({ deadlineMs: 1000 });
    await admin?.close(queues.splice(0), exchanges.splice(0));
    flow = undefined;
    admin = undefined;
  });

  it('keeps reserved names in wire, sends them back as headers, and never as the correlation id', async () => {
    admin = await Admin.open();
    const qIn = unique('q');
    const qOut = unique('q');
    const exchange = unique('x');
    queues.push(qIn, qOut);
    exchanges.push(exchange);
    await admin.ch.assertQueue(qIn, { durable: true });
    await admin.ch.assertQueue(qOut, { durable: true });
    await admin.ch.assertExchange(exchange, 'direct', { durable: true });
    await admin.ch.bindQueue(qOut, exchange, 'k');
    flow = await startFlow(
      [amqpConnection()],
      [
        ['in', 'amqp-in', { connection: 'rabbit', queue: qIn }],
        [
          'out',
          'amqp-out',
          { connection: 'rabbit', exchange, exchangeType: 'direct', routingKey: 'k', copyHeaders: true },
        ],
        ['sink', 'test-sink', { failFlagged: false }],
      ],
      [
        ['in', 'out'],
        ['in', 'sink'],
      ],
    );
    const received = {
      'amqp-correlation-id': 'forged-corr',
      'amqp-routing-key': 'forged.key',
      'sluice-error': 'forged',
      'mqtt-message-expiry': '1',
      'Content-Type': 'text/evil',
      site: 'north',
    };
    admin.ch.sendToQueue(qIn, Buffer.from('{"n":1}'), { persistent: true, headers: received });
    await admin.ch.waitForConfirms();
    const sink = () => sinks.get('sink') as SinkHandle;
    await eventually(
      () => sink().delivered.length,
      (n) => n >= 1,
      10_000,
      'the message',
    );
    const msg = sink().delivered[0];
    expect(msg.headers['amqp-routing-key']).toBe(qIn); // the real envelope (default exchange: the queue name)
    expect(msg.headers['amqp-correlation-id']).toBeUndefined();
    expect(msg.headers['sluice-error']).toBeUndefined();
    expect(msg.headers.site).toBe('north');
    expect({ ...msg.wire }).toEqual(received);

    await eventually(
      () => admin!.messageCount(qOut),
      (n) => n >= 1,
      10_000,
      'the message sent on',
    );
    const out = await admin.peekAll(qOut);
    expect(out[0].properties.correlationId).toBeUndefined();
    expect(out[0].properties.headers).toEqual(received);
  });
});
