/** The flow manager: one engine per flow; deploy, stop and redeploy of one flow never touch another. */
import { afterEach, describe, expect, it } from 'vitest';
import { StartupError } from '../../src/runtime/errors.js';
import { FlowManager, type FlowStateEvent, RolledBackError } from '../../src/runtime/flow-manager.js';
import { defineNode, Type } from '../../src/spec/index.js';
import { flowOf, loadTestRuntime, testCatalog } from '../support/test-nodes.js';

/** A sink whose start never finishes (a client waiting for ever on a broker that never answers). */
const hangStart = defineNode({
  type: 'test-hang-start',
  version: 1,
  category: 'sink',
  title: 'Hangs on start',
  summary: '',
  docs: '',
  inputs: [{ name: 'in', required: true }],
  outputs: [],
  config: Type.Object({}),
});

let manager: FlowManager | undefined;
afterEach(async () => {
  await manager?.close({ deadlineMs: 0 });
  manager = undefined;
});

function newManager(): FlowManager {
  manager = new FlowManager({ catalog: testCatalog, loadRuntime: loadTestRuntime });
  return manager;
}

/** generate -> sink; `sinkDelayMs` makes its drain slow. */
const ticking = (prefix: string, o: { topic?: string; sinkDelayMs?: number } = {}) =>
  flowOf(
    [
      [`${prefix}-gen`, 'generate', { intervalMs: 5, topic: o.topic ?? 't' }],
      [`${prefix}-sink`, 'test-sink', { delayMs: o.sinkDelayMs ?? 0 }],
    ],
    [[`${prefix}-gen`, `${prefix}-sink`]],
  );

const outOf = (m: FlowManager, id: string, node: string) => m.get(id)?.engine.nodeCounters(node)?.out ?? 0;

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('FlowManager', () => {
  it('runs two flows at once; redeploying one leaves the other running on the same engine, counters rising', async () => {
    const m = newManager();
    await m.deploy('a', ticking('a1'), 1);
    await m.deploy('b', ticking('b1'), 1);
    expect(m.flows().map((f) => [f.id, f.state, f.revision])).toEqual([
      ['a', 'running', 1],
      ['b', 'running', 1],
    ]);
    const engineA = m.get('a')!.engine;
    await until(() => outOf(m, 'a', 'a1-gen') > 3 && outOf(m, 'b', 'b1-gen') > 3);

    const before = outOf(m, 'a', 'a1-gen');
    const states: FlowStateEvent[] = [];
    m.on('state', (e: FlowStateEvent) => states.push(e));
    await m.deploy('b', ticking('b2'), 2);
    await until(() => outOf(m, 'a', 'a1-gen') > before + 5);
    expect(m.get('a')!.engine).toBe(engineA);
    expect(m.get('a')!.state).toBe('running');
    expect(m.get('b')).toMatchObject({ state: 'running', revision: 2 });
    // Only b went through stopping and starting.
    expect(states.map((s) => `${s.flowId}:${s.state}`)).toEqual(['b:stopping', 'b:starting', 'b:running']);
  });

  it('a slow drain of one flow does not delay deploying another (per-flow serialisation)', async () => {
    const m = newManager();
    await m.deploy('slow', ticking('s', { sinkDelayMs: 400 }), 1);
    await until(() => (m.get('slow')!.engine.inFlight() ?? 0) > 0);
    const stopping = m.stop('slow');
    await m.deploy('quick', ticking('q'), 1);
    // The quick deploy finished while the slow flow was still draining.
    expect(m.get('slow')!.state).toBe('stopping');
    expect(m.get('quick')!.state).toBe('running');
    const report = await stopping;
    expect(report.nackedAtDeadline).toBe(0);
    expect(m.get('slow')!.state).toBe('stopped');
  });

  it('a first deploy that fails leaves the flow failed, its engine stopped, and others untouched', async () => {
    const m = newManager();
    await m.deploy('ok', ticking('ok'), 1);
    await expect(m.deploy('bad', ticking('bad', { topic: '${env:SLUICE_TEST_FM_UNSET}' }), 3)).rejects.toThrow(
      /SLUICE_TEST_FM_UNSET is not set/,
    );
    expect(m.get('bad')).toMatchObject({ state: 'failed', revision: 3 });
    expect(m.get('bad')!.error).toMatch(/SLUICE_TEST_FM_UNSET/);
    expect(m.get('bad')!.engine.running).toBe(false);
    expect(m.get('ok')!.state).toBe('running');
    // Stopping a failed flow acknowledges it; deploying it fixed works.
    await m.stop('bad');
    expect(m.get('bad')).toMatchObject({ state: 'stopped' });
    expect(m.get('bad')!.error).toBeUndefined();
    await m.deploy('bad', ticking('bad'), 4);
    expect(m.get('bad')).toMatchObject({ state: 'running', revision: 4 });
  });

  it('a redeploy that fails to start brings the previous revision back', async () => {
    const m = newManager();
    await m.deploy('r', ticking('r1'), 1);
    const err = await m.deploy('r', ticking('r2', { topic: '${env:SLUICE_TEST_FM_UNSET}' }), 2).catch((e) => e);
    expect(err).toBeInstanceOf(RolledBackError);
    expect((err as RolledBackError).restoredRevision).toBe(1);
    expect(String(err.message)).toMatch(/SLUICE_TEST_FM_UNSET is not set .*previous revision 1 runs again/);
    const r = m.get('r')!;
    expect(r).toMatchObject({ state: 'running', revision: 1 });
    expect(r.error).toMatch(/revision 2 failed to start/);
    const n = outOf(m, 'r', 'r1-gen');
    await until(() => outOf(m, 'r', 'r1-gen') > n + 3);
  });

  it('an invalid document is refused before the running revision is touched', async () => {
    const m = newManager();
    await m.deploy('v', ticking('v1'), 1);
    const engine = m.get('v')!.engine;
    const bad = flowOf([['lonely', 'debug', {}]], []);
    await expect(m.deploy('v', bad, 2)).rejects.toBeInstanceOf(StartupError);
    expect(m.get('v')!.engine).toBe(engine);
    expect(m.get('v')).toMatchObject({ state: 'running', revision: 1 });
  });

  it('stopAll drains every flow and sums what was left; close refuses later deploys', async () => {
    const m = newManager();
    await m.deploy('x', ticking('x'), 1);
    await m.deploy('y', ticking('y'), 1);
    const report = await m.close();
    expect(Object.keys(report.flows).sort()).toEqual(['x', 'y']);
    expect(report.nackedAtDeadline).toBe(0);
    expect(report.notStopped).toEqual([]);
    expect(m.flows().every((f) => f.state === 'stopped')).toBe(true);
    await expect(m.deploy('x', ticking('x'), 2)).rejects.toThrow(/shutting down/);
  });

  it('a shutdown does not wait for ever on a flow whose start hangs; the others stop normally', async () => {
    const m = new FlowManager({
      catalog: { ...testCatalog, nodes: [...testCatalog.nodes, hangStart] },
      loadRuntime: async (type) =>
        type === 'test-hang-start'
          ? () => ({ start: () => new Promise<void>(() => undefined) })
          : loadTestRuntime(type),
      startGraceMs: 200,
    });
    manager = m;
    await m.deploy('fine', ticking('fine'), 1);
    const hanging = flowOf(
      [
        ['h-gen', 'generate', { intervalMs: 5 }],
        ['h-sink', 'test-hang-start', {}],
      ],
      [['h-gen', 'h-sink']],
      { drainTimeoutMs: 0, stopTimeoutMs: 100 },
    );
    void m.deploy('hangs', hanging, 1).catch(() => undefined);
    await until(() => m.get('hangs')?.state === 'starting');
    const report = await m.close();
    expect(report.flows.fine).toBeDefined();
    expect(report.notStopped).toEqual([expect.stringMatching(/^hangs: flow \(still starting after \d+ ms\)$/)]);
    expect(m.get('fine')!.state).toBe('stopped');
  });
});
