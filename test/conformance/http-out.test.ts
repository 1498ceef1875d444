/**
 * http-out against a real node:http server started by the test: it records every request and answers 200, or 422
 * for a payload that asks to be refused (the bad payload: a 4xx is a deterministic failure).
 */
import { TestServer } from '../nodes/http/support.js';
import { sinkConformance } from './harness.js';

sinkConformance({
  name: 'http-out',
  available: () => true,
  prepare: async () => {
    const server = await TestServer.start((r) => (r.body.includes('"refuse":true') ? { status: 422 } : undefined));
    return {
      connections: [],
      node: { type: 'http-out', config: { url: `${server.url}/in`, method: 'POST', retryDelayMs: 50 } },
      readBack: async () =>
        server.received
          .filter((r) => !r.body.includes('"refuse":true'))
          .map((r) => (JSON.parse(r.body) as { id: string }).id),
      badPayload: { id: 'bad', n: -1, text: 'refused by the server', refuse: true },
      idempotent: false,
      cleanup: () => server.close(),
    };
  },
});
