import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, payloads } from '../../conformance/harness.js';
import { requireService } from '../../support/services.js';
import { type Started, startFlow } from '../../support/start-flow.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
import { type SourceHandle, sources } from '../../support/test-nodes.js';
import { Admin, redisConnection, unique } from './support.js';

describe.runIf(await requireService('redis'))('redis-out', () => {
  let flow: Started | undefined;
  let admin: Admin;
  let proxy: TcpProxy | undefined;

  afterEach(async () => {
    await flow?.engine.stop({ deadlineMs: 2000 });
    await proxy?.down();
    await admin?.close();
    flow = undefined;
    proxy = undefined;
  });

  const src = () => sources.get('src') as SourceHandle;

  function produce(config: Record<string, unknown>, connection = redisConnection(), settings = {}) {
    return startFlow(
      [connection],
      [
        ['src', 'test-source', {}],
        ['out', 'redis-out', { connection: 'redis', ...config }],
      ],
      [['src', 'out']],
      settings,
    );
  }

  it('adds one entry per message: body, message id field and headers (not the envelope)', async () => {
    admin = new Admin();
    const stream = unique('fields');
    admin.track(stream);
    flow = await produce({ stream, idField: 'sluice-id' });
    const ctx = src().ctx;
    await new Promise<void>((resolve) => {
      ctx.ingest(
        { id: 'm-1', topic: 't', payload: { a: 1 }, headers: { site: 'berlin', 'kafka-topic': 'in' }, timestamp: 1 },
        () => resolve(),
      );
    });
    const entries = await admin.entries(stream);
    expect(entries).toHaveLength(1);
    expect(entries[0].fields).toEqual({ body: '{"a":1}', 'sluice-id': 'm-1', site: 'berlin' });
  });

  it('encodes rows as a CSV document with codec csv (the shared codec)', async () => {
    admin = new Admin();
    const stream = unique('csv');
    admin.track(stream);
    flow = await produce({ stream, codec: 'csv', copyHeaders: false });
    const ctx = src().ctx;
    await new Promise<void>((resolve) => {
      ctx.ingest(
        {
          id: 'm-1',
          topic: 't',
          payload: [
            { id: 1, name: 'a' },
            { id: 2, name: 'b' },
          ],
          headers: {},
          timestamp: 1,
        },
        () => resolve(),
      );
    });
    const entries = await admin.entries(stream);
    expect(entries.map((e) => e.fields)).toEqual([{ body: 'id,name\n1,a\n2,b\n' }]);
  });

  it('trims the stream to about maxLen entries', async () => {
    admin = new Admin();
    const stream = unique('capped');
    admin.track(stream);
    flow = await produce({ stream, maxLen: 100 });
    await Promise.all(payloads(2000, 't').map((p) => src().push(p, p.id)));
    await flow.engine.whenIdle();
    const len = await admin.redis.xlen(stream);
    expect(len).toBeGreaterThanOrEqual(100);
    expect(len).toBeLessThan(2000);
  });

  it('publishes on a channel in publish mode (at most once: to the subscribers of the moment)', async () => {
    admin = new Admin();
    const channel = unique('chan');
    const sub = new Redis({ host: '127.0.0.1', port: 6379 });
    const got: string[] = [];
    try {
      await sub.subscribe(channel);
      sub.on('message', (_c: string, m: string) => got.push(m));
      flow = await produce({ mode: 'publish', channel: `${channel}` });
      for (const p of payloads(5, 'x')) await src().push(p, p.id);
      await flow.engine.whenIdle();
      await eventually(
        () => got.length,
        (n) => n === 5,
        10_000,
        '5 published messages',
      );
      expect(got.map((m) => JSON.parse(m).id)).toEqual(['x0', 'x1', 'x2', 'x3', 'x4']);
    } finally {
      sub.disconnect();
    }
  });

  it('retries through an outage and delivers every message once Redis is back', async () => {
    admin = new Admin();
    proxy = new TcpProxy(6379);
    await proxy.up();
    const stream = unique('outage');
    admin.track(stream);
    flow = await produce(
      { stream, attempts: 50, retryDelayMs: 50, retryMaxDelayMs: 200 },
      redisConnection('redis', { port: proxy.port }),
    );
    await proxy.down();
    await eventually(
      () => flow!.states('out').at(-1)?.state,
      (s) => s === 'error' || s === 'connecting',
      10_000,
      'status down',
    );
    const all = payloads(50, 'o');
    const pushed = Promise.all(all.map((p) => src().push(p, p.id)));
    await new Promise((r) => setTimeout(r, 300));
    await proxy.up();
    await pushed;
    await flow.engine.whenIdle();
    expect([...src().outcomes.values()].every((o) => o[0].ok)).toBe(true);
    expect(new Set(await admin.ids(stream)).size).toBe(50);
    expect(flow.states('out').at(-1)?.state).toBe('connected');
  });

  it('fails a message for good after its last attempt while Redis stays down', async () => {
    admin = new Admin();
    proxy = new TcpProxy(6379);
    await proxy.up();
    const stream = unique('down');
    flow = await produce(
      { stream, attempts: 2, retryDelayMs: 20, retryMaxDelayMs: 50 },
      redisConnection('redis', { port: proxy.port }),
    );
    await proxy.down();
    await src().push({ id: 'lost' }, 'lost');
    await flow.engine.whenIdle();
    expect(src().outcomes.get('lost')?.[0].ok).toBe(false);
  });
});
