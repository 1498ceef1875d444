/**
 * The editor's controls of a running flow that act on one node: the inject node's button
 * (POST /api/runtime/flows/:id/trigger/:nodeId) and the debug node's on/off switch
 * (PUT /api/runtime/flows/:id/nodes/:nodeId/active), seen on the live feed as the editor sees them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ActiveReply, ApiErrorBody, InjectReply, ServerMessage } from '../../src/server/protocol.js';
import { call, edge, eventually, flowDoc, startServer, type TestServer } from './support.js';

let t: TestServer | undefined;
let ws: WebSocket | undefined;
afterEach(async () => {
  ws?.terminate();
  await t?.close();
  t = undefined;
});

const flow = flowDoc(
  'controls',
  [
    { id: 'btn', type: 'inject', config: { payload: '{"n": 1}', topic: 'hand' } },
    { id: 'gen', type: 'generate', config: { intervalMs: 3_600_000, count: 1, payload: '$seq' } },
    { id: 'dbg', type: 'debug', config: { keep: 10 } },
  ],
  [edge('btn', 'dbg'), edge('gen', 'dbg')],
);

type Debug = Extract<ServerMessage, { type: 'debug' }>;

describe('node controls of a running flow', () => {
  it("presses an inject node's button and switches a debug node off and on, without a redeploy", async () => {
    t = await startServer();
    const got: ServerMessage[] = [];
    ws = new WebSocket(`${t.server.url.replace(/^http/, 'ws')}/api/ws`);
    ws.on('message', (d) => got.push(JSON.parse(String(d)) as ServerMessage));
    await new Promise((r) => ws!.once('open', r));
    await call(t.app, 'POST', '/api/flows', { flow });
    const deployed = await call<{ revision: number }>(t.app, 'POST', '/api/flows/controls/deploy');
    const shown = () =>
      got.filter((m): m is Debug => m.type === 'debug' && m.entry.topic === 'hand').map((m) => m.entry.payload);

    const pressed = await call<InjectReply>(t.app, 'POST', '/api/runtime/flows/controls/trigger/btn');
    expect(pressed.status).toBe(200);
    expect(pressed.body).toEqual({ flowId: 'controls', nodeId: 'btn', outcome: 'delivered' });
    await eventually(() => (shown().length === 1 ? true : undefined));

    const off = await call<ActiveReply>(t.app, 'PUT', '/api/runtime/flows/controls/nodes/dbg/active', {
      active: false,
    });
    expect(off.body).toEqual({ flowId: 'controls', nodeId: 'dbg', active: false });
    await call(t.app, 'POST', '/api/runtime/flows/controls/trigger/btn');
    const view = await call<{ revision: number; statuses: Record<string, { state: string; reason?: string }> }>(
      t.app,
      'GET',
      '/api/runtime/flows/controls',
    );
    expect(view.body.statuses.dbg).toEqual({ state: 'idle', reason: 'off (not shown in the debug panel)' });
    // Switching is not deploying: the same revision runs.
    expect(view.body.revision).toBe(deployed.body.revision);

    await call(t.app, 'PUT', '/api/runtime/flows/controls/nodes/dbg/active', { active: true });
    await call(t.app, 'POST', '/api/runtime/flows/controls/trigger/btn');
    await eventually(() => (shown().length === 2 ? true : undefined));
    // The message sent while off never reached the panel; both sent while on did.
    await new Promise((r) => setTimeout(r, 200));
    expect(shown()).toEqual([{ n: 1 }, { n: 1 }]);
  });

  it('refuses a flow that does not run, an unknown node, and a node without a button or a switch', async () => {
    t = await startServer();
    await call(t.app, 'POST', '/api/flows', { flow });
    const notRunning = await call<ApiErrorBody>(t.app, 'POST', '/api/runtime/flows/controls/trigger/btn');
    expect(notRunning.status).toBe(409);
    expect(notRunning.body.error.message).toMatch(/not running; deploy it, then press its button/);
    await call(t.app, 'POST', '/api/flows/controls/deploy');
    const unknown = await call<ApiErrorBody>(t.app, 'POST', '/api/runtime/flows/controls/trigger/nope');
    expect(unknown.status).toBe(404);
    const noButton = await call<ApiErrorBody>(t.app, 'POST', '/api/runtime/flows/controls/trigger/gen');
    expect(noButton.status).toBe(400);
    expect(noButton.body.error.message).toMatch(/node "gen" \(generate\) has no button/);
    const noSwitch = await call<ApiErrorBody>(t.app, 'PUT', '/api/runtime/flows/controls/nodes/gen/active', {
      active: false,
    });
    expect(noSwitch.status).toBe(400);
    expect(noSwitch.body.error.message).toMatch(/cannot be switched on or off/);
    const badBody = await call<ApiErrorBody>(t.app, 'PUT', '/api/runtime/flows/controls/nodes/dbg/active', {
      active: 'no',
    });
    expect(badBody.status).toBe(400);
  });
});
