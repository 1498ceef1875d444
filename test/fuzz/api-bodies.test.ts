/**
 * Fuzzing the admin API bodies through inject(): any method, route, content type and body gets a reply in the
 * documented error shape (or a success), never a 500, a stack trace or a hang, and the server keeps serving.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorBody } from '../../src/server/protocol.js';
import { CLIENT_HEADER } from '../../src/server/security.js';
import { startServer, type TestServer } from '../server/support.js';
import { flowLike, flowText, nastyString, STACK_TRACE } from './arbitraries.js';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});
afterAll(async () => {
  await t.close();
});

const routes = fc.constantFrom(
  ['POST', '/api/flows'],
  ['PUT', '/api/flows/fuzz'],
  ['DELETE', '/api/flows/fuzz'],
  ['POST', '/api/validate'],
  ['POST', '/api/import'],
  ['POST', '/api/try'],
  ['POST', '/api/flows/fuzz/deploy'],
  ['POST', '/api/runtime/stop'],
  ['GET', '/api/flows/fuzz'],
  ['GET', '/api/runtime/debug/n'],
  ['POST', '/api/nowhere'],
  ['PATCH', '/api/flows/fuzz'],
);

/** Bodies a client might send to those routes: right-shaped with wrong parts, wrong-shaped, or not JSON at all. */
const body = fc.oneof(
  flowLike.map((flow) => JSON.stringify({ flow })),
  fc.tuple(flowLike, fc.oneof(fc.integer(), nastyString)).map(([flow, revision]) => JSON.stringify({ flow, revision })),
  fc
    .tuple(flowLike, nastyString, fc.jsonValue({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 2 }))
    .map(([flow, nodeId, payload, headers]) => JSON.stringify({ flow, nodeId, message: { payload, headers } })),
  flowText,
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.constant(''),
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/jso',
  '',
  undefined,
);

describe('admin API body fuzz', () => {
  it('every reply is a success or the documented error shape; never a 500 or a stack trace', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(routes, body, contentType, async ([method, url], payload, type) => {
        const headers: Record<string, string> = { [CLIENT_HEADER]: 'fuzz' };
        if (type !== undefined) headers['content-type'] = type;
        const res = await t.app.inject({ method: method as 'POST', url, headers, payload });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        expect(res.statusCode, `${method} ${url}`).toBeLessThan(500);
        expect(res.body).not.toMatch(STACK_TRACE);
        if (res.statusCode >= 400) {
          const reply = res.json() as ApiErrorBody;
          expect(Object.keys(reply)).toEqual(['error']);
          expect(typeof reply.error.code).toBe('string');
          expect(typeof reply.error.message).toBe('string');
          expect(reply.error.message.length).toBeGreaterThan(0);
        }
      }),
      // A fixed seed: the same 300 requests every run (a failure names its seed and path to replay it).
      { numRuns: 300, seed: 20261206 },
    );
    // The fuzz reached past the front door: some requests were refused for their content, not only their envelope.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
    await t.app.inject({ method: 'POST', url: '/api/runtime/stop', headers: { [CLIENT_HEADER]: 'fuzz' } });
    const health = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(health.statusCode).toBe(200);
    // And a well-formed request after the fuzz is still served.
    const valid = await t.app.inject({
      method: 'POST',
      url: '/api/validate',
      headers: { [CLIENT_HEADER]: 'fuzz', 'content-type': 'application/json' },
      payload: JSON.stringify({ flow: { format: 'sluice/flow@1', id: 'fuzz-ok', nodes: [], edges: [] } }),
    });
    expect(valid.statusCode).toBe(200);
  });

  it('any method and path under /api gets the documented shape when it fails', async () => {
    const segment = fc.oneof(
      fc.constantFrom('flows', 'runtime', 'debug', 'deploy', 'stop', 'ws', 'try', 'import', '%', '%E0%A4', '..', '%00'),
      fc.string({ maxLength: 10 }).map(encodeURIComponent),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        fc.string({ maxLength: 20 }),
        async (method, segments, query) => {
          const url = `/api/${segments.join('/')}?${encodeURIComponent(query)}`;
          const res = await t.app.inject({ method: method as 'GET', url, headers: { [CLIENT_HEADER]: 'fuzz' } });
          expect(res.statusCode, `${method} ${url}`).toBeLessThan(500);
          expect(res.body).not.toMatch(STACK_TRACE);
          if (res.statusCode >= 400) {
            const reply = res.json() as ApiErrorBody;
            expect(Object.keys(reply), `${method} ${url}`).toEqual(['error']);
            expect(typeof reply.error.message).toBe('string');
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
