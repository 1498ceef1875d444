/**
 * Targeted attacks on the engine's delivery accounting: error-route loops, emits the contract allows nodes to get
 * wrong (after the handle finished, on unwired ports, the same object twice), settle callbacks that throw, and
 * the stop / redeploy edges (ingest while stopping, late completions, an old flow's source after a redeploy).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/runtime/engine.js';
import type { Outcome } from '../../src/spec/index.js';
import {
  type ChaosBehaviour,
  chaosCatalog,
  chaosLoader,
  chaosNodes,
  chaosSources,
  Recorder,
  sleep,
  timerErrors,
  Uncloneable,
} from '../support/chaos-nodes.js';
import { flowOf, sinks } from '../support/test-nodes.js';
import { collectUnhandledRejections } from '../support/unhandled.js';

let engine: Engine | undefined;
let recorder: Recorder;

/** `unrecorded`: node runtimes exactly as they are (the recorder adopts thenables into real promises). */
function newEngine(options: { trace?: boolean; unrecorded?: boolean } = {}) {
  recorder = new Recorder();
  engine = new Engine({
    catalog: chaosCatalog,
    loadRuntime: chaosLoader(options.unrecorded ? undefined : recorder),
    trace: options.trace,
  });
  return engine;
}

const unhandled = collectUnhandledRejections();

afterEach(async () => {
  await engine?.stop({ deadlineMs: 50 });
  engine = undefined;
  expect(timerErrors.splice(0).map(String), 'errors thrown in chaos timers').toEqual([]);
  expect(unhandled.splice(0).map(String), 'unhandled rejections').toEqual([]);
});

/** A chaos node that does `behaviour` to every message (overridable per message). */
const chaosDoing = (behaviour: ChaosBehaviour, extra: Record<string, unknown> = {}) => ({
  behaviours: [behaviour],
  maxDelayMs: 0,
  ...extra,
});

const outcomesOf = (id: string, source = 'src'): Outcome[] => chaosSources.get(source)?.outcomes.get(id) ?? [];

describe('error route: no loops', () => {
  it('a dead-letter node that drops headers, into a sink that fails, ends the lineage instead of looping', async () => {
    const e = newEngine();
    await e.start(
      flowOf(
        [
          ['src', 'chaos-source'],
          ['sink', 'test-sink'],
          ['dl', 'function', { code: 'return { payload: msg.payload };' }],
          ['dls', 'test-sink'],
        ],
        [
          ['src', 'sink'],
          ['dl', 'dls'],
        ],
        { errorRoute: 'dl', transientFailures: 'route' },
      ),
    );
    chaosSources.get('src')!.push({ fail: true }, 'x');
    await e.whenIdle(2000);
    expect(e.inFlight()).toBe(0);
    expect(outcomesOf('x')).toEqual([{ ok: false, reason: expect.stringMatching(/^test-sink "dls": sink rejected/) }]);
    // One trip to the dead-letter route, and no more.
    expect(e.counters().dl).toMatchObject({ in: 1, out: 1 });
    expect(e.counters().dls).toMatchObject({ in: 1, failed: 1 });
  });

  it('the same when the node that drops headers is downstream of the error route', async () => {
    const e = newEngine();
    await e.start(
      flowOf(
        [
          ['src', 'chaos-source'],
          ['work', 'chaos', chaosDoing('reject')],
          ['dl', 'transform', { expression: 'payload' }],
          ['strip', 'function', { code: 'return { payload: msg.payload };' }],
          ['again', 'chaos', chaosDoing('throw')],
        ],
        [
          ['src', 'work'],
          ['dl', 'strip'],
          ['strip', 'again'],
        ],
        { errorRoute: 'dl' },
      ),
    );
    chaosSources.get('src')!.push({ n: 1 }, 'x');
    await e.whenIdle(2000);
    expect(outcomesOf('x')).toEqual([{ ok: true, dropped: expect.stringMatching(/^node "again": /) }]);
    expect(e.counters().dl.in).toBe(1);
  });

  it("a dead letter of another flow (it arrives with the error-routed header) still reaches this flow's error route", async () => {
    // kafka-out copies headers into records and kafka-in maps them back: a flow that reprocesses a dead-letter
    // topic ingests messages that carry `sluice-error-routed`. Its own error route must still take their failures,
    // else each one is nacked and redelivered for ever.
    const e = newEngine();
    await e.start(
      flowOf(
        [
          ['src', 'chaos-source'],
          ['work', 'chaos', chaosDoing('throw')],
          ['dead', 'test-sink'],
        ],
        [['src', 'work']],
        { errorRoute: 'dead' },
      ),
    );
    const ctx = chaosSources.get('src')!.ctx;
    const outcomes: Outcome[] = [];
    ctx.ingest(
      { id: 'dlq-1', payload: { n: 1 }, headers: { 'sluice-error-routed': '1', 'sluice-error': 'old' }, timestamp: 0 },
      (o) => outcomes.push(o),
    );
    await e.whenIdle(2000);
    expect(outcomes).toEqual([{ ok: true }]);
    expect(sinks.get('dead')!.delivered.map((m) => m.headers['sluice-error-node'])).toEqual(['work']);
  });

  it('two independent failures of one message each reach the error route once', async () => {
    const e = newEngine();
    await e.start(
      flowOf(
        [
          ['src', 'chaos-source'],
          ['a', 'chaos', chaosDoing('throw')],
          ['b', 'chaos', chaosDoing('reject')],
          ['dead', 'test-sink'],
        ],
        [
          ['src', 'a'],
          ['src', 'b'],
        ],
        { errorRoute: 'dead' },
      ),
    );
    chaosSources.get('src')!.push({ n: 1 }, 'x');
    await e.whenIdle(2000);
    expect(outcomesOf('x')).toEqual([{ ok: true }]);
    expect(
      sinks
        .get('dead')!
        .delivered.map((m) => m.headers['sluice-error-node'])
        .sort(),
    ).toEqual(['a', 'b']);
  });
});

describe('what nodes emit', () => {
  it('an emit on an output port that is not wired is a deliberate drop: acked, counted as out', async () => {
    const e = newEngine();
    await e.start(
      flowOf(
        [
          ['src', 'chaos-source'],
          ['c', 'chaos', chaosDoing('alt')],
          ['sink', 'test-sink'],
        ],
        [
          ['src', 'c'],
          ['c', 'sink'],
        ],
      ),
    );
    chaosSources.get('src')!.push({ n: 1 }, 'x');
    await e.whenIdle(2000);
    expect(outcomesOf('x')).toEqual([{ ok: true }]);
    expect(e.counters().c).toMatchObject({ in: 1, out: 1, dropped: 0, failed: 0, inFlight: 0 });
    expect(sinks.get('sink')!.delivered).toHaveLength(0);
  });

  it('an emit on an unwired error port is a failure: error route if any, else dropped (deterministic)', async () => {
    for (const errorRoute of [undefined, 'dead']) {
      const e = newEngine();
      await e.start(
        flowOf(
          [
            ['src', 'chaos-source'],
            ['c', 'chaos', chaosDoing('error-port')],
            ['sink', 'test-sink'],
            ['dead', 'test-sink'],
          ],
          [['src', 'c'], ['c', 'sink'], ...(errorRoute ? [] : ([['src:error', 'dead']] as Array<[string, string]>))],
          errorRoute ? { errorRoute } : {},
        ),
      );
      chaosSources.get('src')!.push({ n: 1 }, 'x');
      await e.whenIdle(2000);
      if (errorRoute) {
        expect(outcomesOf('x')).toEqual([{ ok: true }]);
        expect(sinks.get('dead')!.delivered[0].headers['sluice-error']).toBe('chaos error port at c');
      } else {
        expect(outcomesOf('x')).toEqual([{ ok: true, dropped: 'node "c": chaos error port at c' }]);
      }
      await e.stop();
    }
  });

  it('an emit after the handle resolved is ignored: no delivery, no second count, no second settle', async () => {
    const e = newEngine();
    await e.start(
      flowOf(
        [
          ['src', 'chaos-source'],
          ['sync', 'chaos', chaosDoing('late-emit')],
          ['async', 'chaos', chaosDoing('async-late-emit', { maxDelayMs: 3 })],
          ['sink', 'test-sink'],
        ],
        [
          ['src', 'sync'],
          ['src', 'async'],
          ['sync', 'sink'],
          ['async:alt', 'sink'],
        ],
      ),
    );
    for (let i = 0; i < 20; i++) chaosSources.get('src')!.push({ n: i }, `m${i}`);
    await e.whenIdle(2000);
    await sleep(30); // the late emits happen
    expect(chaosNodes.get('sync')!.lateEmits + chaosNodes.get('async')!.lateEmits).toBe(40);
    for (let i = 0; i < 20; i++) expect(outcomesOf(`m${i}`)).toEqual([{ ok: true }]);
    expect(sinks.get('sink')!.delivered).toHaveLength(0);
    expect(e.counters().sync).toMatchObject({ in: 20, out: 0, dropped: 20, inFlight: 0 });
    expect(e.counters().async).toMatchObject({ in: 20, out: 0, dropped: 20, inFlight: 0 });
    expect(e.inFlight()).toBe(0);
  });

  it('emit then throw: the emitted message goes on, the failure is routed, one settle', async () => {
    const e = newEngine();
    await e.start(
      flowOf(
        [
          ['src', 'chaos-source'],
          ['c', 'chaos', chaosDoing('emit-throw')],
          ['d', 'chaos', chaosDoing('emit-reject')],
          ['sink', 'test-sink', { delayMs: 5 }],
          ['dead', 'test-sink'],
        ],
        [
          ['src', 'c'],
          ['c', 'd'],
          ['d', 'sink'],
          ['c:error', 'dead'],
          ['d:error', 'dead'],
        ],
      ),
    );
    chaosSources.get('src')!.push({ n: 1 }, 'x');
    await e.whenIdle(2000);
    expect(outcomesOf('x')).toEqual([{ ok: true }]);
    expect(sinks.get('sink')!.delivered).toHaveLength(1);
    expect(
      sinks
        .get('dead')!
        .delivered.map((m) => m.headers['sluice-error-node'])
        .sort(),
    ).toEqual(['c', 'd']);
  });

  const sameObjectFlow = () =>
    flowOf(
      [
        ['src', 'chaos-source'],
        ['c', 'chaos', chaosDoing('same-object')],
        ['a', 'test-sink', { mutate: true, delayMs: 5 }],
        ['b', 'test-sink', { mutate: true, delayMs: 10 }],
      ],
      [
        ['src', 'c'],
        ['c', 'a'],
        ['c:alt', 'b'],
      ],
    );

  it('the same message object emitted on two ports: two deliveries, one settle after both', async () => {
    const e = newEngine();
    await e.start(sameObjectFlow());
    const src = chaosSources.get('src')!;
    const atSettle: number[] = [];
    src.onSettle = () => atSettle.push(sinks.get('a')!.delivered.length, sinks.get('b')!.delivered.length);
    src.push({ n: 1 }, 'x');
    await e.whenIdle(2000);
    expect(outcomesOf('x')).toEqual([{ ok: true }]);
    expect(atSettle).toEqual([1, 1]); // settled only once both branches had delivered
    expect(e.counters().c).toMatchObject({ in: 1, out: 2, dropped: 0, inFlight: 0 });
    expect(e.counters().a).toMatchObject({ in: 1, out: 1, inFlight: 0 });
    expect(e.counters().b).toMatchObject({ in: 1, out: 1, inFlight: 0 });
  });

  // Emits are held until the handle finishes, so a later emit of the same object gets its copy before any branch runs.
  it('the same message object emitted on two ports: the branches do not share it', async () => {
    const e = newEngine();
    await e.start(sameObjectFlow());
    chaosSources.get('src')!.push({ n: 1 }, 'x');
    await e.whenIdle(2000);
    expect(sinks.get('a')!.delivered[0].payload).toEqual({ n: 1, mutated: 'a' });
    expect(sinks.get('b')!.delivered[0].payload).toEqual({ n: 1, mutated: 'b' });
  });
});

describe('payloads the engine cannot copy', () => {
  // Fan-out copies with structuredClone for non-plain payloads; a payload it refuses must fail the message, not
  // leave its lineage open for ever (which also leaks a window slot until the source stalls).
  it('a node emits an uncloneable payload on a port wired to two nodes: the message settles once', async () => {
    const e = newEngine();
    await e.start(
      flowOf(
        [
          ['src', 'chaos-source'],
          ['c', 'chaos', chaosDoing('uncloneable')],
          ['a', 'test-sink'],
          ['b', 'test-sink'],
        ],
        [
          ['src', 'c'],
          ['c', 'a'],
          ['c', 'b'],
        ],
        { maxInFlight: 2 },
      ),
    );
    const src = chaosSources.get('src')!;
    for (let i = 0; i < 3; i++) src.push({ n: i }, `m${i}`);
    await e.whenIdle(2000);
    expect(e.inFlight()).toBe(0);
    for (let i = 0; i < 3; i++) expect(outcomesOf(`m${i}`)).toEqual([{ ok: true, dropped: expect.any(String) }]);
    expect(e.counters().src).toMatchObject({ inFlight: 0, acked: 3, nacked: 0 });
  });

  it('a source ingests an uncloneable payload into two branches: settles once, ingest does not throw', async () => {
    const e = newEngine();
    await e.start(
      flowOf(
        [
          ['src', 'chaos-source'],
          ['a', 'test-sink'],
          ['b', 'test-sink'],
        ],
        [
          ['src', 'a'],
          ['src', 'b'],
        ],
      ),
    );
    const src = chaosSources.get('src')!;
    src.push(new Uncloneable(), 'x');
    await e.whenIdle(2000);
    expect(src.ingestErrors.map(String)).toEqual([]);
    expect(outcomesOf('x')).toEqual([{ ok: true, dropped: expect.any(String) }]);
    expect(e.inFlight()).toBe(0);
  });

  it('try-it mode (trace on): an uncloneable message that fails, sync or async, settles once', async () => {
    const e = newEngine({ trace: true });
    const traced: string[] = [];
    e.on('trace', (t: { nodeId: string; port: string }) => traced.push(`${t.nodeId}:${t.port}`));
    await e.start(
      flowOf(
        [
          ['src', 'chaos-source'],
          ['t', 'chaos', chaosDoing('throw')],
          ['r', 'chaos', chaosDoing('reject')],
          ['sink', 'test-sink'],
        ],
        [
          ['src', 't'],
          ['t', 'sink'],
          ['src', 'r'],
          ['r', 'sink'],
        ],
      ),
    );
    chaosSources.get('src')!.push(new Uncloneable(), 'x');
    chaosSources.get('src')!.push({ n: 1 }, 'y');
    await e.whenIdle(2000);
    expect(e.inFlight()).toBe(0);
    expect(outcomesOf('x')).toEqual([{ ok: true, dropped: expect.any(String) }]);
    expect(outcomesOf('y')).toEqual([{ ok: true, dropped: expect.stringMatching(/^node "(t|r)": chaos/) }]);
    expect(chaosSources.get('src')!.ingestErrors.map(String)).toEqual([]);
  });

  it('a failed uncloneable message routed to an error port wired to two nodes settles once', async () => {
    const e = newEngine();
    await e.start(
      flowOf(
        [
          ['src', 'chaos-source'],
          ['c', 'chaos', chaosDoing('throw')],
          ['a', 'test-sink'],
          ['b', 'test-sink'],
        ],
        [
          ['src', 'c'],
          ['c:error', 'a'],
          ['c:error', 'b'],
        ],
      ),
    );
    chaosSources.get('src')!.push(new Uncloneable(), 'x');
    await e.whenIdle(2000);
    expect(outcomesOf('x')).toEqual([{ ok: true, dropped: expect.any(String) }]);
    expect(e.inFlight()).toBe(0);
  });
});

describe('handles that break the Promise contract', () => {
  it('a thenable that calls back twice (and then fails) settles its message once, after every branch', async () => {
    const e = newEngine({ unrecorded: true });
    await e.start(
      flowOf(
        [
          ['src', 'chaos-source'],
          ['c', 'chaos', chaosDoing('double-settle', { maxDelayMs: 0 })],
          ['slow', 'test-sink', { delayMs: 30 }],
          ['sink', 'test-sink'],
        ],
        [
          ['src', 'c'],
          ['src', 'slow'],
          ['c', 'sink'],
        ],
      ),
    );
    const src = chaosSources.get('src')!;
    const slowAtSettle: number[] = [];
    src.onSettle = () => slowAtSettle.push(sinks.get('slow')!.delivered.length);
    src.push({ n: 1 }, 'x');
    await e.whenIdle(2000);
    expect(outcomesOf('x')).toEqual([{ ok: true }]);
    expect(slowAtSettle).toEqual([1]); // not acked before the slow branch delivered
    expect(e.counters().c).toMatchObject({ in: 1, out: 1, failed: 0, inFlight: 0 });
  });
});

describe('settle callbacks that throw', () => {
  it('a throwing settle callback breaks nothing: every message settles once and the flow goes on', async () => {
    const e = newEngine();
    await e.start(
      flowOf(
        [
          ['src', 'chaos-source'],
          ['f', 'filter', { condition: 'payload.n % 2 = 0' }],
          ['sink', 'test-sink', { delayMs: 1 }],
        ],
        [
          ['src', 'f'],
          ['f', 'sink'],
        ],
        { maxInFlight: 4 },
      ),
    );
    const src = chaosSources.get('src')!;
    for (let i = 0; i < 50; i++) {
      const w = src.push({ n: i }, `m${i}`, { throwInSettle: i % 3 === 0 });
      if (w) await w;
    }
    await e.whenIdle(2000);
    for (let i = 0; i < 50; i++) expect(outcomesOf(`m${i}`)).toEqual([{ ok: true }]);
    expect(src.ingestErrors).toEqual([]);
    expect(e.counters().src).toMatchObject({ acked: 50, nacked: 0, inFlight: 0 });
  });

  it('a refused ingest (flow stopped) settles once with a nack and does not throw out of ingest', async () => {
    const e = newEngine();
    await e.start(
      flowOf(
        [
          ['src', 'chaos-source'],
          ['sink', 'test-sink'],
        ],
        [['src', 'sink']],
      ),
    );
    const src = chaosSources.get('src')!;
    await e.stop();
    expect(src.push({ n: 1 }, 'late', { throwInSettle: true })).toBeUndefined();
    expect(src.ingestErrors.map(String)).toEqual([]);
    expect(outcomesOf('late')).toEqual([{ ok: false, reason: 'the flow is not running' }]);
  });
});

describe('stop and redeploy edges', () => {
  it('a message ingested while the flow is stopping is settled by the time stop() returns', async () => {
    const e = newEngine();
    await e.start(
      flowOf(
        [
          ['src', 'chaos-source'],
          ['slow', 'chaos', chaosDoing('pass', { stopDelayMs: 60 })],
          ['sink', 'test-sink', { delayMs: 150 }],
        ],
        [
          ['src', 'slow'],
          ['slow', 'sink'],
        ],
      ),
    );
    const src = chaosSources.get('src')!;
    src.push({ n: 0 }, 'before');
    const stopping = e.stop({ deadlineMs: 10 });
    src.push({ n: 1 }, 'draining'); // ingested during the drain
    await sleep(30); // past the deadline, while "slow" is stopping
    src.push({ n: 2 }, 'after-sweep');
    const report = await stopping;
    expect(report.nackedAtDeadline).toBeGreaterThanOrEqual(2);
    for (const id of ['before', 'draining', 'after-sweep']) {
      expect(outcomesOf(id), id).toEqual([{ ok: false, reason: expect.any(String) }]);
    }
    await sleep(200); // late completions: no second settle
    for (const id of ['before', 'draining', 'after-sweep']) expect(outcomesOf(id), id).toHaveLength(1);
    expect(e.counters().src).toMatchObject({ inFlight: 0 });
  });

  it('a late completion after stop settles nothing twice and moves nothing further (no handle on stopped nodes)', async () => {
    const e = newEngine();
    await e.start(
      flowOf(
        [
          ['src', 'chaos-source'],
          ['c', 'chaos', chaosDoing('later', { maxDelayMs: 60 })],
          ['r', 'chaos', chaosDoing('reject', { maxDelayMs: 60 })],
          ['sink', 'test-sink', { delayMs: 40 }],
          ['dead', 'test-sink'],
        ],
        [
          ['src', 'c'],
          ['src', 'r'],
          ['c', 'sink'],
          ['r:error', 'dead'],
        ],
      ),
    );
    const src = chaosSources.get('src')!;
    for (let i = 0; i < 10; i++) src.push({ n: i, chaos: { c: 'later', r: 'reject' } }, `m${i}`);
    const report = await e.stop({ deadlineMs: 0 });
    expect(report.nackedAtDeadline).toBe(10);
    const handled = recorder.deliveries.length;
    await sleep(150);
    for (let i = 0; i < 10; i++)
      expect(outcomesOf(`m${i}`)).toEqual([{ ok: false, reason: 'flow stopped before the message was delivered' }]);
    const after = recorder.deliveries.slice(handled).map((d) => `${d.node}:${d.msgId}`);
    expect(after, 'handle calls on nodes of a stopped flow').toEqual([]);
  });

  it("after a redeploy, the old flow's late failures do not reach the new flow's error route", async () => {
    const e = newEngine();
    await e.start(
      flowOf(
        [
          ['src', 'chaos-source'],
          ['r', 'chaos', chaosDoing('reject', { maxDelayMs: 50 })],
          ['sink', 'test-sink'],
        ],
        [
          ['src', 'r'],
          ['r', 'sink'],
        ],
      ),
    );
    const old = chaosSources.get('src')!;
    for (let i = 0; i < 5; i++) old.push({ n: i }, `old${i}`);
    await e.deploy(
      flowOf(
        [
          ['src', 'chaos-source'],
          ['sink', 'test-sink'],
          ['dead', 'test-sink'],
        ],
        [['src', 'sink']],
        { errorRoute: 'dead' },
      ),
      { deadlineMs: 0 },
    );
    for (let i = 0; i < 5; i++) expect(old.outcomes.get(`old${i}`)).toHaveLength(1);
    await sleep(100); // the old node rejects now
    expect(sinks.get('dead')!.delivered.map((m) => m.id)).toEqual([]);
    expect(e.counters().dead).toMatchObject({ in: 0 });
  });

  it("after a redeploy, the old flow's source cannot ingest into the stopped flow", async () => {
    const e = newEngine();
    const v = (delayMs: number) =>
      flowOf(
        [
          ['src', 'chaos-source'],
          ['sink', 'test-sink', { delayMs }],
        ],
        [['src', 'sink']],
      );
    await e.start(v(100));
    const old = chaosSources.get('src')!;
    await e.deploy(v(0));
    old.push({ n: 1 }, 'stray');
    expect(old.outcomes.get('stray')).toEqual([{ ok: false, reason: 'the flow is not running' }]);
    expect(e.inFlight()).toBe(0);
    expect(e.counters().src).toMatchObject({ out: 0 });
  });

  it('stop() while start() is still starting nodes leaves the engine stopped', async () => {
    const e = newEngine();
    const starting = e.start(
      flowOf(
        [
          ['src', 'chaos-source'],
          ['fn', 'function', { code: 'return msg;' }],
          ['sink', 'test-sink'],
        ],
        [
          ['src', 'fn'],
          ['fn', 'sink'],
        ],
      ),
    );
    await sleep(0);
    const stopped = e.stop({ deadlineMs: 0 });
    await Promise.allSettled([starting, stopped]);
    expect(e.running).toBe(false);
  });
});
