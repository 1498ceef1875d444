/** redis-out against Redis: XADD to a fresh stream; a key that holds a plain string (WRONGTYPE) is the bad payload. */

import { Admin, redisConnection, unique } from '../nodes/redis/support.js';
import { requireService } from '../support/services.js';
import { sinkConformance } from './harness.js';

sinkConformance({
  name: 'redis-out',
  available: () => requireService('redis'),
  prepare: async () => {
    const admin = new Admin();
    const stream = unique('out');
    const notAStream = unique('string');
    admin.track(stream, notAStream);
    await admin.redis.set(notAStream, 'not a stream');
    return {
      connections: [redisConnection()],
      node: {
        type: 'redis-out',
        config: {
          connection: 'redis',
          // A payload with `route` goes to a key that holds a string: Redis answers WRONGTYPE.
          stream: `{{ $exists(payload.route) ? "${notAStream}" : "${stream}" }}`,
        },
      },
      readBack: () => admin.ids(stream),
      badPayload: { id: 'bad', n: -1, text: 'the key holds a string', route: 'string' },
      idempotent: false,
      cleanup: () => admin.close(),
    };
  },
});
