import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ApiErrorBody, ServerMessage, TapsReply } from '../../src/server/protocol.js';
import { call, edge, eventually, flowDoc, startServer, type TestServer } from './support.js';

let t: TestServer | undefined;
let ws: WebSocket | undefined;
afterEach(async () => {
  ws?.terminate();
  await t?.close();
  t = undefined;
});

// A busy wire: 20,000 messages as fast as the flow takes them, through a filter that keeps about half.
const busy = flowDoc(
  'busy',
  [
    { id: 'gen', type: 'generate', config: { intervalMs: 0, count: 20_000, payload: '{"n": $seq}' } },
    { id: 'even', type: 'filter', config: { condition: 'payload.n % 2 = 0' } },
    { id: 'dbg', type: 'debug', config: { keep: 10 } },
  ],
  [edge('gen', 'even'), edge('even', 'dbg')],
);

// The same flow with a quiet source (one message an hour): what it carries is injected by the test.
const quiet = flowDoc(
  'busy',
  [
    { id: 'gen', type: 'generate', config: { intervalMs: 3_600_000, count: 1, payload: '{"n": $seq}' } },
    { id: 'even', type: 'filter', config: { condition: 'payload.n % 2 = 0' } },
    { id: 'dbg', type: 'debug', config: { keep: 10 } },
  ],
  [edge('gen', 'even'), edge('even', 'dbg')],
);

describe('watch a wire: sampled copies of a running output on the live feed', () => {
  it('shows what passes on a watched output (not what the filter drops), and stops when unwatched', async () => {
    t = await startServer();
    const got: ServerMessage[] = [];
    ws = new WebSocket(`${t.server.url.replace(/^http/, 'ws')}/api/ws`);
    ws.on('message', (d) => got.push(JSON.parse(String(d)) as ServerMessage));
    await new Promise((r) => ws!.once('open', r));
    await call(t.app, 'POST', '/api/flows', { flow: quiet });
    await call(t.app, 'POST', '/api/flows/busy/deploy');
    const set = await call<TapsReply>(t.app, 'PUT', '/api/runtime/flows/busy/taps', {
      taps: [{ nodeId: 'even', port: 'out' }],
    });
    expect(set.status).toBe(200);
    expect(set.body.taps).toEqual([{ nodeId: 'even', port: 'out' }]);
    expect((await call<TapsReply>(t.app, 'GET', '/api/runtime/flows/busy/taps')).body.taps).toEqual([
      { nodeId: 'even', port: 'out' },
    ]);
    // Pushed through by hand: what passes the filter is seen on the wire, what it drops is not.
    for (const n of [2, 3, 4]) await call(t.app, 'POST', '/api/runtime/flows/busy/inject/gen', { payload: { n } });
    const taps = () => got.filter((m): m is Extract<ServerMessage, { type: 'tap' }> => m.type === 'tap');
    await eventually(() => (taps().length >= 2 ? true : undefined));
    expect(taps().map((m) => [m.flowId, m.entry.nodeId, m.entry.port, m.entry.payload])).toEqual([
      ['busy', 'even', 'out', { n: 2 }],
      ['busy', 'even', 'out', { n: 4 }],
    ]);
    // Unwatched: nothing more.
    await call(t.app, 'PUT', '/api/runtime/flows/busy/taps', { taps: [] });
    await call(t.app, 'POST', '/api/runtime/flows/busy/inject/gen', { payload: { n: 6 } });
    await new Promise((r) => setTimeout(r, 300));
    expect(taps()).toHaveLength(2);
  });

  it('a busy wire is sampled (about 20 a second), never copied in full', async () => {
    t = await startServer();
    await call(t.app, 'POST', '/api/flows', { flow: quiet });
    await call(t.app, 'POST', '/api/flows/busy/deploy');
    const flow = t.server.context.runtime.manager.get('busy')!;
    flow.engine.setTaps([{ nodeId: 'even', port: 'out' }], 20);
    const seen: Array<{ headers: Record<string, string> }> = [];
    flow.engine.on('tap', (e: { message: { headers: Record<string, string> } }) => seen.push(e.message));
    const started = Date.now();
    const sends = [];
    for (let n = 0; n < 2000; n += 2)
      sends.push(call(t.app, 'POST', '/api/runtime/flows/busy/inject/gen', { payload: { n } }));
    await Promise.all(sends);
    // The next sample after a refill says how many were skipped since the last one.
    await new Promise((r) => setTimeout(r, 250));
    await call(t.app, 'POST', '/api/runtime/flows/busy/inject/gen', { payload: { n: 2000 } });
    const seconds = (Date.now() - started) / 1000;
    expect(seen.length).toBeLessThanOrEqual(20 + 20 * (seconds + 0.25) + 2);
    expect(seen.length).toBeGreaterThan(0);
    const skipped = seen.reduce((sum, m) => sum + Number(m.headers['sluice-tap-skipped'] ?? 0), 0);
    expect(seen.length + skipped).toBe(1001); // every message on the wire: sampled, or counted
    expect(skipped).toBeGreaterThan(0);
  });

  it('refuses a flow that does not run, an unknown node and a port the node does not have', async () => {
    t = await startServer();
    await call(t.app, 'POST', '/api/flows', { flow: busy });
    const off = await call<ApiErrorBody>(t.app, 'PUT', '/api/runtime/flows/busy/taps', { taps: [] });
    expect(off.status).toBe(409);
    await call(t.app, 'POST', '/api/flows/busy/deploy');
    const unknown = await call<ApiErrorBody>(t.app, 'PUT', '/api/runtime/flows/busy/taps', {
      taps: [{ nodeId: 'x', port: 'out' }],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/node "x" is not in the running flow/);
    const port = await call<ApiErrorBody>(t.app, 'PUT', '/api/runtime/flows/busy/taps', {
      taps: [{ nodeId: 'even', port: 'nope' }],
    });
    expect(port.body.error.message).toMatch(/has no output "nope"/);
  });
});
