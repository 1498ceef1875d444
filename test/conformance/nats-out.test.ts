/** nats-out against NATS JetStream: a fresh stream; a subject no stream captures is the bad payload. */

import { Admin, natsConnection, unique } from '../nodes/nats/support.js';
import { requireService } from '../support/services.js';
import { sinkConformance } from './harness.js';

sinkConformance({
  name: 'nats-out',
  available: () => requireService('nats'),
  prepare: async () => {
    const admin = await Admin.open();
    const stream = await admin.stream(unique('OUT'));
    return {
      connections: [natsConnection()],
      node: {
        type: 'nats-out',
        config: {
          connection: 'nats',
          // A payload with `route` goes to a subject no stream captures: "no responders".
          subject: `{{ $exists(payload.route) ? "${unique('nowhere')}.x" : "${stream}.data" }}`,
        },
      },
      readBack: () => admin.ids(stream),
      badPayload: { id: 'bad', n: -1, text: 'no stream captures this', route: 'nowhere' },
      // Nats-Msg-Id: a message published again within the duplicate window is stored once.
      idempotent: true,
      cleanup: () => admin.close(),
    };
  },
});
