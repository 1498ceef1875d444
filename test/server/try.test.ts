import { afterEach, describe, expect, it } from 'vitest';
import type { ApiErrorBody, TryResult } from '../../src/server/protocol.js';
import { sinks } from '../support/test-nodes.js';
import { call, edge, flowDoc, startServer, type TestServer } from './support.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** source -> transform -> filter -> switch -> (hot | otherwise) sinks. */
const pipeline = () =>
  flowDoc(
    'pipe',
    [
      { id: 'src', type: 'test-source', config: {} },
      { id: 'map', type: 'transform', config: { expression: '{"device": payload.d, "tempF": payload.c * 1.8 + 32}' } },
      { id: 'warm', type: 'filter', config: { condition: 'payload.tempF > 50' } },
      { id: 'route', type: 'switch', config: { rules: [{ port: 'hot', condition: 'payload.tempF >= 86' }] } },
      { id: 'hotSink', type: 'test-sink', config: {} },
      { id: 'mildSink', type: 'test-sink', config: {} },
    ],
    [
      edge('src', 'map'),
      edge('map', 'warm'),
      edge('warm', 'route'),
      edge('route', 'hotSink', 'hot'),
      edge('route', 'mildSink', 'otherwise'),
    ],
  );

const steps = (r: TryResult) => r.steps.map((s) => [s.nodeId, s.port]);

describe('try it', () => {
  it('runs a message from the source through transform, filter and switch into a recording sink', async () => {
    t = await startServer();
    sinks.clear();
    const res = await call<TryResult>(t.app, 'POST', '/api/try', {
      flow: pipeline(),
      nodeId: 'src',
      message: { payload: { d: 'dev-1', c: 35 }, topic: 'sensors/dev-1' },
    });
    expect(res.status).toBe(200);
    expect(steps(res.body)).toEqual([
      ['src', 'out'],
      ['map', 'out'],
      ['warm', 'out'],
      ['route', 'hot'],
    ]);
    expect(res.body.steps[1].message).toMatchObject({
      topic: 'sensors/dev-1',
      payload: { device: 'dev-1', tempF: 95 },
    });
    expect(res.body.delivered).toEqual([
      expect.objectContaining({
        nodeId: 'hotSink',
        port: 'in',
        message: expect.objectContaining({ payload: { device: 'dev-1', tempF: 95 } }),
      }),
    ]);
    expect(res.body.error).toBeUndefined();
    // The stand-in took the sink's place: the real (test) sink runtime was never created.
    expect(sinks.size).toBe(0);
  });

  it('starts at a node in the middle, and shows a message the filter dropped', async () => {
    t = await startServer();
    const mild = await call<TryResult>(t.app, 'POST', '/api/try', {
      flow: pipeline(),
      nodeId: 'warm',
      message: { payload: { tempF: 60 } },
    });
    expect(steps(mild.body)).toEqual([
      ['warm', 'out'],
      ['route', 'otherwise'],
    ]);
    expect(mild.body.delivered.map((d) => d.nodeId)).toEqual(['mildSink']);

    const cold = await call<TryResult>(t.app, 'POST', '/api/try', {
      flow: pipeline(),
      nodeId: 'map',
      message: { payload: { c: 1 } },
    });
    expect(steps(cold.body)).toEqual([['map', 'out']]);
    expect(cold.body.delivered).toEqual([]);
    expect(cold.body.error).toBeUndefined();
  });

  it('shows where a message failed and why', async () => {
    t = await startServer();
    const flow = pipeline();
    (flow.nodes[1] as { config: Record<string, unknown> }).config.expression =
      '$number(payload.c) + $undefinedFunction()';
    const res = await call<TryResult>(t.app, 'POST', '/api/try', {
      flow,
      nodeId: 'src',
      message: { payload: { c: 1 } },
    });
    expect(res.status).toBe(200);
    expect(steps(res.body)).toEqual([
      ['src', 'out'],
      ['map', 'error'],
    ]);
    expect(res.body.steps[1].message.headers['sluice-error']).toBeTruthy();
    expect(res.body.error).toMatch(/^node "map": /);
  });

  it('a debug node really runs and its entries are reported', async () => {
    t = await startServer();
    const flow = flowDoc(
      'dbg',
      [
        { id: 'map', type: 'transform', config: { expression: 'payload * 2' } },
        { id: 'dbg', type: 'debug', config: {} },
      ],
      [edge('map', 'dbg')],
    );
    const res = await call<TryResult>(t.app, 'POST', '/api/try', { flow, nodeId: 'map', message: { payload: 21 } });
    expect(res.body.delivered).toEqual([
      expect.objectContaining({ nodeId: 'dbg', port: 'in', message: expect.objectContaining({ payload: 42 }) }),
    ]);
  });

  it('resolves no secrets: references stay as their text', async () => {
    t = await startServer();
    const flow = flowDoc('env', [{ id: 'map', type: 'transform', config: { expression: '"${env:HOME}"' } }]);
    const res = await call<TryResult>(t.app, 'POST', '/api/try', { flow, nodeId: 'map', message: { payload: null } });
    expect(res.body.steps[0].message.payload).toBe('${env:HOME}');
  });

  it('only the reachable part must be valid; its problems point into the original flow', async () => {
    t = await startServer();
    const flow = pipeline();
    flow.nodes.push({ id: 'elsewhere', type: 'no-such-type', config: {} });
    const ok = await call<TryResult>(t.app, 'POST', '/api/try', {
      flow,
      nodeId: 'route',
      message: { payload: { tempF: 90 } },
    });
    expect(ok.status).toBe(200);
    expect(steps(ok.body)).toEqual([['route', 'hot']]);

    (flow.nodes[3] as { config: Record<string, unknown> }).config.mode = 'sometimes';
    const bad = await call<ApiErrorBody>(t.app, 'POST', '/api/try', { flow, nodeId: 'warm', message: { payload: {} } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid-flow');
    expect(bad.body.error.problems?.map((p) => p.path)).toEqual(['/nodes/3/config/mode']);

    const ghost = await call<ApiErrorBody>(t.app, 'POST', '/api/try', {
      flow,
      nodeId: 'ghost',
      message: { payload: {} },
    });
    expect(ghost.status).toBe(400);
    expect(ghost.body.error.code).toBe('unknown-node');
  });

  it('stops at the step limit', async () => {
    t = await startServer({ tryLimits: { timeMs: 5000, maxSteps: 2 } });
    const res = await call<TryResult>(t.app, 'POST', '/api/try', {
      flow: pipeline(),
      nodeId: 'src',
      message: { payload: { c: 40 } },
    });
    expect(res.status).toBe(200);
    expect(res.body.steps).toHaveLength(2);
    expect(res.body.truncated).toBe(true);
    expect(res.body.error).toBe('stopped after 2 steps');
  });

  it('the request is checked: a message needs a payload', async () => {
    t = await startServer();
    const res = await call<ApiErrorBody>(t.app, 'POST', '/api/try', { flow: pipeline(), nodeId: 'src', message: {} });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/body\/message\/payload is required/);
  });
});
