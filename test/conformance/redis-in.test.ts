/** redis-in against Redis: a stream and a consumer group that outlive each engine, filled with a plain client. */

import { Admin, redisConnection, unique } from '../nodes/redis/support.js';
import { requireService } from '../support/services.js';
import { sourceConformance } from './harness.js';

sourceConformance({
  name: 'redis-in',
  available: () => requireService('redis'),
  prepare: async () => {
    const admin = new Admin();
    const stream = unique('in');
    admin.track(stream);
    return {
      connections: [redisConnection()],
      node: {
        type: 'redis-in',
        config: { connection: 'redis', stream, group: unique('g'), consumer: 'c1', blockMs: 200, batchSize: 200 },
      },
      publish: async (payloads) => {
        await admin.addJson(stream, payloads);
      },
      publishBad: async () => {
        await admin.addRaw(stream, 'body', '{not json');
      },
      cleanup: () => admin.close(),
    };
  },
});
