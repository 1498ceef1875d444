import { afterEach, describe, expect, it } from 'vitest';
import type { ApiErrorBody, InjectReply } from '../../src/server/protocol.js';
import { call, edge, flowDoc, startServer, type TestServer } from './support.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

// A source that never fires by itself (one message an hour): everything the flow sees is injected.
const quiet = flowDoc(
  'quiet',
  [
    { id: 'gen', type: 'generate', config: { intervalMs: 3_600_000, payload: '{"n": 0}', count: 1 } },
    { id: 'positive', type: 'filter', config: { condition: 'payload.n > 0' } },
    { id: 'check', type: 'transform', config: { expression: 'payload.bad ? $error("bad reading") : payload' } },
    { id: 'dbg', type: 'debug', config: { keep: 10 } },
  ],
  [edge('gen', 'positive'), edge('positive', 'check'), edge('check', 'dbg')],
);

describe('inject: a message pushed by hand into a running flow at a source', () => {
  it("goes the source's way (filter, transform, debug) and the reply says how it ended", async () => {
    t = await startServer();
    await call(t.app, 'POST', '/api/flows', { flow: quiet });
    await call(t.app, 'POST', '/api/flows/quiet/deploy');
    const inject = (body: Record<string, unknown>) =>
      call<InjectReply & ApiErrorBody>(t!.app, 'POST', '/api/runtime/flows/quiet/inject/gen', body);

    const ok = await inject({ payload: { n: 5 }, topic: 'by/hand' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ flowId: 'quiet', nodeId: 'gen', outcome: 'delivered' });
    const snap = (
      await call<{ messages: Array<{ id: string; topic: string; payload: unknown; headers: Record<string, string> }> }>(
        t.app,
        'GET',
        '/api/runtime/flows/quiet/debug/dbg',
      )
    ).body;
    const got = snap.messages.find((m) => m.id === ok.body.messageId);
    expect(got).toMatchObject({ topic: 'by/hand', payload: { n: 5 }, headers: { 'sluice-injected': '1' } });

    type Counters = Record<string, { in: number; dropped: number; failed: number }>;
    const countersNow = async () =>
      (await call<{ counters: Counters }>(t!.app, 'GET', '/api/runtime/flows/quiet')).body.counters;
    const before = await countersNow();
    // Dropped on purpose by the filter: that path ended, the message is done.
    expect((await inject({ payload: { n: -1 } })).body.outcome).toBe('delivered');
    // A failure says why (and the flow keeps running).
    const bad = await inject({ payload: { n: 1, bad: true } });
    expect(bad.body).toMatchObject({ outcome: 'failed' });
    expect(bad.body.reason).toMatch(/check.*bad reading/);
    const after = await countersNow();
    expect(after.positive.dropped - before.positive.dropped).toBe(1);
    expect(after.check.failed - before.check.failed).toBe(1);
  });

  it('refuses a node that is not a source, an unknown node, a flow that does not run, and a bad body', async () => {
    t = await startServer();
    await call(t.app, 'POST', '/api/flows', { flow: quiet });
    const stopped = await call<ApiErrorBody>(t.app, 'POST', '/api/runtime/flows/quiet/inject/gen', { payload: 1 });
    expect(stopped.status).toBe(409);
    expect(stopped.body.error.message).toMatch(/not running; deploy it/);
    await call(t.app, 'POST', '/api/flows/quiet/deploy');
    const notSource = await call<ApiErrorBody>(t.app, 'POST', '/api/runtime/flows/quiet/inject/dbg', { payload: 1 });
    expect(notSource.status).toBe(400);
    expect(notSource.body.error.message).toMatch(/"dbg" \(debug\) is not a source/);
    const unknown = await call<ApiErrorBody>(t.app, 'POST', '/api/runtime/flows/quiet/inject/nope', { payload: 1 });
    expect(unknown.status).toBe(404);
    const badBody = await call<ApiErrorBody>(t.app, 'POST', '/api/runtime/flows/quiet/inject/gen', {
      payload: 1,
      x: 2,
    });
    expect(badBody.status).toBe(400);
  });
});
