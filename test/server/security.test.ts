import { afterEach, describe, expect, it } from 'vitest';
import { ServerConfigError } from '../../src/server/app.js';
import type { ApiErrorBody, SavedFlow } from '../../src/server/protocol.js';
import { call, edge, flowDoc, startServer, type TestServer } from './support.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const TOKEN = 'test-token-0123456789abcdef';
const flow = flowDoc('f', [{ id: 'dbg', type: 'debug', config: {} }]);

describe('binding and authentication', () => {
  it('refuses a non-loopback address without a token, and a short token', async () => {
    await expect(startServer({ host: '0.0.0.0' })).rejects.toThrow(ServerConfigError);
    await expect(startServer({ host: '0.0.0.0' })).rejects.toThrow(
      /refusing to listen on 0.0.0.0 without authentication/,
    );
    await expect(startServer({ token: 'short' })).rejects.toThrow(/too short/);
  });

  it('with a token, every API call needs it; the editor page does not', async () => {
    t = await startServer({ host: '0.0.0.0', token: TOKEN });
    const none = await call<ApiErrorBody>(t.app, 'GET', '/api/flows');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="sluice"');
    expect(none.body.error.code).toBe('unauthorized');
    expect(
      (await call(t.app, 'GET', '/api/flows', undefined, { authorization: 'Bearer wrong-token-0123456789' })).status,
    ).toBe(401);
    expect((await call(t.app, 'GET', '/api/health')).status).toBe(401);
    // The WebSocket's query token is not accepted on plain API calls (URLs end up in logs).
    expect((await call(t.app, 'GET', `/api/flows?token=${TOKEN}`)).status).toBe(401);
    // Percent-encoding does not route around the check.
    expect((await call(t.app, 'GET', '/%61pi/flows')).status).not.toBe(200);

    const ok = await call(t.app, 'GET', '/api/flows', undefined, { authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual([]);
    const created = await call<SavedFlow>(t.app, 'POST', '/api/flows', { flow }, { authorization: `Bearer ${TOKEN}` });
    expect(created.status).toBe(201);
    expect((await call(t.app, 'GET', '/')).status).toBe(200);
  });
});

describe('Host and Origin', () => {
  it('refuses a foreign Host (DNS rebinding) and accepts loopback names', async () => {
    t = await startServer();
    const bad = await call<ApiErrorBody>(t.app, 'GET', '/api/health', undefined, { host: 'evil.example:1880' });
    expect(bad.status).toBe(403);
    expect(bad.body.error.code).toBe('bad-host');
    expect((await call(t.app, 'GET', '/', undefined, { host: 'evil.example' })).status).toBe(403);
    for (const host of ['localhost:1880', '127.0.0.1:9', '[::1]:1880']) {
      expect((await call(t.app, 'GET', '/api/health', undefined, { host })).status, host).toBe(200);
    }
  });

  it('refuses a cross-site Origin, accepts the same origin and configured ones', async () => {
    t = await startServer({ allowedOrigins: ['http://localhost:5173'] });
    const bad = await call<ApiErrorBody>(t.app, 'POST', '/api/flows', { flow }, { origin: 'https://evil.example' });
    expect(bad.status).toBe(403);
    expect(bad.body.error.code).toBe('bad-origin');
    expect((await call(t.app, 'GET', '/api/flows')).body).toEqual([]);
    const host = { host: '127.0.0.1:4000' };
    expect(
      (await call(t.app, 'GET', '/api/flows', undefined, { ...host, origin: 'http://127.0.0.1:5000' })).status,
    ).toBe(403);
    expect(
      (await call(t.app, 'GET', '/api/flows', undefined, { ...host, origin: 'http://127.0.0.1:4000' })).status,
    ).toBe(200);
    expect((await call(t.app, 'GET', '/api/flows', undefined, { origin: 'http://localhost:5173' })).status).toBe(200);
    expect((await call(t.app, 'GET', '/api/flows', undefined, { origin: 'null' })).status).toBe(403);
  });
});

describe('request bodies', () => {
  it('refuses __proto__ and constructor keys anywhere, naming where', async () => {
    t = await startServer();
    const proto = await call<ApiErrorBody>(
      t.app,
      'POST',
      '/api/flows',
      '{"flow": {"nodes": [], "__proto__": {"polluted": true}}}',
    );
    expect(proto.status).toBe(400);
    expect(proto.body.error).toMatchObject({
      code: 'forbidden-key',
      message: 'the key "__proto__" is not allowed (at /flow/__proto__)',
    });
    const ctor = await call<ApiErrorBody>(
      t.app,
      'POST',
      '/api/validate',
      '{"flow": {"nodes": [{"config": {"constructor": {"prototype": {"x": 1}}}}]}}',
    );
    expect(ctor.status).toBe(400);
    expect(ctor.body.error.message).toMatch(
      /"constructor" is not allowed \(at \/flow\/nodes\/0\/config\/constructor\)/,
    );
    const asText = await call<ApiErrorBody>(t.app, 'POST', '/api/import', '{"__proto__": {}}', {
      'content-type': 'text/plain',
    });
    expect(asText.status).toBe(400);
    expect(asText.body.error.code).toBe('forbidden-key');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a body that breaks the schema gets a 400 naming the field', async () => {
    t = await startServer();
    await call(t.app, 'POST', '/api/flows', { flow });
    const wrongType = await call<ApiErrorBody>(t.app, 'PUT', '/api/flows/f', { flow, revision: '1' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.code).toBe('bad-request');
    expect(wrongType.body.error.message).toBe('invalid request: body/revision must be integer');
    expect(wrongType.body.error.problems).toEqual([expect.objectContaining({ path: '/revision' })]);

    const unknown = await call<ApiErrorBody>(t.app, 'PUT', '/api/flows/f', { flow, revision: 1, force: true });
    expect(unknown.body.error.message).toMatch(/body\/force is not a known field/);
    const missing = await call<ApiErrorBody>(t.app, 'POST', '/api/flows', { flw: flow });
    expect(missing.body.error.message).toMatch(/body\/flow is required/);
    const nodes = await call<ApiErrorBody>(t.app, 'POST', '/api/flows', { flow: { ...flow, nodes: [1] } });
    expect(nodes.body.error.message).toMatch(/body\/flow\/nodes\/0 must be object/);
    const badParam = await call<ApiErrorBody>(t.app, 'GET', '/api/flows/..%2Fetc');
    expect(badParam.status).toBe(400);
    expect(badParam.body.error.message).toMatch(/params\/id/);
  });

  it('limits body size and keeps serving', async () => {
    t = await startServer();
    const huge = JSON.stringify({ flow: { ...flow, description: 'x'.repeat(6 * 1024 * 1024) } });
    const res = await call<ApiErrorBody>(t.app, 'POST', '/api/flows', huge);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('body-too-large');
    expect((await call(t.app, 'GET', '/api/health')).status).toBe(200);
  });

  it('unknown API routes are JSON 404s', async () => {
    t = await startServer();
    const res = await call<ApiErrorBody>(t.app, 'GET', '/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not-found');
    expect((await call(t.app, 'DELETE', '/api/flows')).status).toBe(404);
  });

  it('every response says nosniff and carries the CSP', async () => {
    t = await startServer();
    const res = await call(t.app, 'GET', '/api/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toMatch(/^default-src 'self'/);
    expect(res.headers['cache-control']).toBe('no-store');
  });
});

describe('edges', () => {
  it('an edge to nowhere in a try request is a clean 400, not a crash', async () => {
    t = await startServer();
    const bad = flowDoc('x', [{ id: 'm', type: 'transform', config: {} }], [edge('m', 'ghost')]);
    const res = await call<ApiErrorBody>(t.app, 'POST', '/api/try', {
      flow: bad,
      nodeId: 'm',
      message: { payload: 1 },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.problems?.[0]).toMatchObject({ code: 'dangling-edge', path: '/edges/0/target' });
  });
});
