/** amqp-in against RabbitMQ: a durable queue that outlives each engine, filled through the default exchange. */

import { Admin, amqpConnection, unique } from '../nodes/amqp/support.js';
import { requireService } from '../support/services.js';
import { sourceConformance } from './harness.js';

sourceConformance({
  name: 'amqp-in',
  available: () => requireService('rabbitmq'),
  prepare: async () => {
    const admin = await Admin.open();
    const queue = unique('in-q');
    // Declared here too (same settings as the node's) so that nothing published before the node starts is lost.
    await admin.ch.assertQueue(queue, { durable: true });
    return {
      connections: [amqpConnection()],
      node: { type: 'amqp-in', config: { connection: 'rabbit', queue, prefetch: 200 } },
      publish: (payloads) =>
        admin.sendToQueue(
          queue,
          payloads.map((p) => JSON.stringify(p)),
          { messageIds: payloads.map((p) => p.id) },
        ),
      publishBad: () => admin.sendToQueue(queue, ['{not json']),
      cleanup: () => admin.close([queue]),
    };
  },
});
