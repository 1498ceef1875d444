/**
 * Completion: the one-object alternative to a promise that batching sinks return from `handle`; the engine is told
 * through settleInto, anyone else awaits it. Then the engine's side: acks and failures as with promises.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Completion, isSettleable, type SettleTarget } from '../../src/kit/completion.js';
import { Engine } from '../../src/runtime/engine.js';
import { Lineage, LiveLineages } from '../../src/runtime/lineage.js';
import { flowOf, loadTestRuntime, sinks, sources, testCatalog } from '../support/test-nodes.js';

function recordingTarget() {
  const calls: string[] = [];
  const target: SettleTarget = {
    resolved: () => calls.push('resolved'),
    rejected: (err) => calls.push(`rejected: ${(err as Error).message}`),
  };
  return { target, calls };
}

describe('Completion', () => {
  it('tells its target once, and awaits like a promise', async () => {
    const c = new Completion();
    const { target, calls } = recordingTarget();
    c.settleInto(target);
    expect(calls).toEqual([]);
    const awaited = (async () => {
      await c;
      return 'done';
    })();
    c.resolve();
    c.resolve();
    c.reject(new Error('late'));
    expect(calls).toEqual(['resolved']);
    await expect(awaited).resolves.toBe('done');
    expect(isSettleable(c)).toBe(true);
    expect(isSettleable(Promise.resolve())).toBe(false);
  });

  it('passes a rejection to its target and to awaiters', async () => {
    const c = new Completion();
    const { target, calls } = recordingTarget();
    const awaited = Promise.resolve(c);
    c.settleInto(target);
    c.reject(new Error('broker said no'));
    expect(calls).toEqual(['rejected: broker said no']);
    await expect(awaited).rejects.toThrow('broker said no');
  });

  it('tells a target that comes after settling at once', async () => {
    const ok = new Completion();
    ok.resolve();
    const failed = Completion.rejected(new Error('closed'));
    const a = recordingTarget();
    const b = recordingTarget();
    ok.settleInto(a.target);
    failed.settleInto(b.target);
    expect(a.calls).toEqual(['resolved']);
    expect(b.calls).toEqual(['rejected: closed']);
    await expect(ok).resolves.toBeUndefined();
    await expect(failed).rejects.toThrow('closed');
  });

  it('refuses a second target', () => {
    const c = new Completion();
    c.settleInto(recordingTarget().target);
    expect(() => c.settleInto(recordingTarget().target)).toThrow(/one target only/);
  });

  it('a target that throws does not stop the settling: the error surfaces on its own', async () => {
    const later: Array<() => void> = [];
    const spy = vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((fn) => {
      later.push(fn);
    });
    try {
      const c = new Completion();
      c.settleInto({
        resolved: () => {
          throw new Error('bug in the target');
        },
        rejected: () => undefined,
      });
      const awaited = Promise.resolve(c);
      expect(() => c.resolve()).not.toThrow();
      spy.mockRestore();
      await expect(awaited).resolves.toBeUndefined();
      expect(later).toHaveLength(1);
      expect(() => later[0]()).toThrow('bug in the target');
    } finally {
      spy.mockRestore();
    }
  });
});

describe('engine: a sink that returns a Completion', () => {
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.stop({ deadlineMs: 100 });
    engine = undefined;
  });

  it('acks each message after its batch, and routes a failed batch like a rejected promise', async () => {
    // The engine is told through settleInto: no promise is made per message.
    const then = vi.spyOn(Completion.prototype, 'then');
    engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
    await engine.start(
      flowOf(
        [
          ['src', 'test-source'],
          ['sink', 'test-sink', { completion: true, batchSize: 4, lingerMs: 5, delayMs: 10 }],
          ['dead', 'test-sink', { failFlagged: false }],
        ],
        [['src', 'sink']],
        { errorRoute: 'dead', transientFailures: 'route' },
      ),
    );
    const src = sources.get('src')!;
    for (let i = 0; i < 8; i++) await src.push({ n: i }, `ok${i}`);
    expect(src.outcomes.get('ok0')).toBeUndefined(); // not before the batch landed
    await src.push({ n: 8, fail: true }, 'bad');
    await engine.whenIdle();
    for (let i = 0; i < 8; i++) expect(src.outcomes.get(`ok${i}`)).toEqual([{ ok: true }]);
    expect(sinks.get('sink')!.delivered.map((m) => m.id)).toEqual(Array.from({ length: 8 }, (_, i) => `ok${i}`));
    // The failed message went to the error route (and was acked there), once.
    expect(src.outcomes.get('bad')).toEqual([{ ok: true }]);
    const dead = sinks.get('dead')!.delivered;
    expect(dead.map((m) => m.id)).toEqual(['bad']);
    expect(dead[0].headers['sluice-error']).toMatch(/sink rejected the batch/);
    expect(engine.counters().sink).toMatchObject({ in: 9, out: 8, failed: 1, inFlight: 0 });
    expect(then).not.toHaveBeenCalled();
    then.mockRestore();
  });
});

describe('LiveLineages (the engine list of open lineages)', () => {
  it('adds, removes from anywhere, ignores a second removal and lists what is open', () => {
    const window = { max: 10, inFlight: 0, ingested: 0, acked: 0, nacked: 0, waiters: [] };
    const live = new LiveLineages();
    const [a, b, c] = [new Lineage(window, undefined), new Lineage(window, undefined), new Lineage(window, undefined)];
    live.add(a);
    live.add(b);
    live.add(c);
    expect(live.size).toBe(3);
    live.delete(b); // the middle
    live.delete(b); // again: nothing
    expect(live.size).toBe(2);
    expect(new Set(live.toArray())).toEqual(new Set([a, c]));
    live.delete(c); // the head
    live.delete(a);
    expect(live.size).toBe(0);
    expect(live.toArray()).toEqual([]);
    live.add(b);
    expect(live.toArray()).toEqual([b]);
    // A lineage of another list (a replaced flow's) is not this list's to remove.
    const other = new LiveLineages();
    other.add(a);
    live.delete(a);
    expect([live.size, other.size]).toEqual([1, 1]);
  });
});
