/** http-out through the engine, against a real node:http server that answers slowly, fails, or refuses. */

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { retryAfterMs } from '../../../src/connectors/http/request.js';
import { Engine } from '../../../src/runtime/engine.js';
import { selfSigned } from '../../support/self-signed.js';
import {
  loadTestRuntime,
  type SinkHandle,
  type SourceHandle,
  sinks,
  sources,
  testCatalog,
} from '../../support/test-nodes.js';
import { TestServer } from './support.js';

const engines: Engine[] = [];
const servers: Array<{ close(): Promise<void> | void }> = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop({ deadlineMs: 500 });
  for (const s of servers.splice(0)) await s.close();
});

const env = (value: string) => {
  const name = `SLUICE_TEST_HTTP_OUT_${randomBytes(4).toString('hex').toUpperCase()}`;
  process.env[name] = value;
  return `\${env:${name}}`;
};

async function server(behaviour?: ConstructorParameters<typeof Object>[0]): Promise<TestServer> {
  const s = await TestServer.start(behaviour as never);
  servers.push(s);
  return s;
}

async function startFlow(config: Record<string, unknown>, withResponse = false, errorRoute = true) {
  const e = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
  engines.push(e);
  const tag = randomBytes(3).toString('hex');
  const src = `src-${tag}`;
  const dead = `dead-${tag}`;
  const resp = `resp-${tag}`;
  await e.start({
    format: 'sluice/flow@1',
    settings: errorRoute ? { errorRoute: dead } : {},
    nodes: [
      { id: src, type: 'test-source', config: {} },
      { id: 'out', type: 'http-out', config: { retryDelayMs: 20, retryMaxDelayMs: 2000, ...config } },
      ...(errorRoute ? [{ id: dead, type: 'test-sink', config: { failFlagged: false } }] : []),
      ...(withResponse ? [{ id: resp, type: 'test-sink', config: { failFlagged: false } }] : []),
    ],
    edges: [
      { source: src, sourcePort: 'out', target: 'out', targetPort: 'in' },
      ...(withResponse ? [{ source: 'out', sourcePort: 'response', target: resp, targetPort: 'in' }] : []),
    ],
  });
  return {
    e,
    src: sources.get(src) as SourceHandle,
    dead: (errorRoute ? sinks.get(dead) : { delivered: [] }) as SinkHandle,
    resp: withResponse ? (sinks.get(resp) as SinkHandle) : undefined,
  };
}

describe('http-out', () => {
  it('sends each message to its templated URL with the codec, headers, bearer token and id header', async () => {
    const s = await server();
    const { e, src } = await startFlow({
      url: `${s.url}/orders/{{$encodeUrlComponent(payload.region)}}`,
      method: 'PUT',
      headers: { 'x-api-version': '2' },
      auth: 'bearer',
      token: env('tok-1'),
      idHeader: 'idempotency-key',
    });
    await src.push({ region: 'eu west', n: 1 }, 'm1');
    await src.push({ region: 'us', n: 2 }, 'm2');
    await e.whenIdle();
    expect(src.outcomes.get('m1')).toEqual([{ ok: true }]);
    expect(s.received.map((r) => [r.method, r.url])).toEqual([
      ['PUT', '/orders/eu%20west'],
      ['PUT', '/orders/us'],
    ]);
    expect(s.received[0].headers).toMatchObject({
      'content-type': 'application/json',
      'x-api-version': '2',
      authorization: 'Bearer tok-1',
      'idempotency-key': 'm1',
    });
    expect(s.bodies()).toEqual([
      { region: 'eu west', n: 1 },
      { region: 'us', n: 2 },
    ]);
  });

  it('sends form and text bodies, basic authentication, and GET without a body', async () => {
    const s = await server();
    const form = await startFlow({
      url: `${s.url}/f`,
      codec: 'form',
      auth: 'basic',
      username: 'ann',
      password: env('pw'),
    });
    await form.src.push({ a: 1, b: ['x', 'y z'] }, 'f1');
    await form.e.whenIdle();
    expect(s.received[0].body).toBe('a=1&b=x&b=y+z');
    expect(s.received[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(s.received[0].headers.authorization).toBe(`Basic ${Buffer.from('ann:pw').toString('base64')}`);
    await form.e.stop();

    const get = await startFlow({ url: `${s.url}/g/{{payload}}`, method: 'GET', codec: 'text' });
    await get.src.push('abc', 'g1');
    await get.e.whenIdle();
    expect(s.received[1]).toMatchObject({ method: 'GET', url: '/g/abc', body: '' });
    expect(get.src.outcomes.get('g1')).toEqual([{ ok: true }]);
    await get.e.stop();

    // A Content-Type among the headers, in any case, replaces the codec's rather than being sent twice.
    const typed = await startFlow({ url: `${s.url}/t`, headers: { 'Content-Type': 'application/vnd.api+json' } });
    await typed.src.push({ a: 1 }, 't1');
    await typed.e.whenIdle();
    expect(s.received[2].headers['content-type']).toBe('application/vnd.api+json');
  });

  it('retries 503 (waiting out Retry-After), 429 and a slow answer (timeout), then delivers', async () => {
    const s = await server((_r: unknown, n: number) => {
      if (n === 1) return { status: 503, headers: { 'retry-after': '1' } };
      if (n === 2) return { status: 429 };
      if (n === 3) return { delayMs: 1000 };
      return undefined;
    });
    const { e, src } = await startFlow({ url: `${s.url}/r`, timeoutMs: 200, attempts: 6 });
    const started = Date.now();
    await src.push({ n: 1 }, 'r1');
    await e.whenIdle();
    expect(src.outcomes.get('r1')).toEqual([{ ok: true }]);
    expect(s.received.length).toBeGreaterThanOrEqual(4);
    // The Retry-After of 1 s was waited out (a floor, not a speed measurement).
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('fails a 4xx answer at once as deterministic, to the error route with the response as reason', async () => {
    const s = await server((r: { url: string }) =>
      r.url === '/bad' ? { status: 422, body: '{"error":"field n is required"}' } : undefined,
    );
    const { e, src, dead } = await startFlow({ url: `${s.url}{{payload.path}}` });
    await src.push({ path: '/bad' }, 'b1');
    await src.push({ path: '/good' }, 'g1');
    await e.whenIdle();
    expect(s.received.filter((r) => r.url === '/bad')).toHaveLength(1);
    expect(dead.delivered.map((m) => m.id)).toEqual(['b1']);
    expect(dead.delivered[0].headers['sluice-error']).toMatch(/answered 422: \{"error":"field n is required"\}/);
    expect(src.outcomes.get('b1')).toEqual([{ ok: true }]);
    expect(src.outcomes.get('g1')).toEqual([{ ok: true }]);
  });

  it('after the last attempt a 5xx or an unreachable server fails the message as transient: nacked, for the source to redeliver', async () => {
    const s = await server(() => ({ status: 500, body: 'down' }));
    const { e, src, dead } = await startFlow({ url: `${s.url}/x`, attempts: 3 }, false, false);
    await src.push({ n: 1 }, 'x1');
    await e.whenIdle();
    expect(s.received).toHaveLength(3);
    const outcome = src.outcomes.get('x1')?.[0];
    expect(outcome?.ok).toBe(false);
    expect(dead.delivered).toHaveLength(0);

    const gone = await startFlow({ url: 'http://127.0.0.1:1/nothing', attempts: 2 }, false, false);
    await gone.src.push({ n: 1 }, 'y1');
    await gone.e.whenIdle();
    expect(gone.src.outcomes.get('y1')?.[0].ok).toBe(false);
  });

  it('emits the answer on the response port', async () => {
    const s = await server((r: { url: string }) => ({ body: JSON.stringify({ order: r.url.slice(1), price: 9.5 }) }));
    const { e, src, resp } = await startFlow(
      { url: `${s.url}/{{payload.id}}`, method: 'GET', response: true, responseCodec: 'json' },
      true,
    );
    await src.push({ id: 'o-7' }, 'q1');
    await e.whenIdle();
    expect(resp?.delivered).toHaveLength(1);
    const m = resp!.delivered[0];
    expect(m.id).toBe('q1');
    expect(m.payload).toEqual({ order: 'o-7', price: 9.5 });
    expect(m.headers['http-status']).toBe('200');
    expect(m.headers['content-type']).toBe('application/json');
  });

  it('presents a client certificate (mutual TLS) and trusts the given CA', async () => {
    const srv = selfSigned('localhost', 'IP:127.0.0.1');
    const client = selfSigned('sluice-client', 'DNS:sluice-client');
    if (!srv || !client) throw new Error('openssl is needed for the TLS test');
    const seen: string[] = [];
    const https = createHttpsServer(
      { cert: srv.cert, key: srv.key, ca: client.cert, requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        seen.push(String((req.socket as TLSSocket).getPeerCertificate().subject?.CN ?? ''));
        res.end('{}');
      },
    );
    https.listen(0, '127.0.0.1');
    await once(https, 'listening');
    servers.push({ close: () => new Promise<void>((r) => https.close(() => r())) });
    const url = `https://127.0.0.1:${(https.address() as AddressInfo).port}/m`;
    const { e, src } = await startFlow({ url, tls: true, ca: srv.cert, cert: client.cert, key: env(client.key) });
    await src.push({ n: 1 }, 't1');
    await e.whenIdle();
    expect(src.outcomes.get('t1')).toEqual([{ ok: true }]);
    expect(seen).toEqual(['sluice-client']);

    // Without the client certificate the server refuses the handshake: a transient failure after the attempts.
    const anon = await startFlow({ url, tls: true, ca: srv.cert, attempts: 2 }, false, false);
    await anon.src.push({ n: 1 }, 't2');
    await anon.e.whenIdle();
    expect(anon.src.outcomes.get('t2')?.[0].ok).toBe(false);
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
