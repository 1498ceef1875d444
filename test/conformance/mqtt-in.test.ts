import {
  clearSession,
  connectPlain,
  MOSQUITTO,
  publishJson,
  uniqueBase,
  uniqueClientId,
} from '../nodes/mqtt-support/mqtt.js';
import { requireService } from '../support/services.js';
import { sourceConformance } from './harness.js';

sourceConformance({
  name: 'mqtt-in',
  available: () => requireService('mosquitto'),
  async prepare() {
    const base = uniqueBase('conf-in');
    // Fixed per fixture: the restart check needs the second engine to resume the first one's session.
    const clientId = uniqueClientId('conf-in');
    const publisher = await connectPlain();
    return {
      connections: [{ id: 'broker', kind: 'mqtt', config: { url: MOSQUITTO, protocolVersion: '5' } }],
      node: {
        type: 'mqtt-in',
        config: { connection: 'broker', topics: [`${base}/+/data`], qos: 1, codec: 'json', clientId },
      },
      publish: (payloads) => publishJson(publisher, (_p, i) => `${base}/d${i % 4}/data`, payloads),
      publishBad: async () => {
        await publisher.publishAsync(`${base}/bad/data`, '{not json', { qos: 1 });
      },
      async cleanup() {
        await publisher.endAsync();
        await clearSession(clientId);
      },
    };
  },
});
