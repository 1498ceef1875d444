import { connect } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, payloads } from '../../conformance/harness.js';
import { requireService } from '../../support/services.js';
import { type Started, startFlow } from '../../support/start-flow.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
import { type SinkHandle, type SourceHandle, sinks, sources } from '../../support/test-nodes.js';
import { Admin, NATS_URL, natsConnection, unique } from './support.js';

describe.runIf(await requireService('nats'))('nats-out', () => {
  let flow: Started | undefined;
  let admin: Admin | undefined;
  let proxy: TcpProxy | undefined;

  afterEach(async () => {
    await flow?.engine.stop({ deadlineMs: 2000 });
    await proxy?.down();
    await admin?.close();
    flow = undefined;
    admin = undefined;
    proxy = undefined;
  });

  const src = () => sources.get('src') as SourceHandle;

  function produce(
    config: Record<string, unknown>,
    connection = natsConnection(),
    settings: Record<string, unknown> = {},
    extra: Array<[string, string, Record<string, unknown>]> = [],
  ) {
    return startFlow(
      [connection],
      [['src', 'test-source', {}], ['out', 'nats-out', { connection: 'nats', ...config }], ...extra],
      [['src', 'out']],
      settings,
    );
  }

  function ingest(msg: { id: string; payload: unknown; headers?: Record<string, string>; topic?: string }) {
    return new Promise<boolean>((resolve) => {
      src().ctx.ingest({ topic: 't', headers: {}, timestamp: 1, ...msg }, (o) => resolve(o.ok));
    });
  }

  it('publishes to JetStream with the message id as Nats-Msg-Id and the headers (not the envelope)', async () => {
    admin = await Admin.open();
    const stream = await admin.stream(unique('HDR'));
    flow = await produce({ subject: `${stream}.{{payload.kind}}` });
    expect(await ingest({ id: 'm-1', payload: { kind: 'a' }, headers: { site: 'berlin', 'mqtt-topic': 'x' } })).toBe(
      true,
    );
    const got = await admin.messages(stream);
    expect(got).toHaveLength(1);
    expect(got[0].subject).toBe(`${stream}.a`);
    expect(got[0].headers).toEqual({ site: 'berlin', 'Nats-Msg-Id': 'm-1' });
  });

  it('encodes rows as a CSV document with codec csv (the shared codec)', async () => {
    admin = await Admin.open();
    const stream = await admin.stream(unique('CSV'));
    flow = await produce({ subject: `${stream}.rows`, codec: 'csv' });
    expect(
      await ingest({
        id: 'm-1',
        payload: [
          { id: 1, name: 'a' },
          { id: 2, name: 'b' },
        ],
      }),
    ).toBe(true);
    const got = await admin.messages(stream);
    expect(got.map((m) => m.data)).toEqual(['id,name\n1,a\n2,b\n']);
  });

  it('stores a message published twice with the same id once (JetStream de-duplication)', async () => {
    admin = await Admin.open();
    const stream = await admin.stream(unique('DUP'));
    flow = await produce({ subject: `${stream}.x` });
    expect(await ingest({ id: 'same', payload: { n: 1 } })).toBe(true);
    expect(await ingest({ id: 'same', payload: { n: 1 } })).toBe(true);
    expect(await ingest({ id: 'other', payload: { n: 2 } })).toBe(true);
    expect((await admin.jsm.streams.info(stream)).state.messages).toBe(2);
  });

  it('a subject no stream captures fails at once with a clear reason', async () => {
    flow = await produce({ subject: `${unique('none')}.x`, attempts: 5 }, natsConnection(), { errorRoute: 'dead' }, [
      ['dead', 'test-sink', { failFlagged: false }],
    ]);
    expect(await ingest({ id: 'lost', payload: {} })).toBe(true);
    const dead = sinks.get('dead') as SinkHandle;
    expect(dead.delivered).toHaveLength(1);
    expect(dead.delivered[0].headers['sluice-error']).toMatch(/no JetStream stream captures subject/);
    expect(flow.engine.counters().out?.retries ?? 0).toBe(0);
  });

  it('core mode publishes to the subscribers of the moment', async () => {
    const subject = `${unique('core')}.x`;
    const nc = await connect({ servers: NATS_URL });
    const got: string[] = [];
    const sub = nc.subscribe(subject, {
      callback: (_e, m) => {
        got.push(m.string());
      },
    });
    await nc.flush();
    try {
      flow = await produce({ mode: 'core', subject });
      for (const p of payloads(5, 'x')) await src().push(p, p.id);
      await flow.engine.whenIdle();
      await eventually(
        () => got.length,
        (n) => n === 5,
        10_000,
        'five messages',
      );
      expect(got.map((m) => JSON.parse(m).id)).toEqual(['x0', 'x1', 'x2', 'x3', 'x4']);
    } finally {
      sub.unsubscribe();
      await nc.close();
    }
  });

  it('retries through an outage and delivers every message once NATS is back', async () => {
    admin = await Admin.open();
    const stream = await admin.stream(unique('OUT'));
    proxy = new TcpProxy(4222);
    await proxy.up();
    flow = await produce(
      { subject: `${stream}.x`, attempts: 50, retryDelayMs: 50, retryMaxDelayMs: 300, ackTimeoutMs: 1000 },
      natsConnection('nats', { servers: [`nats://127.0.0.1:${proxy.port}`] }),
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
});
