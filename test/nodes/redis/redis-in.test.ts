import { afterEach, describe, expect, it } from 'vitest';
import { eventually, payloads, type TestPayload } from '../../conformance/harness.js';
import { requireService } from '../../support/services.js';
import { type Started, startFlow } from '../../support/start-flow.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
import { type SinkHandle, sinks } from '../../support/test-nodes.js';
import { Admin, redisConnection, unique } from './support.js';

describe.runIf(await requireService('redis'))('redis-in', () => {
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

  const sink = (id = 'sink') => sinks.get(id) as SinkHandle;
  const ids = (s: SinkHandle) => s.delivered.map((m) => (m.payload as TestPayload).id);

  function consume(
    config: Record<string, unknown>,
    sinkConfig: Record<string, unknown> = { failFlagged: false },
    settings = {},
    connection = redisConnection(),
  ) {
    return startFlow(
      [connection],
      [
        ['in', 'redis-in', { connection: 'redis', blockMs: 100, ...config }],
        ['sink', 'test-sink', sinkConfig],
      ],
      [['in', 'sink']],
      settings,
    );
  }

  it('maps the body field to the payload and the other fields to headers; acknowledges after delivery', async () => {
    admin = new Admin();
    const stream = unique('map');
    const group = unique('g');
    const entryId = await admin.addRaw(stream, 'body', '{"t":21.5}', 'site', 'berlin', 'redis-id', 'spoofed');
    flow = await consume({ stream, group });
    await eventually(
      () => sink().delivered.length,
      (n) => n === 1,
      10_000,
      'one message',
    );
    const m = sink().delivered[0];
    expect(m.id).toBe(`${stream}/${entryId}`);
    expect(m.topic).toBe(stream);
    expect(m.payload).toEqual({ t: 21.5 });
    expect(m.headers).toMatchObject({ site: 'berlin', 'redis-stream': stream, 'redis-id': entryId });
    // A field with a reserved name stays in `wire` only.
    expect(m.wire).toMatchObject({ site: 'berlin', 'redis-id': 'spoofed' });
    await eventually(
      () => admin.pending(stream, group),
      (n) => n === 0,
      10_000,
      'the entry acknowledged',
    );
  });

  it('decodes a CSV body into row objects with codec csv (the shared codec)', async () => {
    admin = new Admin();
    const stream = unique('csv');
    await admin.addRaw(stream, 'body', 'id,name\n1,a\n2,b\n');
    await admin.addRaw(stream, 'body', 'id,name\n"1,a\n');
    flow = await startFlow(
      [redisConnection()],
      [
        ['in', 'redis-in', { connection: 'redis', stream, blockMs: 100, codec: 'csv' }],
        ['sink', 'test-sink', { failFlagged: false }],
        ['dead', 'test-sink', { failFlagged: false }],
      ],
      [['in', 'sink']],
      { errorRoute: 'dead' },
    );
    await eventually(
      () => sink().delivered.length + sink('dead').delivered.length,
      (n) => n === 2,
      10_000,
      'both entries through',
    );
    expect(sink().delivered.map((m) => m.payload)).toEqual([
      [
        { id: '1', name: 'a' },
        { id: '2', name: 'b' },
      ],
    ]);
    expect(sink('dead').delivered[0].headers['sluice-error']).toMatch(/not valid CSV/);
  });

  it('with no body field, the whole entry is the payload', async () => {
    admin = new Admin();
    const stream = unique('whole');
    await admin.addRaw(stream, 'temp', '21.5', 'site', 'berlin');
    flow = await consume({ stream, bodyField: '' });
    await eventually(
      () => sink().delivered.length,
      (n) => n === 1,
      10_000,
      'one message',
    );
    expect(sink().delivered[0].payload).toEqual({ temp: '21.5', site: 'berlin' });
  });

  it('an entry without the body field goes to the error route', async () => {
    admin = new Admin();
    const stream = unique('nobody');
    await admin.addRaw(stream, 'other', 'x');
    flow = await startFlow(
      [redisConnection()],
      [
        ['in', 'redis-in', { connection: 'redis', stream, blockMs: 100 }],
        ['sink', 'test-sink', { failFlagged: false }],
        ['dead', 'test-sink', { failFlagged: false }],
      ],
      [['in', 'sink']],
      { errorRoute: 'dead' },
    );
    await eventually(
      () => sink('dead').delivered.length,
      (n) => n === 1,
      10_000,
      'one failed message',
    );
    expect(sink('dead').delivered[0].headers['sluice-error']).toMatch(/no "body" field/);
    expect(sink().delivered).toHaveLength(0);
  });

  it('starts a new group at the end of the stream with start: latest', async () => {
    admin = new Admin();
    const stream = unique('latest');
    await admin.addJson(stream, payloads(3, 'old'));
    flow = await consume({ stream, start: 'latest' });
    await eventually(() => flow!.states('in').some((s) => s.state === 'connected'), Boolean, 10_000, 'connected');
    // The group exists once the first read has started.
    await eventually(
      async () => ((await admin.redis.xinfo('GROUPS', stream)) as unknown[]).length,
      (n) => n === 1,
      10_000,
      'the group',
    );
    await admin.addJson(stream, payloads(2, 'new'));
    await eventually(
      () => ids(sink()),
      (l) => l.length >= 2,
      10_000,
      'the new entries',
    );
    expect(ids(sink()).sort()).toEqual(['new0', 'new1']);
  });

  it('re-reads its own pending entries at start (read before a crash, never acknowledged)', async () => {
    admin = new Admin();
    const stream = unique('own');
    const group = unique('g');
    await admin.redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
    admin.track(stream);
    await admin.addJson(stream, payloads(5, 'p'));
    // A previous run of consumer c1 read them and died.
    await admin.redis.xreadgroup('GROUP', group, 'c1', 'COUNT', 5, 'STREAMS', stream, '>');
    await admin.addJson(stream, payloads(2, 'q'));
    flow = await consume({ stream, group, consumer: 'c1', claimIdleMs: 0 });
    await eventually(
      () => ids(sink()).length,
      (n) => n >= 7,
      10_000,
      '7 messages',
    );
    expect(ids(sink())).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'q0', 'q1']);
    await eventually(
      () => admin.pending(stream, group),
      (n) => n === 0,
      10_000,
      'all acknowledged',
    );
  });

  it('claims the pending entries of a dead consumer after claimIdleMs (XAUTOCLAIM)', async () => {
    admin = new Admin();
    const stream = unique('claim');
    const group = unique('g');
    await admin.redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
    admin.track(stream);
    await admin.addJson(stream, payloads(4, 'd'));
    await admin.redis.xreadgroup('GROUP', group, 'dead-replica', 'COUNT', 4, 'STREAMS', stream, '>');
    flow = await consume({ stream, group, consumer: 'live', claimIdleMs: 300 });
    await eventually(
      () => ids(sink()).length,
      (n) => n >= 4,
      15_000,
      'the dead consumer’s entries',
    );
    expect(ids(sink()).sort()).toEqual(['d0', 'd1', 'd2', 'd3']);
    await eventually(
      () => admin.pending(stream, group),
      (n) => n === 0,
      10_000,
      'all acknowledged',
    );
  });

  it('a failed message stays pending and is delivered again after the redelivery delay', async () => {
    admin = new Admin();
    const stream = unique('redeliver');
    const group = unique('g');
    await admin.addJson(stream, [{ id: 'ok1' }, { id: 'flaky', fail: true }, { id: 'ok2' }]);
    flow = await consume({ stream, group, redeliveryDelayMs: 100 }, { failFlagged: true });
    await eventually(
      () => sink().failed,
      (n) => n >= 2,
      10_000,
      'two failed attempts',
    );
    // Delivered twice (the sink fails it each time): its delivery count grows; the others are acknowledged.
    const pending = (await admin.redis.xpending(stream, group, '-', '+', 10)) as Array<
      [string, string, number, number]
    >;
    expect(pending).toHaveLength(1);
    expect(Number(pending[0][3])).toBeGreaterThanOrEqual(2);
    expect(ids(sink()).sort()).toEqual(['ok1', 'ok2']);
  });

  it('keeps within the flow’s in-flight limit (back pressure) and loses nothing', async () => {
    admin = new Admin();
    const stream = unique('bp');
    await admin.addJson(stream, payloads(400, 'b'));
    flow = await consume({ stream, batchSize: 100 }, { failFlagged: false, delayMs: 5 }, { maxInFlight: 20 });
    await eventually(
      () => new Set(ids(sink())).size,
      (n) => n >= 400,
      30_000,
      '400 messages',
    );
    expect(sink().maxPending).toBeLessThanOrEqual(20);
  });

  it('shows the lost connection and resumes when Redis is back', async () => {
    admin = new Admin();
    proxy = new TcpProxy(6379);
    await proxy.up();
    const stream = unique('outage');
    const group = unique('g');
    flow = await consume({ stream, group }, { failFlagged: false }, {}, redisConnection('redis', { port: proxy.port }));
    await admin.addJson(stream, payloads(3, 'a'));
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
    await admin.addJson(stream, payloads(3, 'b'));
    await proxy.up();
    await eventually(
      () => ids(sink()).length,
      (n) => n >= 6,
      20_000,
      'after the outage',
    );
    expect(flow.states('in').at(-1)?.state).toBe('connected');
    expect(new Set(ids(sink()))).toEqual(new Set(['a0', 'a1', 'a2', 'b0', 'b1', 'b2']));
    await eventually(
      () => admin.pending(stream, group),
      (n) => n === 0,
      10_000,
      'all acknowledged',
    );
  });
});
