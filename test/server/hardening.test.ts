/**
 * Issue 10, faults 5, 7 and 8 (server side): the token before any body, no body where none is expected, nesting
 * bounded by a scan, JSON only where JSON is expected, cross-site requests and header-less state changes refused,
 * weak tokens refused, and one error shape everywhere.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ServerConfigError } from '../../src/server/app.js';
import type { ApiErrorBody } from '../../src/server/protocol.js';
import { CLIENT_HEADER } from '../../src/server/security.js';
import { call, flowDoc, startServer, type TestServer } from './support.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const TOKEN = 'hardening-token-5f0c1d9e2b7a4c38';
const auth = { authorization: `Bearer ${TOKEN}` };
const flow = flowDoc('f', [{ id: 'dbg', type: 'debug', config: {} }]);
/** 2M levels of nesting: ~0.9 s of parse and walk each before the fix. */
const deep = (levels = 2_000_000) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

describe('fault 5: unauthenticated CPU exhaustion', () => {
  it('checks the token before reading a body, also on unrouted paths', async () => {
    t = await startServer({ token: TOKEN });
    const body = deep();
    for (const url of ['/api/no-such-route', '/api/flows', '/elsewhere']) {
      const res = await call<ApiErrorBody>(t.app, 'POST', url, body);
      // Never "too-deep" or "malformed-json": the body was not looked at.
      expect(res.status, url).toBe(url === '/elsewhere' ? 404 : 401);
      expect(res.body.error.code, url).toBe(url === '/elsewhere' ? 'not-found' : 'unauthorized');
    }
  });

  it('deep unauthenticated bodies do not delay an authenticated request', async () => {
    t = await startServer({ token: TOKEN });
    const base = t.server.url;
    const health = () => fetch(`${base}/api/health`, { headers: auth }).then((r) => r.status);
    await health(); // warm up
    /** How long an authenticated request takes while eight unauthenticated bodies arrive. */
    const delayDuring = async (body: string) => {
      const attacks = Array.from({ length: 8 }, () =>
        fetch(`${base}/api/nowhere`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [CLIENT_HEADER]: 'x' },
          body,
        }).then((r) => r.status),
      );
      const during = await timed(health);
      expect(await Promise.all(attacks)).toEqual(Array(8).fill(401));
      expect(during.value).toBe(200);
      return during.ms;
    };
    // The control: bodies of the same size that cost nothing to parse, so only transfer is measured.
    const flat = deep();
    const control = await delayDuring(JSON.stringify('x'.repeat(flat.length - 2)));
    const attack = await delayDuring(flat);
    // Before the fix the eight deep bodies cost ~7 s of CPU ahead of this request; now a generous bound holds.
    expect(attack).toBeLessThan(control * 2 + 1000);
  });

  it('bounds nesting with a scan before parsing, and says where', async () => {
    t = await startServer({ token: TOKEN });
    const res = await call<ApiErrorBody>(t.app, 'POST', '/api/validate', `{"flow":${deep()}}`, auth);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('too-deep');
    // `{` opens level 1 at column 1, the 100th `[` (column 108) opens level 101: the scanner stops right there.
    expect(res.body.error.message).toBe('the body nests deeper than 100 levels at line 1, column 108');
    // A nested string of brackets is not nesting.
    const text = JSON.stringify({ flow: { ...flow, description: '['.repeat(500) } });
    expect((await call(t.app, 'POST', '/api/validate', text, auth)).status).toBe(200);
  });

  it('refuses bodies where none is expected, and still takes an empty {} there', async () => {
    t = await startServer();
    const big = JSON.stringify({ padding: 'x'.repeat(4096) });
    const tooBig = await call<ApiErrorBody>(t.app, 'POST', '/api/runtime/stop', big);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.code).toBe('body-not-expected');
    expect(tooBig.body.error.message).toBe('POST /api/runtime/stop takes no body');
    const some = await call<ApiErrorBody>(t.app, 'POST', '/api/runtime/stop', { now: true });
    expect(some.status).toBe(400);
    expect(some.body.error.code).toBe('body-not-expected');
    const del = await call<ApiErrorBody>(t.app, 'DELETE', '/api/flows/f', deep(1000));
    expect(del.status).toBe(413);
    expect((await call(t.app, 'POST', '/api/runtime/stop', {})).status).toBe(200);
    expect((await call(t.app, 'POST', '/api/runtime/stop')).status).toBe(200);
  });
});

describe('fault 7: CSRF defences beyond Origin', () => {
  it('answers 415 for text/plain (and any non-JSON type) where JSON is expected', async () => {
    t = await startServer();
    await call(t.app, 'POST', '/api/flows', { flow });
    for (const [method, url] of [
      ['POST', '/api/flows/f/deploy'],
      ['POST', '/api/runtime/stop'],
      ['POST', '/api/flows'],
      ['PUT', '/api/flows/f'],
      ['POST', '/api/validate'],
      ['POST', '/api/try'],
    ] as const) {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const res = await call<ApiErrorBody>(t.app, method, url, '{}', { 'content-type': type });
        expect(res.status, `${method} ${url} ${type}`).toBe(415);
        expect(res.body.error.code).toBe('unsupported-media-type');
        expect(res.body.error.message).toMatch(/send JSON \(Content-Type: application\/json\)/);
      }
    }
    // Import is the one route that also takes raw flow text.
    const text = JSON.stringify(flowDoc('g', []));
    expect((await call(t.app, 'POST', '/api/import', text, { 'content-type': 'text/plain' })).status).toBe(201);
  });

  it('refuses Sec-Fetch-Site: cross-site, even without an Origin', async () => {
    t = await startServer();
    for (const [method, url] of [
      ['POST', '/api/runtime/stop'],
      ['GET', '/api/flows'],
    ] as const) {
      const res = await call<ApiErrorBody>(t.app, method, url, undefined, { 'sec-fetch-site': 'cross-site' });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('cross-site');
    }
    for (const site of ['same-origin', 'none']) {
      expect((await call(t.app, 'GET', '/api/flows', undefined, { 'sec-fetch-site': site })).status).toBe(200);
    }
    // Following a link to the editor from another site still opens it (the page holds no data).
    expect((await call(t.app, 'GET', '/', undefined, { 'sec-fetch-site': 'cross-site' })).status).toBe(200);
  });

  it(`requires the ${CLIENT_HEADER} header on state-changing routes`, async () => {
    t = await startServer();
    for (const [method, url] of [
      ['POST', '/api/runtime/stop'],
      ['POST', '/api/flows'],
      ['DELETE', '/api/flows/f'],
    ] as const) {
      const res = await t.app.inject({ method, url });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json().error).toMatchObject({ code: 'missing-client-header' });
      expect(res.json().error.message).toContain(CLIENT_HEADER);
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/flows' })).statusCode).toBe(200);
    const ok = await t.app.inject({ method: 'POST', url: '/api/runtime/stop', headers: { [CLIENT_HEADER]: 'cli' } });
    expect(ok.statusCode).toBe(200);
  });
});

describe('fault 8: weak tokens and the error shape', () => {
  it('refuses whitespace and low-entropy tokens with a clear message', async () => {
    for (const token of [
      ' '.repeat(16),
      'abc def ghi jkl mno',
      '\tsecret-token-0123456',
      'a'.repeat(32),
      'abababababababababab',
    ]) {
      const err = await startServer({ token }).then(
        (s) => s.close().then(() => undefined),
        (e: unknown) => e,
      );
      expect(err, JSON.stringify(token)).toBeInstanceOf(ServerConfigError);
      expect(String(err)).toMatch(/token/);
    }
    await expect(startServer({ token: ' '.repeat(16) })).rejects.toThrow(/whitespace/);
    await expect(startServer({ token: 'a'.repeat(32) })).rejects.toThrow(/too easy to guess/);
    // `openssl rand -hex 16` and `openssl rand -base64 24` kinds pass.
    for (const token of ['9f86d081884c7d659a2feaa0c55ad015', 'q3V7x/9kLm+Pz2Rt8Yw1bN4sHc6Ju0Fd']) {
      t = await startServer({ token });
      await t.close();
      t = undefined;
    }
  });

  it('every API error, including the framework own ones, has the documented shape', async () => {
    t = await startServer();
    const cases: Array<[string, string, Record<string, string>?, string?]> = [
      ['GET', '/api/flows/%E0%A4%A'],
      ['GET', '/api/flows/%'],
      ['POST', '/api/flows', { 'content-type': 'application/json; charset=nope' }, '{}'],
      ['POST', '/api/flows', { 'content-type': 'application/json' }, '{"flow":'],
      ['POST', '/api/flows', { 'content-type': '' }, '{}'],
      ['POST', '/api/flows', { 'content-length': '5' }, '{}'],
      ['PATCH', '/api/flows/f'],
      ['OPTIONS', '/api/flows'],
      ['GET', '/api/ws'],
      ['GET', '/api/runtime/debug/%00'],
    ];
    for (const [method, url, headers, payload] of cases) {
      const res = await t.app.inject({
        method: method as 'GET',
        url,
        headers: { [CLIENT_HEADER]: 'x', ...headers },
        payload,
      });
      const what = `${method} ${url} ${JSON.stringify(headers ?? {})}`;
      expect(res.statusCode, what).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, what).toBeLessThan(500);
      const body = res.json() as ApiErrorBody;
      expect(Object.keys(body), what).toEqual(['error']);
      expect(typeof body.error.code, what).toBe('string');
      expect(typeof body.error.message, what).toBe('string');
      expect(res.body, what).not.toMatch(/statusCode|FST_|at .*\.js:\d+/);
    }
  });
});
