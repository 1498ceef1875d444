/** amqp-out against RabbitMQ: a direct exchange with one bound queue; unroutable messages are the bad payload. */

import { Admin, amqpConnection, ids, unique } from '../nodes/amqp/support.js';
import { requireService } from '../support/services.js';
import { sinkConformance } from './harness.js';

sinkConformance({
  name: 'amqp-out',
  available: () => requireService('rabbitmq'),
  prepare: async () => {
    const admin = await Admin.open();
    const exchange = unique('out-x');
    const queue = unique('out-q');
    await admin.ch.assertExchange(exchange, 'direct', { durable: true });
    await admin.ch.assertQueue(queue, { durable: true });
    await admin.ch.bindQueue(queue, exchange, 'test');
    return {
      connections: [amqpConnection()],
      node: {
        type: 'amqp-out',
        config: {
          connection: 'rabbit',
          exchange,
          exchangeType: 'direct',
          // The test source's topic is "test"; a payload with `route` goes where no queue is bound.
          routingKey: '{{ $exists(payload.route) ? payload.route : topic }}',
        },
      },
      readBack: async () => ids(await admin.peekAll(queue)),
      badPayload: { id: 'bad', n: -1, text: 'no queue is bound for this', route: 'nowhere' },
      idempotent: false,
      cleanup: () => admin.close([queue], [exchange]),
    };
  },
});
