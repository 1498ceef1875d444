import { afterEach, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../src/runtime/engine.js';
import { StartupError } from '../../src/runtime/errors.js';
import type { SluiceLogger } from '../../src/runtime/log.js';
import type { NodeStatus } from '../../src/spec/runtime-contract.js';
import { captureLog, WARN } from '../support/capture-log.js';
import { flowOf, loadTestRuntime, sinks, sources, testCatalog } from '../support/test-nodes.js';

let engine: Engine | undefined;

function newEngine(env: Record<string, string> = {}, log?: SluiceLogger) {
  engine = new Engine({
    log,
    catalog: testCatalog,
    loadRuntime: loadTestRuntime,
    resolve: {
      env,
      readFile: () => {
        throw Object.assign(new Error('no'), { code: 'ENOENT' });
      },
    },
  });
  return engine;
}

afterEach(async () => {
  await engine?.stop({ deadlineMs: 100 });
  engine = undefined;
});

/** Every pushed id settled exactly once. */
function settledOnce(outcomes: Map<string, unknown[]>, ids: string[]) {
  for (const id of ids) expect(outcomes.get(id)?.length, `outcomes of ${id}`).toBe(1);
}

describe('engine: acks by lineage', () => {
  it('acks a message only after the sink delivered it, through transform and filter', async () => {
    const e = newEngine();
    await e.start(
      flowOf(
        [
          ['src', 'test-source'],
          ['map', 'transform', { expression: '{"v": payload.n * 2, "keep": payload.n % 2 = 0}' }],
          ['even', 'filter', { condition: 'payload.keep' }],
          ['sink', 'test-sink', { delayMs: 20 }],
        ],
        [
          ['src', 'map'],
          ['map', 'even'],
          ['even', 'sink'],
        ],
      ),
    );
    const src = sources.get('src')!;
    const ids = Array.from({ length: 100 }, (_, i) => `m${i}`);
    for (const [i, id] of ids.entries()) await src.push({ n: i }, id);
    // Messages for the sink are not acked before its (delayed) delivery.
    expect(src.outcomes.get('m0')).toBeUndefined();
    expect(src.outcomes.get('m1')).toEqual([{ ok: true }]); // odd: dropped by the filter, acked at once
    await e.whenIdle();
    settledOnce(src.outcomes, ids);
    expect([...src.outcomes.values()].every((o) => (o[0] as { ok: boolean }).ok)).toBe(true);
    const sink = sinks.get('sink')!;
    expect(sink.delivered.map((m) => (m.payload as { v: number }).v)).toEqual(
      Array.from({ length: 50 }, (_, i) => i * 4),
    );
    const c = e.counters();
    expect(c.src).toMatchObject({ out: 100, acked: 100, nacked: 0, inFlight: 0 });
    expect(c.map).toMatchObject({ in: 100, out: 100, dropped: 0, failed: 0, inFlight: 0 });
    expect(c.even).toMatchObject({ in: 100, out: 50, dropped: 50, failed: 0, inFlight: 0 });
    expect(c.sink).toMatchObject({ in: 50, out: 50, failed: 0, inFlight: 0 });
    // One node's counters are the same figures (a copy), and nothing for a node that is not in the flow.
    expect(e.nodeCounters('src')).toEqual(c.src);
    expect(e.nodeCounters('even')).toEqual(c.even);
    expect(e.nodeCounters('nope')).toBeUndefined();
  });

  it('fan-out: each branch has its own copy and the ack waits for the slowest branch', async () => {
    const e = newEngine();
    await e.start(
      flowOf(
        [
          ['src', 'test-source'],
          ['fast', 'test-sink', { mutate: true }],
          ['slow', 'test-sink', { delayMs: 600, mutate: true }],
          ['watch', 'debug'],
        ],
        [
          ['src', 'fast'],
          ['src', 'slow'],
          ['src', 'watch'],
        ],
      ),
    );
    const src = sources.get('src')!;
    await src.push({ n: 1 }, 'a');
    await new Promise((r) => setTimeout(r, 30));
    expect(sinks.get('fast')!.delivered).toHaveLength(1);
    expect(src.outcomes.get('a')).toBeUndefined(); // the slow branch has not delivered yet
    await e.whenIdle();
    expect(src.outcomes.get('a')).toEqual([{ ok: true }]);
    expect(sinks.get('fast')!.delivered[0].payload).toEqual({ n: 1, mutated: 'fast' });
    expect(sinks.get('slow')!.delivered[0].payload).toEqual({ n: 1, mutated: 'slow' });
    const kept = e.snapshot('watch') as { messages: Array<{ payload: unknown }> };
    expect(kept.messages[0].payload).toEqual({ n: 1 });
  });

  it('switch: routes to rule outputs and otherwise; an unwired otherwise is a deliberate drop', async () => {
    const e = newEngine();
    await e.start(
      flowOf(
        [
          ['src', 'test-source'],
          [
            'route',
            'switch',
            {
              rules: [
                { port: 'hot', condition: 'payload.t > 30' },
                { port: 'warm', condition: 'payload.t > 20' },
              ],
              mode: 'all',
            },
          ],
          ['hot', 'test-sink'],
          ['warm', 'test-sink', { mutate: true }],
        ],
        [
          ['src', 'route'],
          ['route:hot', 'hot'],
          ['route:warm', 'warm'],
        ],
      ),
    );
    const src = sources.get('src')!;
    await src.push({ t: 35 }, 'both');
    await src.push({ t: 25 }, 'warm-only');
    await src.push({ t: 5 }, 'none');
    await e.whenIdle();
    settledOnce(src.outcomes, ['both', 'warm-only', 'none']);
    expect(sinks.get('hot')!.delivered.map((m) => m.id)).toEqual(['both']);
    expect(sinks.get('warm')!.delivered.map((m) => m.id)).toEqual(['both', 'warm-only']);
    expect(sinks.get('hot')!.delivered[0].payload).toEqual({ t: 35 }); // not mutated by the other branch
    expect(e.counters().route).toMatchObject({ in: 3, out: 4, dropped: 0 });
  });

  it('first-match switch sends each message to exactly one port', async () => {
    const e = newEngine();
    await e.start(
      flowOf(
        [
          ['src', 'test-source'],
          [
            'route',
            'switch',
            {
              rules: [
                { port: 'hot', condition: 'payload.t > 30' },
                { port: 'warm', condition: 'payload.t > 20' },
              ],
            },
          ],
          ['hot', 'test-sink'],
          ['warm', 'test-sink'],
          ['rest', 'test-sink'],
        ],
        [
          ['src', 'route'],
          ['route:hot', 'hot'],
          ['route:warm', 'warm'],
          ['route:otherwise', 'rest'],
        ],
      ),
    );
    const src = sources.get('src')!;
    for (const t of [35, 25, 5, 40]) await src.push({ t }, `t${t}`);
    await e.whenIdle();
    expect(sinks.get('hot')!.delivered.map((m) => m.id)).toEqual(['t35', 't40']);
    expect(sinks.get('warm')!.delivered.map((m) => m.id)).toEqual(['t25']);
    expect(sinks.get('rest')!.delivered.map((m) => m.id)).toEqual(['t5']);
  });
});

describe('engine: failures', () => {
  const badJson = (errorWiring: 'port' | 'route' | 'none', onError?: 'drop' | 'ack') =>
    flowOf(
      [
        ['src', 'test-source'],
        ['parse', 'json', { action: 'parse' }],
        ['sink', 'test-sink'],
        ...(errorWiring === 'none' ? [] : ([['dead', 'test-sink']] as Array<[string, string]>)),
      ],
      [
        ['src', 'parse'],
        ['parse', 'sink'],
        ...(errorWiring === 'port' ? ([['parse:error', 'dead']] as const) : []),
      ].map((e) => [e[0], e[1]] as [string, string]),
      {
        ...(errorWiring === 'route' ? { errorRoute: 'dead' } : {}),
        ...(onError ? { onError } : {}),
      },
    );

  it('a node error goes to the wired error port with the reason; the flow goes on', async () => {
    const e = newEngine();
    await e.start(badJson('port'));
    const src = sources.get('src')!;
    await src.push('{"ok":1}', 'good1');
    await src.push('{not json', 'bad');
    await src.push('{"ok":2}', 'good2');
    await e.whenIdle();
    settledOnce(src.outcomes, ['good1', 'bad', 'good2']);
    expect(src.outcomes.get('bad')).toEqual([{ ok: true }]);
    expect(sinks.get('sink')!.delivered.map((m) => m.payload)).toEqual([{ ok: 1 }, { ok: 2 }]);
    const dead = sinks.get('dead')!.delivered;
    expect(dead.map((m) => m.id)).toEqual(['bad']);
    expect(dead[0].headers['sluice-error']).toMatch(/payload is not valid JSON/);
    expect(dead[0].headers['sluice-error-node']).toBe('parse');
    expect(e.counters().parse).toMatchObject({ in: 3, out: 2, failed: 1, inFlight: 0 });
  });

  it('without an error port, the flow error route takes it', async () => {
    const e = newEngine();
    await e.start(badJson('route'));
    const src = sources.get('src')!;
    await src.push('nope', 'bad');
    await e.whenIdle();
    expect(src.outcomes.get('bad')).toEqual([{ ok: true }]);
    expect(sinks.get('dead')!.delivered[0].headers['sluice-error']).toMatch(/not valid JSON/);
  });

  it('with neither, a deterministic failure is logged at warn and dropped (acked) under either policy', async () => {
    for (const onError of [undefined, 'drop', 'ack'] as const) {
      const { log, lines } = captureLog();
      const e = newEngine({}, log);
      await e.start({ ...badJson('none', onError), id: 'bad-json' });
      await sources.get('src')!.push('nope', 'bad');
      await sources.get('src')!.push('{"ok":1}', 'good');
      await e.whenIdle();
      expect(sources.get('src')!.outcomes.get('bad')).toEqual([
        { ok: true, dropped: expect.stringMatching(/^node "parse": payload is not valid JSON/) },
      ]);
      expect(sources.get('src')!.outcomes.get('good')).toEqual([{ ok: true }]);
      expect(e.counters().src).toMatchObject({ acked: 2, nacked: 0 });
      expect(e.counters().parse).toMatchObject({ failed: 1 });
      const warns = lines.filter((l) => l.level === WARN && l.node === 'parse');
      expect(warns).toEqual([
        expect.objectContaining({ flow: 'bad-json', kind: 'deterministic', msg: expect.stringMatching(/dropped/) }),
      ]);
      await e.stop();
    }
  });

  it('failure logs: at most 10 lines per node per 10 s; the next line says how many were left out', async () => {
    const { log, lines } = captureLog();
    const e = newEngine({}, log);
    await e.start(badJson('none'));
    const src = sources.get('src')!;
    for (let i = 0; i < 12; i++) await src.push('nope', `bad${i}`);
    await e.whenIdle();
    const warns = () => lines.filter((l) => l.level === WARN && l.node === 'parse');
    expect(warns()).toHaveLength(10);
    const later = Date.now() + 11_000;
    const now = vi.spyOn(Date, 'now').mockImplementation(() => later);
    try {
      await src.push('nope', 'bad12');
      await e.whenIdle();
    } finally {
      now.mockRestore();
    }
    expect(warns()).toHaveLength(11);
    expect(warns()[10]).toMatchObject({ notLogged: 2, kind: 'deterministic' });
    expect(e.counters().parse).toMatchObject({ failed: 13 });
  });

  it('with neither, a transient failure (a sink) is nacked (policy drop) or acked (policy ack)', async () => {
    const sinkFails = (onError?: 'drop' | 'ack') =>
      flowOf(
        [
          ['src', 'test-source'],
          ['sink', 'test-sink'],
        ],
        [['src', 'sink']],
        onError ? { onError } : {},
      );
    const e = newEngine();
    await e.start(sinkFails());
    await sources.get('src')!.push({ fail: true }, 'down');
    await e.whenIdle();
    expect(sources.get('src')!.outcomes.get('down')).toEqual([
      { ok: false, reason: expect.stringMatching(/^test-sink "sink": sink rejected/) },
    ]);
    await e.stop();

    const e2 = newEngine();
    await e2.start(sinkFails('ack'));
    await sources.get('src')!.push({ fail: true }, 'down');
    await e2.whenIdle();
    expect(sources.get('src')!.outcomes.get('down')).toEqual([
      { ok: true, dropped: expect.stringMatching(/^test-sink "sink": sink rejected/) },
    ]);
  });

  describe('a transient failure (a sink down) with an error port or route wired', () => {
    const downSink = (wiring: 'port' | 'route', settings: Record<string, unknown> = {}) =>
      flowOf(
        [
          ['src', 'test-source'],
          ['sink', 'test-sink'],
          ['dead', 'test-sink', { failFlagged: false }],
        ],
        [['src', 'sink'], ...(wiring === 'port' ? ([['sink:error', 'dead']] as Array<[string, string]>) : [])],
        { ...(wiring === 'route' ? { errorRoute: 'dead' } : {}), ...settings },
      );

    for (const wiring of ['port', 'route'] as const) {
      it(`is nacked and redelivered, not sent to the error ${wiring} (at least once)`, async () => {
        const { log, lines } = captureLog();
        const e = newEngine({}, log);
        await e.start(downSink(wiring));
        await sources.get('src')!.push({ fail: true }, 'down');
        await e.whenIdle();
        expect(sources.get('src')!.outcomes.get('down')).toEqual([
          { ok: false, reason: expect.stringMatching(/^test-sink "sink": sink rejected/) },
        ]);
        expect(sinks.get('dead')!.delivered).toEqual([]);
        expect(lines.filter((l) => l.level === WARN && l.node === 'sink')).toEqual([
          expect.objectContaining({ kind: 'transient', msg: expect.stringMatching(/nacked/) }),
        ]);
        await e.stop();
      });

      it(`goes to the error ${wiring} with transientFailures "route"`, async () => {
        const e = newEngine();
        await e.start(downSink(wiring, { transientFailures: 'route' }));
        await sources.get('src')!.push({ fail: true }, 'down');
        await e.whenIdle();
        expect(sources.get('src')!.outcomes.get('down')).toEqual([{ ok: true }]);
        expect(sinks.get('dead')!.delivered.map((m) => m.id)).toEqual(['down']);
        await e.stop();
      });

      it(`goes to the error ${wiring} under onError "ack" (no redelivery to wait for)`, async () => {
        const e = newEngine();
        await e.start(downSink(wiring, { onError: 'ack' }));
        await sources.get('src')!.push({ fail: true }, 'down');
        await e.whenIdle();
        expect(sinks.get('dead')!.delivered.map((m) => m.id)).toEqual(['down']);
        await e.stop();
      });
    }
  });

  it('an error marked with its kind overrides the default of its node (here: a sink error marked deterministic)', async () => {
    const e = newEngine();
    await e.start(
      flowOf(
        [
          ['src', 'test-source'],
          ['sink', 'test-sink', { failKind: 'deterministic' }],
        ],
        [['src', 'sink']],
      ),
    );
    await sources.get('src')!.push({ fail: true }, 'refused');
    await e.whenIdle();
    expect(sources.get('src')!.outcomes.get('refused')).toEqual([
      { ok: true, dropped: expect.stringMatching(/^test-sink "sink": sink rejected/) },
    ]);
  });

  it('a sink failure after delivery attempts nacks the whole lineage, even when another branch delivered', async () => {
    const e = newEngine();
    await e.start(
      flowOf(
        [
          ['src', 'test-source'],
          ['a', 'test-sink'],
          ['b', 'test-sink', { failFlagged: false }],
        ],
        [
          ['src', 'a'],
          ['src', 'b'],
        ],
      ),
    );
    await sources.get('src')!.push({ fail: true }, 'x');
    await e.whenIdle();
    // A sink's failure reads in the one pattern (`<type> "<id>": what; what to do`), naming the node once.
    expect(sources.get('src')!.outcomes.get('x')).toEqual([
      { ok: false, reason: expect.stringMatching(/^test-sink "a": sink rejected the batch; check that the service/) },
    ]);
    expect(sinks.get('b')!.delivered).toHaveLength(1);
  });

  it('the error route failing again ends the lineage instead of looping', async () => {
    const e = newEngine();
    await e.start(
      flowOf(
        [
          ['src', 'test-source'],
          ['parse', 'json'],
          ['dead', 'json'],
          ['sink', 'test-sink'],
        ],
        [
          ['src', 'parse'],
          ['parse', 'sink'],
          ['dead', 'sink'],
        ],
        { errorRoute: 'dead' },
      ),
    );
    await sources.get('src')!.push('bad', 'x');
    await e.whenIdle();
    // Both failures are deterministic (the payload is not JSON): dropped, not redelivered into the same loop.
    expect(sources.get('src')!.outcomes.get('x')).toEqual([
      { ok: true, dropped: expect.stringMatching(/^node "dead": .*not valid JSON/) },
    ]);
  });

  it('batching: messages settle when their batch commits, and a failed batch fails each of its messages', async () => {
    const e = newEngine();
    await e.start(
      flowOf(
        [
          ['src', 'test-source'],
          ['sink', 'test-sink', { batchSize: 10, lingerMs: 1000 }],
        ],
        [['src', 'sink']],
      ),
    );
    const src = sources.get('src')!;
    for (let i = 0; i < 9; i++) await src.push({ i }, `a${i}`);
    await new Promise((r) => setTimeout(r, 20));
    expect(src.outcomes.size).toBe(0); // the batch is not full and linger has not passed
    await src.push({ i: 9 }, 'a9');
    for (let i = 0; i < 9; i++) await src.push({ i }, `b${i}`);
    await src.push({ fail: true }, 'b9');
    await e.whenIdle();
    for (let i = 0; i < 10; i++) {
      expect(src.outcomes.get(`a${i}`)).toEqual([{ ok: true }]);
      expect(src.outcomes.get(`b${i}`)?.[0].ok).toBe(false);
    }
    expect(sinks.get('sink')!.maxPending).toBeGreaterThanOrEqual(10);
    expect(e.counters().sink).toMatchObject({ in: 20, out: 10, failed: 10, inFlight: 0 });
  });
});

describe('engine: back pressure, drain and redeploy', () => {
  it('a fast source into a slow sink: in-flight stays within the window and memory stays bounded (100k messages)', async () => {
    const e = newEngine();
    await e.start(
      flowOf(
        [
          [
            'gen',
            'generate',
            {
              payload: '{"n": $seq, "pad": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}',
              intervalMs: 0,
              count: 100_000,
            },
          ],
          ['sink', 'test-sink', { batchSize: 500, lingerMs: 2, delayMs: 1 }],
        ],
        [['gen', 'sink']],
        { maxInFlight: 1000 },
      ),
    );
    global.gc?.();
    const baseline = process.memoryUsage().heapUsed;
    let peakHeap = 0;
    let peakInFlight = 0;
    const sink = sinks.get('sink')!;
    sink.delivered = new Proxy(sink.delivered, {}); // keep the array but do not count it as leak below
    while (e.counters().gen.acked! < 100_000) {
      await new Promise((r) => setTimeout(r, 5));
      peakInFlight = Math.max(peakInFlight, e.inFlight());
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed - baseline);
      sink.delivered.length = 0; // the sink "wrote" them; the test keeps no history
    }
    expect(peakInFlight).toBeLessThanOrEqual(1000);
    expect(sink.maxPending).toBeLessThanOrEqual(1000);
    expect(peakHeap).toBeLessThan(64 * 1024 * 1024);
    expect(e.counters().gen).toMatchObject({ out: 100_000, acked: 100_000, nacked: 0 });
    expect(e.counters().sink).toMatchObject({ in: 100_000, out: 100_000 });
  }, 60_000);

  it('stop drains in-flight messages before stopping the sinks', async () => {
    const e = newEngine();
    await e.start(
      flowOf(
        [
          ['src', 'test-source'],
          ['sink', 'test-sink', { delayMs: 50 }],
        ],
        [['src', 'sink']],
      ),
    );
    const src = sources.get('src')!;
    for (let i = 0; i < 20; i++) await src.push({ i }, `m${i}`);
    const report = await e.stop({ deadlineMs: 2000 });
    expect(report.nackedAtDeadline).toBe(0);
    expect(sinks.get('sink')!.delivered).toHaveLength(20);
    expect([...src.outcomes.values()].every((o) => o.length === 1 && o[0].ok)).toBe(true);
  });

  it('goes on without a node whose stop does not finish within stopTimeoutMs, and can start again', async () => {
    const e = newEngine();
    const events: Array<{ nodeId: string } & NodeStatus> = [];
    e.on('status', (s) => events.push(s));
    const flow = (stopHangs: boolean) =>
      flowOf(
        [
          ['src', 'test-source'],
          ['stuck', 'test-sink', { stopHangs }],
          ['sink', 'test-sink'],
        ],
        [
          ['src', 'stuck'],
          ['src', 'sink'],
        ],
        { stopTimeoutMs: 100 },
      );
    await e.start(flow(true));
    const src = sources.get('src')!;
    await src.push({ n: 1 }, 'm1');
    await e.whenIdle(1000);
    const report = await e.stop({ deadlineMs: 1000 });
    expect(report.notStopped).toEqual(['node stuck']);
    expect(report.durationMs).toBeLessThan(5000);
    expect(src.outcomes.get('m1')).toEqual([{ ok: true }]);
    const stopped = events.filter((s) => s.state === 'stopped');
    expect(stopped.map((s) => s.nodeId).sort()).toEqual(['sink', 'src', 'stuck']);
    expect(stopped.find((s) => s.nodeId === 'stuck')?.reason).toBe('did not finish stopping within 100 ms');
    expect(stopped.find((s) => s.nodeId === 'sink')?.reason).toBeUndefined();
    // The engine is stopped, not stuck: a new flow starts and delivers.
    await e.start(flow(false));
    await sources.get('src')!.push({ n: 2 }, 'm2');
    await e.whenIdle(1000);
    expect(sources.get('src')!.outcomes.get('m2')).toEqual([{ ok: true }]);
    expect((await e.stop()).notStopped).toEqual([]);
  });

  it('stop past its deadline nacks what is undelivered and acks nothing twice', async () => {
    const e = newEngine();
    await e.start(
      flowOf(
        [
          ['src', 'test-source'],
          ['sink', 'test-sink', { delayMs: 300 }],
        ],
        [['src', 'sink']],
      ),
    );
    const src = sources.get('src')!;
    for (let i = 0; i < 5; i++) await src.push({ i }, `m${i}`);
    const report = await e.stop({ deadlineMs: 20 });
    expect(report.nackedAtDeadline).toBe(5);
    await new Promise((r) => setTimeout(r, 400)); // the sink completes late
    for (let i = 0; i < 5; i++)
      expect(src.outcomes.get(`m${i}`)).toEqual([
        { ok: false, reason: 'flow stopped before the message was delivered' },
      ]);
  });

  it('redeploy drains the old flow: every message settles once, acked ones were delivered', async () => {
    const e = newEngine();
    const v1 = flowOf(
      [
        ['src', 'test-source'],
        ['sink', 'test-sink', { delayMs: 30 }],
      ],
      [['src', 'sink']],
    );
    await e.start(v1);
    const old = sources.get('src')!;
    const oldSink = sinks.get('sink')!;
    for (let i = 0; i < 50; i++) await old.push({ i }, `v1-${i}`);
    const v2 = flowOf(
      [
        ['src', 'test-source'],
        ['double', 'transform', { expression: 'payload.i * 2' }],
        ['sink', 'test-sink'],
      ],
      [
        ['src', 'double'],
        ['double', 'sink'],
      ],
    );
    await e.deploy(v2);
    for (let i = 0; i < 50; i++) expect(old.outcomes.get(`v1-${i}`)).toEqual([{ ok: true }]);
    expect(oldSink.delivered).toHaveLength(50);
    await sources.get('src')!.push({ i: 21 }, 'v2');
    await e.whenIdle();
    expect(sinks.get('sink')!.delivered.map((m) => m.payload)).toEqual([42]);
  });

  it('an invalid redeploy is refused and the running flow keeps running', async () => {
    const e = newEngine();
    await e.start(
      flowOf(
        [
          ['src', 'test-source'],
          ['sink', 'test-sink'],
        ],
        [['src', 'sink']],
      ),
    );
    await expect(e.deploy({ format: 'sluice/flow@1', nodes: [{ id: 'x', type: 'nope', config: {} }] })).rejects.toThrow(
      /unknown node type "nope"/,
    );
    expect(e.running).toBe(true);
    await sources.get('src')!.push({ ok: 1 }, 'still');
    await e.whenIdle();
    expect(sources.get('src')!.outcomes.get('still')).toEqual([{ ok: true }]);
  });
});

describe('engine: start-up, status and references', () => {
  it('a missing environment variable is a start-up error naming node and field', async () => {
    const e = newEngine({});
    await expect(
      e.start(
        flowOf(
          [
            ['gen', 'generate', { topic: '${env:SLUICE_TOPIC}', count: 1 }],
            ['d', 'debug'],
          ],
          [['gen', 'd']],
        ),
      ),
    ).rejects.toThrow(
      /^generate "gen": field \/topic: environment variable SLUICE_TOPIC is not set .*; set SLUICE_TOPIC/,
    );
  });

  it('resolves references at run time only', async () => {
    const e = newEngine({ SLUICE_TOPIC: 'from/env' });
    await e.start(
      flowOf(
        [
          ['gen', 'generate', { topic: 'x/${env:SLUICE_TOPIC}', count: 3, intervalMs: 0, payload: '$seq' }],
          ['sink', 'test-sink'],
        ],
        [['gen', 'sink']],
      ),
    );
    await new Promise((r) => setTimeout(r, 50));
    await e.whenIdle();
    expect(sinks.get('sink')!.delivered.map((m) => [m.topic, m.payload])).toEqual([
      ['x/from/env', 1],
      ['x/from/env', 2],
      ['x/from/env', 3],
    ]);
  });

  it('publishes status changes per node and starts sinks before sources', async () => {
    const e = newEngine();
    const events: Array<{ nodeId: string } & NodeStatus> = [];
    e.on('status', (s) => events.push(s));
    await e.start(
      flowOf(
        [
          ['src', 'test-source'],
          ['sink', 'test-sink'],
        ],
        [['src', 'sink']],
      ),
    );
    expect(events.map((s) => `${s.nodeId}:${s.state}`)).toEqual(['sink:running', 'src:running']);
    await e.stop();
    expect(events.slice(2).map((s) => `${s.nodeId}:${s.state}`)).toEqual(['src:stopped', 'sink:stopped']);
  });

  it('refuses an invalid flow with every problem', async () => {
    const e = newEngine();
    const err = await e
      .start({ format: 'sluice/flow@1', nodes: [{ id: 'f', type: 'filter', config: { condition: 5 } }] })
      .catch((x: unknown) => x);
    expect(err).toBeInstanceOf(StartupError);
    expect((err as StartupError).problems.map((p) => p.code)).toEqual(['schema', 'unconnected-input']);
  });
});
