import { collector, MOSQUITTO, uniqueBase } from '../nodes/mqtt-support/mqtt.js';
import { requireService } from '../support/services.js';
import { sinkConformance } from './harness.js';

sinkConformance({
  name: 'mqtt-out',
  available: () => requireService('mosquitto'),
  async prepare() {
    const base = uniqueBase('conf-out');
    // A subscriber started before the flow reads back what the sink published.
    const reader = await collector(`${base}/#`);
    return {
      connections: [{ id: 'broker', kind: 'mqtt', config: { url: MOSQUITTO, protocolVersion: '5' } }],
      node: { type: 'mqtt-out', config: { connection: 'broker', topic: `${base}/{{payload.id}}`, qos: 1 } },
      async readBack() {
        await reader.settled();
        return reader.ids();
      },
      // No `id` field: the topic template cannot be resolved.
      badPayload: { text: 'no id here' },
      idempotent: false,
      cleanup: () => reader.close(),
    };
  },
});
