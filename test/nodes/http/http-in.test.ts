/** http-in through the engine, against real requests from an undici client. */
import { createHmac, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/runtime/engine.js';
import { selfSigned } from '../../support/self-signed.js';
import { loadTestRuntime, type SinkHandle, sinks, testCatalog } from '../../support/test-nodes.js';
import { freePort, send } from './support.js';

const engines: Engine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop({ deadlineMs: 500 });
});

const secretEnv = `SLUICE_TEST_HTTP_${randomBytes(4).toString('hex').toUpperCase()}`;
process.env[secretEnv] = 'top-secret';

async function startFlow(
  hook: Record<string, unknown>,
  o: {
    port?: number;
    sink?: Record<string, unknown>;
    errorRoute?: boolean;
    basePath?: string;
    between?: { type: string; config: Record<string, unknown> };
    settings?: Record<string, unknown>;
    listener?: Record<string, unknown>;
  } = {},
): Promise<{ e: Engine; url: string; sink: SinkHandle; dead?: SinkHandle }> {
  const port = o.port ?? (await freePort());
  const e = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
  engines.push(e);
  const tag = randomBytes(3).toString('hex');
  const sinkId = `sink-${tag}`;
  const deadId = `dead-${tag}`;
  const nodes = [
    { id: 'hook', type: 'http-in', config: { connection: 'web', ...hook } },
    { id: sinkId, type: 'test-sink', config: { failKind: 'transient', ...o.sink } },
    ...(o.between ? [{ id: 'mid', ...o.between }] : []),
    ...(o.errorRoute ? [{ id: deadId, type: 'test-sink', config: { failFlagged: false } }] : []),
  ];
  const edges = o.between
    ? [
        { source: 'hook', sourcePort: 'out', target: 'mid', targetPort: 'in' },
        { source: 'mid', sourcePort: 'out', target: sinkId, targetPort: 'in' },
      ]
    : [{ source: 'hook', sourcePort: 'out', target: sinkId, targetPort: 'in' }];
  await e.start({
    format: 'sluice/flow@1',
    settings: { ...(o.errorRoute ? { errorRoute: deadId } : {}), ...o.settings },
    connections: [
      {
        id: 'web',
        kind: 'http-server',
        config: { host: '127.0.0.1', port, basePath: o.basePath ?? '', ...o.listener },
      },
    ],
    nodes,
    edges,
  });
  return {
    e,
    url: `${o.listener?.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    sink: sinks.get(sinkId) as SinkHandle,
    dead: o.errorRoute ? (sinks.get(deadId) as SinkHandle) : undefined,
  };
}

describe('http-in', () => {
  it('answers 200 after delivery, with the message built from the request', async () => {
    const { url, sink } = await startFlow({ method: 'POST', path: '/orders/:region/*' });
    const a = await send(`${url}/orders/eu-west/a/b%20c?x=1&y=2`, {
      body: JSON.stringify({ n: 1 }),
      headers: {
        'content-type': 'application/json',
        'x-request-id': 'req-1',
        'x-custom': 'yes',
        'http-path': '/posing',
        authorization: 'Bearer leak',
      },
    });
    expect(a.status).toBe(200);
    expect(a.json()).toEqual({ id: 'req-1' });
    expect(sink.delivered).toHaveLength(1);
    const m = sink.delivered[0];
    expect(m.id).toBe('req-1');
    expect(m.payload).toEqual({ n: 1 });
    expect(m.topic).toBe('/orders/eu-west/a/b%20c');
    expect(m.headers).toMatchObject({
      'http-method': 'POST',
      'http-path': '/orders/eu-west/a/b%20c',
      'http-query': 'x=1&y=2',
      'http-param-region': 'eu-west',
      'http-param-rest': 'a/b c',
      'content-type': 'application/json',
      'x-custom': 'yes',
    });
    expect(m.headers.authorization).toBeUndefined();
    expect(m.wire?.authorization).toBeUndefined();
    expect(m.wire?.['x-custom']).toBe('yes');
    // A received header cannot pose as one http-in derives: it stays in wire only.
    expect(m.wire?.['http-path']).toBe('/posing');
  });

  it('decodes text, bytes, form and CSV bodies, and gives a GET its query', async () => {
    const port = await freePort();
    const text = await startFlow({ path: '/text', codec: 'text' }, { port });
    const a = await send(`${text.url}/text`, { body: 'héllo' });
    expect(a.status).toBe(200);
    expect(text.sink.delivered[0].payload).toBe('héllo');
    await text.e.stop();

    const bytes = await startFlow({ path: '/bytes', codec: 'bytes' }, { port });
    await send(`${bytes.url}/bytes`, { body: Buffer.from([0, 255, 1]) });
    expect(Buffer.from(bytes.sink.delivered[0].payload as Uint8Array)).toEqual(Buffer.from([0, 255, 1]));
    await bytes.e.stop();

    const form = await startFlow({ path: '/form', codec: 'form' }, { port });
    await send(`${form.url}/form`, { body: 'a=1&b=x%20y&a=2' });
    expect({ ...(form.sink.delivered[0].payload as object) }).toEqual({ a: ['1', '2'], b: 'x y' });
    await form.e.stop();

    const csv = await startFlow({ path: '/csv', codec: 'csv' }, { port });
    await send(`${csv.url}/csv`, { body: 'id;n\nA;1\nB;2\n'.replaceAll(';', ',') });
    expect(csv.sink.delivered[0].payload).toEqual([
      { id: 'A', n: '1' },
      { id: 'B', n: '2' },
    ]);
    await csv.e.stop();

    const rows = await startFlow({ path: '/rows', codec: 'csv', csvHeader: false, csvDelimiter: ';' }, { port });
    await send(`${rows.url}/rows`, { body: 'A;1\nB;2' });
    expect(rows.sink.delivered[0].payload).toEqual([
      ['A', '1'],
      ['B', '2'],
    ]);
    await rows.e.stop();

    const get = await startFlow({ method: 'GET', path: '/q' }, { port });
    const g = await send(`${get.url}/q?site=a&site=b&v=1`, { method: 'GET' });
    expect(g.status).toBe(200);
    expect({ ...(get.sink.delivered[0].payload as object) }).toEqual({ site: ['a', 'b'], v: '1' });
  });

  it('answers 400 for a body that does not decode, after the error route took it', async () => {
    const { url, sink, dead } = await startFlow({ path: '/in' }, { errorRoute: true });
    const a = await send(`${url}/in`, { body: '{not json' });
    expect(a.status).toBe(400);
    expect((a.json() as { error: string }).error).toMatch(/not valid JSON/);
    expect(sink.delivered).toHaveLength(0);
    expect(dead?.delivered.map((m) => m.payload)).toEqual(['{not json']);
    expect(dead?.delivered[0].headers['sluice-error']).toMatch(/not valid JSON/);
    const csv = await send(`${url}/in`, { body: '{"ok":1}' });
    expect(csv.status).toBe(200);
  });

  it('refuses a body over the size limit with 413, by Content-Length and while reading', async () => {
    const { url, sink } = await startFlow({ path: '/small', codec: 'text', maxBodyBytes: 10 });
    expect((await send(`${url}/small`, { body: 'x'.repeat(11) })).status).toBe(413);
    // No Content-Length: a streamed body is counted as it arrives.
    const { Readable } = await import('node:stream');
    const { request } = await import('undici');
    const streamed = await request(`${url}/small`, {
      method: 'POST',
      body: Readable.from([Buffer.from('x'.repeat(8)), Buffer.from('x'.repeat(8))]),
    }).catch((err: Error) => err);
    if (!(streamed instanceof Error)) {
      expect(streamed.statusCode).toBe(413);
      await streamed.body.dump();
    }
    expect((await send(`${url}/small`, { body: 'x'.repeat(10) })).status).toBe(200);
    expect(sink.delivered.map((m) => m.payload)).toEqual(['x'.repeat(10)]);
  });

  it('checks a bearer token', async () => {
    const { url, sink } = await startFlow({ path: '/t', auth: 'bearer', token: `\${env:${secretEnv}}` });
    const none = await send(`${url}/t`, { body: '1' });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect((await send(`${url}/t`, { body: '1', headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await send(`${url}/t`, { body: '1', headers: { authorization: 'Bearer top-secret' } })).status).toBe(200);
    expect(sink.delivered).toHaveLength(1);
  });

  it('checks GitHub, Stripe and custom HMAC signatures of the body', async () => {
    const port = await freePort();
    const body = '{"action":"opened"}';
    const gh = await startFlow({ path: '/gh', auth: 'github', secret: `\${env:${secretEnv}}` }, { port });
    const sig = `sha256=${createHmac('sha256', 'top-secret').update(body).digest('hex')}`;
    expect((await send(`${gh.url}/gh`, { body, headers: { 'x-hub-signature-256': sig } })).status).toBe(200);
    expect((await send(`${gh.url}/gh`, { body: `${body} `, headers: { 'x-hub-signature-256': sig } })).status).toBe(
      401,
    );
    expect((await send(`${gh.url}/gh`, { body })).status).toBe(401);
    expect(gh.sink.delivered).toHaveLength(1);
    expect(gh.sink.delivered[0].wire?.['x-hub-signature-256']).toBeUndefined();
    await gh.e.stop();

    const st = await startFlow({ path: '/st', auth: 'stripe', secret: `\${env:${secretEnv}}` }, { port });
    const stripeSig = (t: number) =>
      `t=${t},v1=${createHmac('sha256', 'top-secret').update(`${t}.${body}`).digest('hex')}`;
    const now = Math.floor(Date.now() / 1000);
    expect((await send(`${st.url}/st`, { body, headers: { 'stripe-signature': stripeSig(now) } })).status).toBe(200);
    const old = await send(`${st.url}/st`, { body, headers: { 'stripe-signature': stripeSig(now - 3600) } });
    expect(old.status).toBe(401);
    expect(old.text).toMatch(/timestamp/);
    expect(st.sink.delivered).toHaveLength(1);
    await st.e.stop();

    const custom = await startFlow(
      {
        path: '/c',
        auth: 'hmac',
        secret: `\${env:${secretEnv}}`,
        signatureHeader: 'x-sig',
        signaturePrefix: 'v1=',
        signatureAlgorithm: 'sha512',
        signatureFormat: 'base64',
      },
      { port },
    );
    const s512 = `v1=${createHmac('sha512', 'top-secret').update(body).digest('base64')}`;
    expect((await send(`${custom.url}/c`, { body, headers: { 'x-sig': s512 } })).status).toBe(200);
    expect((await send(`${custom.url}/c`, { body, headers: { 'x-sig': 'v1=AAAA' } })).status).toBe(401);
  });

  it('answers 503 with Retry-After when the flow fails on the message, 200 when it is dropped on purpose', async () => {
    const failing = await startFlow({ path: '/f', resendAfterSeconds: 7 });
    const a = await send(`${failing.url}/f`, { body: '{"fail":true}' });
    expect(a.status).toBe(503);
    expect(a.headers['retry-after']).toBe('7');
    expect((await send(`${failing.url}/f`, { body: '{"fail":false}' })).status).toBe(200);
    await failing.e.stop();

    const filtered = await startFlow(
      { path: '/d' },
      { between: { type: 'filter', config: { condition: 'payload.keep = true' } } },
    );
    expect((await send(`${filtered.url}/d`, { body: '{"keep":false}' })).status).toBe(200);
    expect((await send(`${filtered.url}/d`, { body: '{"keep":true}' })).status).toBe(200);
    expect(filtered.sink.delivered.map((m) => m.payload)).toEqual([{ keep: true }]);
  });

  it('answers 503 when the flow does not settle in time (slow sink)', async () => {
    const { url, sink } = await startFlow({ path: '/slow', responseTimeoutMs: 100 }, { sink: { delayMs: 1500 } });
    const a = await send(`${url}/slow`, { body: '{}' });
    expect(a.status).toBe(503);
    expect(a.headers['retry-after']).toBe('5');
    expect(sink.delivered).toHaveLength(0);
  });

  it('answers 202 at once in the at-most-once mode, before delivery', async () => {
    const { url, sink, e } = await startFlow({ path: '/fast', respond: 'at-once' }, { sink: { delayMs: 300 } });
    const a = await send(`${url}/fast`, { body: '{"a":1}' });
    expect(a.status).toBe(202);
    expect(sink.delivered).toHaveLength(0);
    await e.whenIdle();
    expect(sink.delivered).toHaveLength(1);
    expect((await send(`${url}/fast`, { body: '{oops' })).status).toBe(400);
  });

  it('serves under the base path, answers 404 and 405 for the rest, and answers 503 while stopping', async () => {
    const { url, e } = await startFlow({ path: '/gh', method: 'PUT' }, { basePath: '/hooks', sink: { delayMs: 300 } });
    expect((await send(`${url}/hooks/gh`, { method: 'PUT', body: '{}' })).status).toBe(200);
    expect((await send(`${url}/gh`, { method: 'PUT', body: '{}' })).status).toBe(404);
    const wrong = await send(`${url}/hooks/gh`, { method: 'POST', body: '{}' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('PUT');
    // A request in flight when the flow stops without draining is answered 503 (nacked), not left hanging.
    const pending = send(`${url}/hooks/gh`, { method: 'PUT', body: '{}' });
    await new Promise((r) => setTimeout(r, 50));
    await e.stop({ deadlineMs: 0 });
    expect((await pending).status).toBe(503);
  });

  it('shares one port between flows, refuses a route served twice, and says when the port is taken', async () => {
    const port = await freePort();
    const a = await startFlow({ path: '/a' }, { port });
    const b = await startFlow({ path: '/b' }, { port });
    expect((await send(`${a.url}/a`, { body: '1' })).status).toBe(200);
    expect((await send(`${a.url}/b`, { body: '2' })).status).toBe(200);
    expect(a.sink.delivered.map((m) => m.payload)).toEqual([1]);
    expect(b.sink.delivered.map((m) => m.payload)).toEqual([2]);
    await expect(startFlow({ path: '/a' }, { port })).rejects.toThrow(
      /POST \/a on port \d+ is already served by node "hook"/,
    );
    await a.e.stop();
    await b.e.stop();

    const other = createServer();
    other.listen(port, '127.0.0.1');
    await once(other, 'listening');
    try {
      await expect(startFlow({ path: '/a' }, { port })).rejects.toThrow(/in use by another program/);
    } finally {
      await new Promise((r) => other.close(r));
    }
  });

  it('serves HTTPS with the listener certificate and key (references)', async () => {
    const cert = selfSigned('localhost', 'IP:127.0.0.1');
    if (!cert) throw new Error('openssl is needed for the TLS test');
    const keyEnv = `SLUICE_TEST_HTTP_KEY_${randomBytes(4).toString('hex').toUpperCase()}`;
    process.env[keyEnv] = cert.key;
    const { url, sink } = await startFlow(
      { path: '/tls' },
      { listener: { tls: true, cert: cert.cert, key: `\${env:${keyEnv}}` } },
    );
    const agent = new Agent({ connect: { ca: cert.cert } });
    try {
      const res = await request(`${url}/tls`, { method: 'POST', body: '{"s":1}', dispatcher: agent });
      await res.body.dump();
      expect(res.statusCode).toBe(200);
      expect(sink.delivered.map((m) => m.payload)).toEqual([{ s: 1 }]);
    } finally {
      await agent.close();
    }
  });

  it('holds new requests while the in-flight window is full, and answers them all after delivery', async () => {
    const { url, sink } = await startFlow({ path: '/bp' }, { sink: { delayMs: 200 }, settings: { maxInFlight: 2 } });
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => send(`${url}/bp`, { body: `{"i":${i}}` })));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect(sink.delivered).toHaveLength(8);
    expect(sink.maxPending).toBeLessThanOrEqual(2);
  });
});
