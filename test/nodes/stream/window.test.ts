import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { catalog } from '../../../nodes/catalog.js';
import { createFlowValidator } from '../../../src/flow/validate.js';
import { Engine } from '../../../src/runtime/engine.js';
import type { Message } from '../../../src/spec/message.js';
import { runCli } from '../../support/cli.js';
import { flowOf, loadTestRuntime, sinks, sources, testCatalog } from '../../support/test-nodes.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop({ deadlineMs: 100 });
  engine = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

async function run(
  window: Record<string, unknown>,
  options: { between?: Array<[string, string, Record<string, unknown>]> } = {},
) {
  const between = options.between ?? [];
  const nodes: Parameters<typeof flowOf>[0] = [['src', 'test-source'], ['w', 'window', window], ...between];
  nodes.push(['sink', 'test-sink', { batchSize: 1, lingerMs: 1 }]);
  const chain = ['src', 'w', ...between.map((b) => b[0]), 'sink'];
  const edges = chain.slice(1).map((to, i): [string, string] => [chain[i], to]);
  engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
  await engine.start(flowOf(nodes, edges));
  return { e: engine, src: sources.get('src')!, sink: sinks.get('sink')! };
}

const payloads = (msgs: Message[]) => msgs.map((m) => m.payload as Record<string, unknown>);

describe('window: count windows', () => {
  it('averages every 3 readings per device and acknowledges each reading only once its aggregate is delivered', async () => {
    const { e, src, sink } = await run({ by: 'count', count: 3, key: 'payload.device', value: 'payload.t' });
    const readings = [
      ['a', 1],
      ['b', 10],
      ['a', 2],
      ['b', 20],
      ['a', 6],
    ] as const;
    for (const [i, [device, t]] of readings.entries()) await src.push({ device, t }, `r${i}`);
    await until(() => sink.delivered.length === 1, 'the first aggregate');
    await e.whenIdle(200);
    // Device a's window closed and was delivered: its three readings are acknowledged; b's two are still held.
    expect(payloads(sink.delivered)).toEqual([
      {
        key: 'a',
        start: expect.any(String),
        end: expect.any(String),
        count: 3,
        avg: 3,
      },
    ]);
    expect(sink.delivered[0].key).toBe('a');
    expect(sink.delivered[0].id).toBe('r4:window');
    expect([...src.outcomes.keys()].sort()).toEqual(['r0', 'r2', 'r4']);
    expect(src.outcomes.get('r0')).toEqual([{ ok: true }]);
    expect(e.counters().src).toMatchObject({ inFlight: 2, acked: 3 });
    expect(e.counters().w).toMatchObject({ in: 5, out: 1, dropped: 0, inFlight: 2 });
    expect(e.snapshot('w')).toEqual({ held: 2, keys: 1, windows: 1 });
    await src.push({ device: 'b', t: 30 }, 'r5');
    await until(() => sink.delivered.length === 2, 'the second aggregate');
    await e.whenIdle(1000);
    expect(payloads(sink.delivered)[1]).toMatchObject({ key: 'b', count: 3, avg: 20 });
    expect(e.counters().src).toMatchObject({ inFlight: 0, acked: 6, nacked: 0 });
  });

  it('a transient failure of the aggregate at the sink nacks every message of its window (redelivered)', async () => {
    const { e, src, sink } = await run(
      { by: 'count', count: 2, aggregate: 'max', value: 'payload' },
      { between: [['flag', 'transform', { expression: '{"max": payload.max, "fail": payload.max > 100}' }]] },
    );
    for (const [i, v] of [1, 2, 500, 3].entries()) await src.push(v, `m${i}`);
    await e.whenIdle(2000);
    expect(payloads(sink.delivered)).toEqual([{ max: 2, fail: false }]);
    expect(src.outcomes.get('m0')).toEqual([{ ok: true }]);
    expect(src.outcomes.get('m1')).toEqual([{ ok: true }]);
    expect(src.outcomes.get('m2')).toEqual([{ ok: false, reason: expect.stringContaining('sink rejected the batch') }]);
    expect(src.outcomes.get('m3')).toEqual([{ ok: false, reason: expect.stringContaining('sink rejected the batch') }]);
    expect(e.counters().src).toMatchObject({ acked: 2, nacked: 2, inFlight: 0 });
  });

  it('sliding: a moving average of the last 3 values on every message', async () => {
    const { e, src, sink } = await run({ kind: 'sliding', by: 'count', count: 3, slideCount: 1, value: 'payload' });
    for (const [i, v] of [3, 6, 9, 12].entries()) await src.push(v, `m${i}`);
    await until(() => sink.delivered.length === 4, 'four aggregates');
    await e.whenIdle(1000);
    expect(payloads(sink.delivered).map((p) => [p.count, p.avg])).toEqual([
      [1, 3],
      [2, 4.5],
      [3, 6],
      [3, 9],
    ]);
    // m0 left the window when m3 arrived: acknowledged; the last three are still in the sliding window.
    expect([...src.outcomes.keys()]).toEqual(['m0']);
    expect(e.snapshot('w')).toMatchObject({ held: 3 });
  });

  it('a value that is not a number fails that message only; a JSONata reducer sees the whole window', async () => {
    const { e, src, sink } = await run({
      by: 'count',
      count: 2,
      aggregate: 'expression',
      expression: '{"temps": messages.payload.t, "hi": $max(messages.payload.t), "key": key}',
    });
    await src.push({ t: 4 }, 'a');
    await src.push({ t: 7 }, 'b');
    await e.whenIdle(1000);
    expect(JSON.parse(JSON.stringify(payloads(sink.delivered)))).toEqual([
      { start: expect.any(String), end: expect.any(String), count: 2, value: { temps: [4, 7], hi: 7 } },
    ]);
    await engine?.stop({ deadlineMs: 100 });
    const second = await run({ by: 'count', count: 2, aggregate: 'sum', value: 'payload.t' });
    await second.src.push({ t: 'hot' }, 'bad');
    await second.e.whenIdle(1000);
    expect(second.src.outcomes.get('bad')).toEqual([
      { ok: true, dropped: expect.stringMatching(/window "w": the value is "hot", not a number; sum needs numbers/) },
    ]);
    expect(second.e.counters().w).toMatchObject({ failed: 1, inFlight: 0 });
  });
});

describe('window: time windows', () => {
  it('arrival time: a tumbling window closes on the clock and emits its aggregate; acks follow delivery', async () => {
    const { e, src, sink } = await run({ by: 'time', windowMs: 150, aggregate: 'sum', value: 'payload' });
    // Start just after a window boundary so all three land in one window.
    await sleep(150 - (Date.now() % 150) + 5);
    for (const [i, v] of [1, 2, 3].entries()) await src.push(v, `m${i}`);
    expect(src.outcomes.size).toBe(0);
    await until(() => sink.delivered.length === 1, 'the aggregate');
    await e.whenIdle(1000);
    const [agg] = payloads(sink.delivered);
    expect(agg).toMatchObject({ count: 3, sum: 6 });
    expect(Date.parse(agg.end as string) - Date.parse(agg.start as string)).toBe(150);
    expect(sink.delivered[0].id).toBe(`w::${Date.parse(agg.start as string)}`);
    expect(e.counters().src).toMatchObject({ acked: 3, inFlight: 0 });
  });

  it('event time: windows close when a later event passes end + lateness; late messages drop or fail', async () => {
    const base = Date.UTC(2026, 0, 1, 12, 0, 0);
    const cfg = {
      by: 'time',
      time: 'event',
      eventTime: 'payload.ts',
      windowMs: 60_000,
      allowedLatenessMs: 5_000,
      key: 'payload.device',
      aggregate: 'avg',
      value: 'payload.v',
    };
    const { e, src, sink } = await run(cfg);
    const push = (id: string, device: string, offsetMs: number, v: number) =>
      src.push({ device, ts: new Date(base + offsetMs).toISOString(), v }, id);
    await push('a1', 'a', 1_000, 10);
    await push('b1', 'b', 2_000, 100);
    await push('a2', 'a', 59_000, 20);
    await push('a3', 'a', 62_000, 99); // next minute; 12:01:02 < 12:01:05: the first minute stays open
    await push('a4', 'a', 30_000, 30); // late by arrival, but within the lateness: still counted
    expect(sink.delivered).toHaveLength(0);
    await push('b2', 'b', 66_000, 1); // passes 12:01:05: both first-minute windows close
    await until(() => sink.delivered.length === 2, 'two aggregates');
    await e.whenIdle(300);
    const got = payloads(sink.delivered).sort((x, y) => String(x.key).localeCompare(String(y.key)));
    expect(got).toEqual([
      { key: 'a', start: '2026-01-01T12:00:00.000Z', end: '2026-01-01T12:01:00.000Z', count: 3, avg: 20 },
      { key: 'b', start: '2026-01-01T12:00:00.000Z', end: '2026-01-01T12:01:00.000Z', count: 1, avg: 100 },
    ]);
    expect([...src.outcomes.keys()].sort()).toEqual(['a1', 'a2', 'a4', 'b1']);
    await push('late', 'a', 10_000, 5); // its window has closed: dropped on purpose
    await until(() => src.outcomes.has('late'), 'the late message settles');
    expect(src.outcomes.get('late')).toEqual([{ ok: true }]);
    expect(e.counters().w.dropped).toBe(1);
    await engine?.stop({ deadlineMs: 100 });

    const strict = await run({ ...cfg, late: 'error' });
    await strict.src.push({ device: 'a', ts: base + 200_000, v: 1 }, 'x1');
    await strict.src.push({ device: 'a', ts: base, v: 1 }, 'x2');
    await until(() => strict.src.outcomes.has('x2'), 'the late message settles');
    expect(strict.src.outcomes.get('x2')).toEqual([
      { ok: true, dropped: expect.stringContaining('late message (event time 2026-01-01T12:00:00.000Z') },
    ]);
    await strict.src.push({ device: 'a', ts: 'yesterday', v: 1 }, 'x3');
    await until(() => strict.src.outcomes.has('x3'), 'the bad time settles');
    expect(strict.src.outcomes.get('x3')?.[0]).toMatchObject({ dropped: expect.stringContaining('event time is') });
  });

  it('event time: an aggregate the sink failed reopens its window, so the redelivered messages are not late', async () => {
    const base = 1_000_000_000_000; // a multiple of the window length
    const { e, src, sink } = await run(
      {
        by: 'time',
        time: 'event',
        eventTime: 'payload.ts',
        windowMs: 200,
        allowedLatenessMs: 0,
        aggregate: 'expression',
        expression: '{"n": count, "firstTry": $count(messages[payload.attempt = 1]) > 0}',
      },
      { between: [['flag', 'transform', { expression: '{"n": payload.value.n, "fail": payload.value.firstTry}' }]] },
    );
    await src.push({ ts: base + 10, attempt: 1 }, 'e1');
    await src.push({ ts: base + 50, attempt: 1 }, 'e2');
    await src.push({ ts: base + 500, attempt: 1 }, 'e3'); // closes [0, 200) by event time
    await until(() => src.outcomes.has('e1') && src.outcomes.has('e2'), 'the failed window settles');
    expect(src.outcomes.get('e1')).toEqual([{ ok: false, reason: expect.stringContaining('sink rejected the batch') }]);
    // The broker redelivers them (the test plays the broker): taken into the reopened window, not dropped as late.
    await src.push({ ts: base + 10, attempt: 2 }, 'e1-again');
    await src.push({ ts: base + 50, attempt: 2 }, 'e2-again');
    await until(() => sink.delivered.length === 1, 'the window delivered on the second try', 5000);
    await until(() => src.outcomes.has('e2-again'), 'the redelivered messages settle');
    expect(sink.delivered[0].payload).toEqual({ n: 2, fail: false });
    expect(sink.delivered[0].id).toBe(`w::${base}`);
    expect(src.outcomes.get('e1-again')).toEqual([{ ok: true }]);
    expect(e.counters().w.dropped).toBe(0);
  });

  it('sliding time windows: each message is in every window that covers it, acked after the last one', async () => {
    const base = 1_000_000_000_000;
    const { e, src, sink } = await run({
      kind: 'sliding',
      by: 'time',
      time: 'event',
      eventTime: 'payload.ts',
      windowMs: 100_000,
      slideMs: 50_000,
      allowedLatenessMs: 0,
      aggregate: 'count',
    });
    await src.push({ ts: base + 10_000 }, 'm0'); // windows [-50,50) and [0,100) (in seconds)
    await src.push({ ts: base + 60_000 }, 'm1'); // closes [-50,50); m1 in [0,100) and [50,150)
    await until(() => sink.delivered.length === 1, 'the first window');
    await e.whenIdle(200);
    expect(src.outcomes.size).toBe(0); // m0 is still in [0,100)
    await src.push({ ts: base + 200_000 }, 'm2'); // closes [0,100) and [50,150)
    await until(() => sink.delivered.length === 3, 'three windows');
    await e.whenIdle(500);
    expect(payloads(sink.delivered).map((p) => p.count)).toEqual([1, 2, 1]);
    expect([...src.outcomes.keys()].sort()).toEqual(['m0', 'm1']);
  });
});

describe('window: stop and redeploy', () => {
  it('onStop redeliver (default): open windows are not acknowledged, so the source redelivers them', async () => {
    const { e, src, sink } = await run({ by: 'count', count: 5 });
    await src.push(1, 'm0');
    await src.push(2, 'm1');
    const report = await e.stop({ deadlineMs: 5000 });
    engine = undefined;
    expect(report.nackedAtDeadline).toBe(0); // given back at once, not after the drain deadline
    expect(report.durationMs).toBeLessThan(4000);
    expect(sink.delivered).toHaveLength(0);
    expect(src.outcomes.get('m0')).toEqual([
      { ok: false, reason: expect.stringContaining('flow stopped before the window closed') },
    ]);
    expect(e.counters().src).toMatchObject({ nacked: 2, acked: 0, inFlight: 0 });
  });

  it('onStop flush: open windows are emitted as they are and acknowledged once delivered', async () => {
    const { e, src, sink } = await run({
      by: 'time',
      windowMs: 600_000,
      aggregate: 'sum',
      value: 'payload',
      onStop: 'flush',
    });
    await src.push(1, 'm0');
    await src.push(2, 'm1');
    await e.stop({ deadlineMs: 5000 });
    engine = undefined;
    expect(payloads(sink.delivered)).toMatchObject([{ count: 2, sum: 3 }]);
    expect(src.outcomes.get('m0')).toEqual([{ ok: true }]);
    expect(e.counters().src).toMatchObject({ acked: 2, inFlight: 0 });
  });
});

describe('window: validation against the in-flight bound', () => {
  const validator = createFlowValidator(catalog);
  const flow = (count: number, maxInFlight?: number) =>
    flowOf(
      [
        ['gen', 'generate', { payload: '$seq', count: 10 }],
        ['w', 'window', { by: 'count', count }],
        ['d', 'debug'],
      ],
      [
        ['gen', 'w'],
        ['w', 'd'],
      ],
      maxInFlight === undefined ? {} : { maxInFlight },
    );

  it('refuses a count window larger than settings.maxInFlight and says which setting to change', () => {
    const { problems } = validator.validate(flow(2000));
    const p = problems.find((x) => x.code === 'held-over-bound');
    expect(p).toMatchObject({ severity: 'error', nodeId: 'w', path: '/nodes/1/config/count' });
    expect(p?.message).toContain('holds 2000 messages before it can emit');
    expect(p?.message).toContain('settings.maxInFlight 1000');
    expect(p?.hint).toBe('lower "count" to at most 1000, or raise settings.maxInFlight to at least 2000');
    expect(validator.validate(flow(2000, 2000)).problems.filter((x) => x.severity === 'error')).toEqual([]);
    expect(validator.validate(flow(1000)).problems.filter((x) => x.severity === 'error')).toEqual([]);
  });

  it('a source that acknowledges fewer (amqp-in prefetch) is the bound, and the hint names its setting', () => {
    const doc = {
      ...flowOf(
        [
          ['in', 'amqp-in', { connection: 'mq', queue: 'readings', prefetch: 50 }],
          ['w', 'window', { by: 'count', count: 80 }],
          ['d', 'debug'],
        ],
        [
          ['in', 'w'],
          ['w', 'd'],
        ],
      ),
      connections: [{ id: 'mq', kind: 'amqp', config: { url: 'amqp://127.0.0.1:5672' } }],
    };
    const { problems } = validator.validate(doc);
    const p = problems.find((x) => x.code === 'held-over-bound');
    expect(p?.message).toContain('more than amqp-in "in" leaves unacknowledged (its prefetch 50)');
    expect(p?.hint).toBe('lower "count" to at most 50, or raise prefetch of "in" to at least 80');
    const ok = structuredClone(doc);
    ok.nodes[0].config.prefetch = 100;
    expect(validator.validate(ok).problems.filter((x) => x.code === 'held-over-bound')).toEqual([]);
  });

  it('sluice validate refuses such a flow file (exit code 1) and names the setting', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-window-'));
    try {
      const file = join(dir, 'flow.json');
      await writeFile(file, JSON.stringify(flow(5000)));
      const r = await runCli(['validate', file]);
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toContain('holds 5000 messages before it can emit');
      expect(r.stdout + r.stderr).toContain('raise settings.maxInFlight to at least 5000');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lint: a sliding step longer than the window is refused', () => {
    const { problems } = validator.validate(
      flowOf(
        [
          ['gen', 'generate', { payload: '$seq', count: 1 }],
          ['w', 'window', { kind: 'sliding', by: 'time', windowMs: 1000, slideMs: 5000 }],
          ['d', 'debug'],
        ],
        [
          ['gen', 'w'],
          ['w', 'd'],
        ],
      ),
    );
    expect(problems.find((p) => p.code === 'lint')).toMatchObject({ path: '/nodes/1/config/slideMs' });
  });
});
