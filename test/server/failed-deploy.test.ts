/**
 * Issue 10, fault 2: a deploy that fails at start-up (a missing `${env:...}`) must end clean: the flow that ran keeps
 * running, later deploys and stops work, and nothing the failed flow opened is left behind.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiErrorBody } from '../../src/server/protocol.js';
import { call, edge, eventually, flowDoc, startServer, type TestServer } from './support.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const ticking = (id: string, topic = 't') =>
  flowDoc(
    id,
    [
      { id: 'gen', type: 'generate', config: { intervalMs: 5, payload: '{"n": $seq}', topic } },
      { id: 'dbg', type: 'debug', config: { keep: 10 } },
    ],
    [edge('gen', 'dbg')],
  );

async function debugCount(t: TestServer, flowId: string): Promise<number> {
  const r = await call<{ count: number }>(t.app, 'GET', `/api/runtime/flows/${flowId}/debug/dbg`);
  return r.status === 200 ? r.body.count : -1;
}

describe('a failed deploy never wedges the runtime', () => {
  it('run A; deploy B with a missing env reference (400); A keeps running; deploy and stop work normally', async () => {
    t = await startServer();
    await call(t.app, 'POST', '/api/flows', { flow: ticking('a') });
    await call(t.app, 'POST', '/api/flows', { flow: ticking('b', '${env:SLUICE_TEST_FAULT2_UNSET}') });
    expect((await call(t.app, 'POST', '/api/flows/a/deploy')).status).toBe(200);

    const failed = await call<ApiErrorBody>(t.app, 'POST', '/api/flows/b/deploy');
    expect(failed.status).toBe(400);
    expect(failed.body.error.code).toBe('startup-failed');
    expect(failed.body.error.message).toMatch(/SLUICE_TEST_FAULT2_UNSET is not set/);

    // A never stopped: its debug node keeps counting.
    const n = await debugCount(t, 'a');
    expect(n).toBeGreaterThan(0);
    await eventually(async () => ((await debugCount(t!, 'a')) > n ? true : undefined));

    // Deploy and stop keep working, for A and for B once fixed.
    expect((await call(t.app, 'POST', '/api/flows/a/deploy')).status).toBe(200);
    const saved = await call<{ revision: number }>(t.app, 'GET', '/api/flows/b');
    await call(t.app, 'PUT', '/api/flows/b', { flow: ticking('b'), revision: saved.body.revision });
    expect((await call(t.app, 'POST', '/api/flows/b/deploy')).status).toBe(200);
    expect((await call(t.app, 'POST', '/api/flows/b/stop')).status).toBe(200);
    expect((await call(t.app, 'POST', '/api/flows/a/stop')).status).toBe(200);
  });
});
