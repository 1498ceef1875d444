/**
 * http-in against real HTTP clients: each payload is POSTed by a client that retries until it sees a 2xx (as webhook
 * senders do), so a message the flow did not deliver (503, or no answer while the runtime is down) is sent again.
 * The listener's port is fixed per fixture so that a restarted engine serves the same address.
 */
import { randomBytes } from 'node:crypto';
import { freePort, send, sendUntilOk } from '../nodes/http/support.js';
import { sourceConformance } from './harness.js';

sourceConformance({
  name: 'http-in',
  available: () => true,
  prepare: async () => {
    const port = await freePort();
    const path = `/conf-${randomBytes(4).toString('hex')}`;
    const url = `http://127.0.0.1:${port}${path}`;
    const stop = new AbortController();
    const senders: Promise<unknown>[] = [];
    /** At most this many requests in flight, like a webhook sender's worker pool. */
    const CONCURRENCY = 32;
    return {
      connections: [{ id: 'web', kind: 'http-server', config: { host: '127.0.0.1', port } }],
      node: { type: 'http-in', config: { connection: 'web', path, resendAfterSeconds: 0 } },
      publish: async (payloads) => {
        const queue = payloads.slice();
        for (let i = 0; i < Math.min(CONCURRENCY, queue.length); i++) {
          senders.push(
            (async () => {
              for (let p = queue.shift(); p; p = queue.shift()) {
                await sendUntilOk(url, {
                  body: JSON.stringify(p),
                  headers: { 'content-type': 'application/json', 'x-request-id': p.id },
                  delayMs: 50,
                  signal: stop.signal,
                }).catch(() => undefined);
              }
            })(),
          );
        }
      },
      publishBad: async () => {
        const a = await send(url, { body: '{not json' });
        if (a.status !== 400) throw new Error(`expected 400 for a bad body, got ${a.status}`);
      },
      cleanup: async () => {
        stop.abort();
        await Promise.all(senders);
      },
    };
  },
});
