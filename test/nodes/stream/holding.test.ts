/** delay and rate-limit (wait): held messages keep their lineage open, count against the window, and pass on in order. */
import { afterEach, describe, expect, it } from 'vitest';
import { delay } from '../../../nodes/delay/definition.js';
import { create as createDelay } from '../../../nodes/delay/runtime.js';
import { rateLimit } from '../../../nodes/rate-limit/definition.js';
import { create as createRateLimit } from '../../../nodes/rate-limit/runtime.js';
import { Engine } from '../../../src/runtime/engine.js';
import { failureKindOf } from '../../../src/spec/index.js';
import { configFor, startNode, testMessage } from '../../support/node-context.js';
import { flowOf, loadTestRuntime, sinks, sources, testCatalog } from '../../support/test-nodes.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop({ deadlineMs: 100 });
  engine = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(node: [string, string, Record<string, unknown>], settings: Record<string, unknown> = {}) {
  engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime, trace: true });
  await engine.start(
    flowOf(
      [['src', 'test-source'], node, ['sink', 'test-sink', { batchSize: 1, lingerMs: 1 }]],
      [
        ['src', node[0]],
        [node[0], 'sink'],
      ],
      settings,
    ),
  );
  return { e: engine, src: sources.get('src')!, sink: sinks.get('sink')! };
}

describe('delay', () => {
  it('holds each message: the source settles only after the message was passed on and delivered', async () => {
    const { e, src, sink } = await run(['d', 'delay', { delayMs: 150 }]);
    const t0 = Date.now();
    await src.push({ n: 1 }, 'a');
    await sleep(50);
    expect(sink.delivered).toHaveLength(0);
    expect(src.outcomes.has('a')).toBe(false);
    expect(e.counters().src.inFlight).toBe(1);
    expect(e.counters().d.inFlight).toBe(1);
    expect(e.snapshot('d')).toEqual({ held: 1, passed: 0 });
    await e.whenIdle(5000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(145);
    expect(sink.delivered.map((m) => m.id)).toEqual(['a']);
    expect(src.outcomes.get('a')).toEqual([{ ok: true }]);
    expect(e.counters().d).toMatchObject({ in: 1, out: 1, dropped: 0, failed: 0, inFlight: 0 });
  });

  it('held messages count against the source window: a full window pauses the source', async () => {
    const { e, src } = await run(['d', 'delay', { delayMs: 100 }], { maxInFlight: 2 });
    await src.push(1, 'a');
    let third = false;
    const second = src.push(2, 'b').then(() => {
      third = true;
    });
    await sleep(30);
    expect(third).toBe(false); // the window is full of held messages: ingest waits
    await second;
    expect(third).toBe(true);
    await e.whenIdle(5000);
    expect(e.counters().src).toMatchObject({ acked: 2, inFlight: 0 });
  });

  it('per message: the expression gives the time; short ones overtake long ones; bad ones fail', async () => {
    const { e, src, sink } = await run(['d', 'delay', { mode: 'per-message', delay: 'payload.ms', maxDelayMs: 200 }]);
    await src.push({ ms: 120 }, 'slow');
    await src.push({ ms: 10 }, 'fast');
    await src.push({ ms: 99_999 }, 'capped');
    await src.push({ ms: 'soon' }, 'bad');
    await e.whenIdle(5000);
    expect(sink.delivered.map((m) => m.id)).toEqual(['fast', 'slow', 'capped']);
    const [bad] = src.outcomes.get('bad')!;
    expect(bad.ok && bad.dropped).toContain('the delay expression gave "soon", not a number of ms');
  });

  it('a stop while messages are held nacks them at the drain deadline (redelivered, not lost) and passes nothing on after', async () => {
    const { e, src, sink } = await run(['d', 'delay', { delayMs: 60_000 }]);
    await src.push(1, 'held');
    const report = await e.stop({ deadlineMs: 50 });
    engine = undefined;
    expect(report.nackedAtDeadline).toBe(1);
    expect(src.outcomes.get('held')).toEqual([{ ok: false, reason: 'flow stopped before the message was delivered' }]);
    expect(sink.delivered).toHaveLength(0);
  });

  it('unit: a delay expression with no value fails deterministically', async () => {
    const node = await startNode(createDelay, configFor(delay, { mode: 'per-message', delay: 'payload.nope' }));
    const err = await node.send(testMessage({ payload: {} })).catch((x: unknown) => x);
    expect(failureKindOf(err)).toBe('deterministic');
    expect(delay.lint!(configFor(delay, { mode: 'per-message' }))[0].path).toBe('/delay');
  });
});

describe('rate-limit', () => {
  it('wait: at most limit messages in any interval, in order, none dropped, each acked after delivery', async () => {
    const { e, src, sink } = await run(['rl', 'rate-limit', { limit: 2, intervalMs: 100 }], { maxInFlight: 100 });
    // When the node passed each message on (the trace event fires at the emit).
    const at = new Map<string, number>();
    e.on('trace', (t: { nodeId: string; message: { id: string } }) => {
      if (t.nodeId === 'rl') at.set(t.message.id, performance.now());
    });
    for (let i = 0; i < 6; i++) void src.push({ i }, `m${i}`);
    while (sink.delivered.length < 6) await sleep(5);
    await e.whenIdle(5000);
    expect(sink.delivered.map((m) => m.id)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    // Message i+2 cannot pass within one interval of message i (2 ms slack for timer rounding).
    for (let i = 0; i + 2 < 6; i++) {
      const gap = (at.get(`m${i + 2}`) ?? 0) - (at.get(`m${i}`) ?? 0);
      expect(gap, `m${i + 2} after m${i}`).toBeGreaterThanOrEqual(98);
    }
    expect([...src.outcomes.values()].flat()).toEqual(Array(6).fill({ ok: true }));
    expect(e.counters().rl).toMatchObject({ in: 6, out: 6, dropped: 0, inFlight: 0 });
    expect(e.snapshot('rl')).toMatchObject({ passed: 6, waited: 4, dropped: 0, waiting: 0 });
  });

  it('drop: excess messages are dropped on purpose, counted and acknowledged', async () => {
    const { e, src, sink } = await run(['rl', 'rate-limit', { limit: 3, intervalMs: 60_000, mode: 'drop' }]);
    for (let i = 0; i < 10; i++) await src.push({ i }, `m${i}`);
    await e.whenIdle(5000);
    expect(sink.delivered.map((m) => m.id)).toEqual(['m0', 'm1', 'm2']);
    expect(e.counters().rl).toMatchObject({ in: 10, out: 3, dropped: 7, inFlight: 0 });
    expect(e.counters().src).toMatchObject({ acked: 10, nacked: 0 });
    expect(e.snapshot('rl')).toMatchObject({ dropped: 7 });
  });

  it('per key: each key has its own limit; keys past the bound are forgotten', async () => {
    const node = await startNode(
      createRateLimit,
      configFor(rateLimit, { limit: 1, intervalMs: 60_000, mode: 'drop', key: 'payload.k', maxKeys: 2 }),
    );
    const pass = async (k: string) => (await node.send(testMessage({ payload: { k } }))).length;
    expect(await pass('a')).toBe(1);
    expect(await pass('b')).toBe(1);
    expect(await pass('a')).toBe(0);
    expect(await pass('c')).toBe(1); // evicts b
    expect(await pass('b')).toBe(1); // a fresh window
    expect(node.runtime.snapshot?.()).toMatchObject({ keys: 2, evicted: 2, dropped: 1 });
  });

  it('lint warns when per-key windows could take too much memory', () => {
    const issues = rateLimit.lint!(configFor(rateLimit, { key: 'payload.k', limit: 100_000, maxKeys: 1_000_000 }));
    expect(issues[0]).toMatchObject({ path: '/maxKeys', severity: 'warning' });
  });
});
