import { connect } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, payloads, type TestPayload } from '../../conformance/harness.js';
import { requireService } from '../../support/services.js';
import { type Started, startFlow } from '../../support/start-flow.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
import { type SinkHandle, sinks } from '../../support/test-nodes.js';
import { Admin, NATS_URL, natsConnection, unique } from './support.js';

describe.runIf(await requireService('nats'))('nats-in', () => {
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

  const sink = (id = 'sink') => sinks.get(id) as SinkHandle;
  const ids = (s: SinkHandle) => s.delivered.map((m) => (m.payload as TestPayload).id);

  function consume(
    config: Record<string, unknown>,
    sinkConfig: Record<string, unknown> = { failFlagged: false },
    settings = {},
    connection = natsConnection(),
  ) {
    return startFlow(
      [connection],
      [
        ['in', 'nats-in', { connection: 'nats', ...config }],
        ['sink', 'test-sink', sinkConfig],
      ],
      [['in', 'sink']],
      settings,
    );
  }

  it('maps subject, headers and sequence into the message; the id is stable per stream sequence', async () => {
    admin = await Admin.open();
    const stream = await admin.stream(unique('MAP'));
    const h = (await import('@nats-io/transport-node')).headers();
    h.set('site', 'berlin');
    h.set('Nats-Msg-Id', 'pub-1');
    const { jetstream } = await import('@nats-io/jetstream');
    await jetstream(admin.nc).publish(`${stream}.a`, '{"t":1}', { headers: h });
    flow = await consume({ stream, durable: unique('d') });
    await eventually(
      () => sink().delivered.length,
      (n) => n === 1,
      10_000,
      'one message',
    );
    const m = sink().delivered[0];
    expect(m.id).toBe(`${stream}/1`);
    expect(m.topic).toBe(`${stream}.a`);
    expect(m.payload).toEqual({ t: 1 });
    expect(m.headers).toMatchObject({
      site: 'berlin',
      'nats-subject': `${stream}.a`,
      'nats-stream': stream,
      'nats-sequence': '1',
      'nats-deliveries': '1',
      'nats-msg-id': 'pub-1',
    });
  });

  it('decodes a CSV document into row objects with codec csv (the shared codec)', async () => {
    admin = await Admin.open();
    const stream = await admin.stream(unique('CSV'));
    const { jetstream } = await import('@nats-io/jetstream');
    await jetstream(admin.nc).publish(`${stream}.rows`, 'id,name\n1,a\n2,b\n');
    flow = await consume({ stream, durable: unique('d'), codec: 'csv' });
    await eventually(
      () => sink().delivered.length,
      (n) => n === 1,
      10_000,
      'one message',
    );
    expect(sink().delivered[0].payload).toEqual([
      { id: '1', name: 'a' },
      { id: '2', name: 'b' },
    ]);
  });

  it('creates the stream if asked, filters by subject, and starts a new consumer at new messages with deliverPolicy new', async () => {
    admin = await Admin.open();
    const stream = unique('MADE');
    admin.track(stream);
    flow = await consume({
      stream,
      createStream: true,
      subject: `${stream}.>`,
      deliverPolicy: 'new',
      durable: unique('d'),
    });
    await eventually(
      async () => (await admin!.jsm.streams.info(stream).catch(() => undefined)) !== undefined,
      Boolean,
      10_000,
      'the stream',
    );
    await eventually(
      async () => (await admin!.jsm.consumers.list(stream).next()).length,
      (n) => n === 1,
      10_000,
      'the consumer',
    );
    await admin.publishJson(`${stream}.x`, payloads(3, 'n'));
    await eventually(
      () => ids(sink()).length,
      (n) => n >= 3,
      10_000,
      'three messages',
    );
    expect(ids(sink())).toEqual(['n0', 'n1', 'n2']);
  });

  it('naks a failed message with a delay: it comes again and the others are acked', async () => {
    admin = await Admin.open();
    const stream = await admin.stream(unique('NAK'));
    await admin.publishJson(`${stream}.a`, [{ id: 'ok1' }, { id: 'flaky', fail: true }, { id: 'ok2' }]);
    const durable = unique('d');
    flow = await consume({ stream, durable, nakDelayMs: 100 }, { failFlagged: true });
    await eventually(
      () => sink().failed,
      (n) => n >= 3,
      15_000,
      'three failed attempts',
    );
    expect(ids(sink()).sort()).toEqual(['ok1', 'ok2']);
    const info = await admin.jsm.consumers.info(stream, durable);
    expect(info.num_ack_pending).toBe(1);
    expect(info.num_redelivered).toBeGreaterThanOrEqual(1);
  });

  it("sets max_ack_pending to the flow's in-flight limit and keeps within it", async () => {
    admin = await Admin.open();
    const stream = await admin.stream(unique('BP'));
    await admin.publishJson(`${stream}.a`, payloads(300, 'b'));
    const durable = unique('d');
    flow = await consume({ stream, durable }, { failFlagged: false, delayMs: 5 }, { maxInFlight: 25 });
    await eventually(
      () => new Set(ids(sink())).size,
      (n) => n >= 300,
      30_000,
      '300 messages',
    );
    expect(sink().maxPending).toBeLessThanOrEqual(25);
    expect((await admin.jsm.consumers.info(stream, durable)).config.max_ack_pending).toBe(25);
  });

  it('core mode: a plain subscription in a queue group (at most once)', async () => {
    const subject = `${unique('core')}.temp`;
    flow = await consume({ mode: 'core', subject, queue: 'q' });
    await eventually(() => flow!.states('in').some((s) => s.state === 'connected'), Boolean, 10_000, 'connected');
    const nc = await connect({ servers: NATS_URL });
    try {
      // The subscription is made once the connection is up; publish until it is seen.
      await eventually(
        async () => {
          nc.publish(subject, JSON.stringify({ id: 'probe' }));
          await nc.flush();
          return sink().delivered.length;
        },
        (n) => n > 0,
        10_000,
        'the subscription',
      );
      for (const p of payloads(5, 'c')) nc.publish(subject, JSON.stringify(p));
      await nc.flush();
      const real = () => ids(sink()).filter((id) => id !== 'probe');
      await eventually(
        () => real().length,
        (n) => n >= 5,
        10_000,
        'five messages',
      );
      expect(real()).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    } finally {
      await nc.close();
    }
  });

  it('shows the lost connection and resumes when NATS is back, losing nothing', async () => {
    admin = await Admin.open();
    proxy = new TcpProxy(4222);
    await proxy.up();
    const stream = await admin.stream(unique('OUTAGE'));
    flow = await consume(
      { stream, durable: unique('d'), ackWaitMs: 2000 },
      { failFlagged: false },
      {},
      natsConnection('nats', { servers: [`nats://127.0.0.1:${proxy.port}`] }),
    );
    await admin.publishJson(`${stream}.a`, payloads(3, 'a'));
    await eventually(
      () => ids(sink()).length,
      (n) => n >= 3,
      10_000,
      'before the outage',
    );
    await proxy.down();
    await eventually(
      () => flow!.states('in').at(-1)?.state,
      (s) => s === 'error' || s === 'connecting',
      10_000,
      'status down',
    );
    await admin.publishJson(`${stream}.a`, payloads(3, 'b'));
    await proxy.up();
    await eventually(
      () => new Set(ids(sink())).size,
      (n) => n >= 6,
      30_000,
      'after the outage',
    );
    expect(flow.states('in').at(-1)?.state).toBe('connected');
  });
});
