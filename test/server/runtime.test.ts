import { afterEach, describe, expect, it } from 'vitest';
import type { ApiErrorBody, FlowRuntimeView, FlowSummary, RuntimeView } from '../../src/server/protocol.js';
import { call, edge, eventually, flowDoc, startServer, type TestServer } from './support.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const ticking = (id: string) =>
  flowDoc(
    id,
    [
      { id: 'gen', type: 'generate', config: { intervalMs: 5, payload: '{"n": $seq}' } },
      { id: 'dbg', type: 'debug', config: { keep: 10 } },
    ],
    [edge('gen', 'dbg')],
  );

const NONE: FlowRuntimeView = { flowId: '', revision: null, state: 'stopped', statuses: {}, counters: {} };

/** One flow's view from the runtime list (an empty stopped view when the runtime does not know it). */
async function runtime(t: TestServer, id: string): Promise<FlowRuntimeView> {
  const all = (await call<RuntimeView>(t.app, 'GET', '/api/runtime')).body;
  return all.flows.find((f) => f.flowId === id) ?? NONE;
}

describe('deploy, status, counters, stop', () => {
  it('deploys a saved flow; counters rise; the debug snapshot has the messages; stop drains', async () => {
    t = await startServer();
    await call(t.app, 'POST', '/api/flows', { flow: ticking('tick') });
    expect((await call<RuntimeView>(t.app, 'GET', '/api/runtime')).body).toEqual({ flows: [] });

    const deployed = await call<{ deployed: boolean }>(t.app, 'POST', '/api/flows/tick/deploy');
    expect(deployed.status).toBe(200);
    expect(deployed.body.deployed).toBe(true);

    const first = await eventually(async () => {
      const r = await runtime(t!, 'tick');
      return r.counters.dbg?.in >= 5 ? r : undefined;
    });
    expect(first).toMatchObject({ flowId: 'tick', revision: 1, state: 'running' });
    expect(first.statuses).toEqual({ gen: { state: 'running' }, dbg: { state: 'running' } });
    expect(first.counters.gen.acked).toBeGreaterThan(0);
    const later = await eventually(async () => {
      const r = await runtime(t!, 'tick');
      return r.counters.dbg.in > first.counters.dbg.in + 5 ? r : undefined;
    });
    expect(later.counters.gen.out).toBeGreaterThan(first.counters.gen.out);

    const listed = await call<FlowSummary[]>(t.app, 'GET', '/api/flows');
    expect(listed.body).toEqual([expect.objectContaining({ id: 'tick', deployed: true })]);

    const snap = await call<{ count: number; messages: Array<{ payload: { n: number } }> }>(
      t.app,
      'GET',
      '/api/runtime/flows/tick/debug/dbg',
    );
    expect(snap.status).toBe(200);
    expect(snap.body.count).toBeGreaterThanOrEqual(10);
    expect(snap.body.messages).toHaveLength(10);
    expect(snap.body.messages[9].payload.n).toBeGreaterThan(snap.body.messages[0].payload.n);
    expect((await call<ApiErrorBody>(t.app, 'GET', '/api/runtime/flows/tick/debug/ghost')).body.error.code).toBe(
      'unknown-node',
    );
    expect((await call<ApiErrorBody>(t.app, 'GET', '/api/runtime/flows/ghost/debug/dbg')).body.error.code).toBe(
      'not-running',
    );
    expect((await call<FlowRuntimeView>(t.app, 'GET', '/api/runtime/flows/tick')).body.flowId).toBe('tick');

    const stopped = await call<{ stopped: boolean; flowId: string; notStopped: string[] }>(
      t.app,
      'POST',
      '/api/flows/tick/stop',
    );
    expect(stopped.body).toMatchObject({ stopped: true, flowId: 'tick', notStopped: [] });
    const after = await runtime(t, 'tick');
    expect(after.state).toBe('stopped');
    expect(after.statuses.gen.state).toBe('stopped');
    // Drained: everything ingested was settled.
    expect(after.counters.gen.acked).toBe(after.counters.gen.out);
    await new Promise((r) => setTimeout(r, 50));
    expect((await runtime(t, 'tick')).counters.gen.out).toBe(after.counters.gen.out);
  });

  it('an invalid flow is refused with its problems, and the running flow keeps running', async () => {
    t = await startServer();
    await call(t.app, 'POST', '/api/flows', { flow: ticking('good') });
    await call(t.app, 'POST', '/api/flows', {
      flow: flowDoc('bad', [{ id: 'dbg', type: 'debug', config: { keep: 0 } }]),
    });
    expect((await call(t.app, 'POST', '/api/flows/good/deploy')).status).toBe(200);

    const res = await call<ApiErrorBody>(t.app, 'POST', '/api/flows/bad/deploy');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid-flow');
    expect(res.body.error.problems?.map((p) => p.path)).toEqual(
      expect.arrayContaining(['/nodes/0/config/keep', '/nodes/0']),
    );

    const r = await runtime(t, 'good');
    expect(r).toMatchObject({ flowId: 'good', state: 'running' });
    const n = r.counters.gen.out;
    await eventually(async () => ((await runtime(t!, 'good')).counters.gen.out > n ? true : undefined));
  });

  it('a start-up failure is a 400 with its reason', async () => {
    t = await startServer();
    const flow = ticking('env');
    (flow.nodes[0] as { config: Record<string, unknown> }).config.topic = '${env:SLUICE_TEST_SURELY_UNSET}';
    await call(t.app, 'POST', '/api/flows', { flow });
    const res = await call<ApiErrorBody>(t.app, 'POST', '/api/flows/env/deploy');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('startup-failed');
    expect(res.body.error.message).toMatch(/SLUICE_TEST_SURELY_UNSET is not set/);
    const failed = await runtime(t, 'env');
    expect(failed).toMatchObject({ flowId: 'env', state: 'failed', revision: 1 });
    expect(failed.error).toMatch(/SLUICE_TEST_SURELY_UNSET/);
  });

  it('a running flow cannot be deleted; a missing one cannot be deployed', async () => {
    t = await startServer();
    await call(t.app, 'POST', '/api/flows', { flow: ticking('busy') });
    await call(t.app, 'POST', '/api/flows/busy/deploy');
    const del = await call<ApiErrorBody>(t.app, 'DELETE', '/api/flows/busy');
    expect(del.status).toBe(409);
    expect(del.body.error.code).toBe('flow-deployed');
    expect((await call(t.app, 'POST', '/api/flows/ghost/deploy')).status).toBe(404);
  });

  it('deploying a second flow runs both; stop acts on one flow; stop-all stops the rest', async () => {
    t = await startServer();
    await call(t.app, 'POST', '/api/flows', { flow: ticking('a') });
    await call(t.app, 'POST', '/api/flows', { flow: ticking('b') });
    await call(t.app, 'POST', '/api/flows/a/deploy');
    await call(t.app, 'POST', '/api/flows/b/deploy');
    expect(await runtime(t, 'a')).toMatchObject({ state: 'running' });
    expect(await runtime(t, 'b')).toMatchObject({ state: 'running' });
    const listed = await call<FlowSummary[]>(t.app, 'GET', '/api/flows');
    expect(listed.body.map((f) => [f.id, f.deployed])).toEqual([
      ['a', true],
      ['b', true],
    ]);
    expect((await call(t.app, 'POST', '/api/flows/a/stop')).status).toBe(200);
    expect((await runtime(t, 'a')).state).toBe('stopped');
    const n = (await runtime(t, 'b')).counters.gen.out;
    await eventually(async () => ((await runtime(t!, 'b')).counters.gen.out > n ? true : undefined));
    const all = await call<{ stopped: boolean; flows: Record<string, unknown> }>(t.app, 'POST', '/api/runtime/stop');
    expect(Object.keys(all.body.flows).sort()).toEqual(['a', 'b']);
    expect((await runtime(t, 'b')).state).toBe('stopped');
  });
});
