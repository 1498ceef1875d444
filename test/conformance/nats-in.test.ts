/** nats-in against NATS JetStream: a stream and a durable consumer that outlive each engine. */

import { Admin, natsConnection, unique } from '../nodes/nats/support.js';
import { requireService } from '../support/services.js';
import { sourceConformance } from './harness.js';

sourceConformance({
  name: 'nats-in',
  available: () => requireService('nats'),
  prepare: async () => {
    const admin = await Admin.open();
    const stream = await admin.stream(unique('IN'));
    return {
      connections: [natsConnection()],
      node: {
        type: 'nats-in',
        // A short ack wait: after the crash-like stop, what was in the client comes again soon.
        config: { connection: 'nats', stream, durable: unique('d'), ackWaitMs: 2000 },
      },
      publish: (payloads) => admin.publishJson(`${stream}.data`, payloads),
      publishBad: () => admin.publishRaw(`${stream}.data`, '{not json'),
      cleanup: () => admin.close(),
    };
  },
});
