/**
 * The editor's API client against a real server: it sends what the server's CSRF defences demand (the client
 * header on state changes, JSON or flow text as the content type). The page resolves `./api/...` against its own
 * address; here the same relative paths are resolved against the test server's.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { api } from '../../renderer/src/api/client.js';
import { edge, flowDoc, startServer, type TestServer } from '../server/support.js';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
  const realFetch = globalThis.fetch;
  vi.stubGlobal('fetch', (input: string, init?: RequestInit) => realFetch(new URL(input, `${t.server.url}/`), init));
});
afterAll(async () => {
  vi.unstubAllGlobals();
  await t.close();
});

describe('editor API client', () => {
  it('creates, saves, imports, deploys, stops and deletes through the CSRF checks', async () => {
    const flow = flowDoc(
      'client-flow',
      [
        { id: 'gen', type: 'generate', config: { intervalMs: 50, payload: '{"n": $seq}' } },
        { id: 'dbg', type: 'debug', config: {} },
      ],
      [edge('gen', 'dbg')],
    );
    const created = await api.createFlow(flow as never);
    expect(created.id).toBe('client-flow');
    const saved = await api.saveFlow('client-flow', { ...flow, name: 'renamed' } as never, created.revision);
    expect(Number(saved.revision)).toBe(Number(created.revision) + 1);
    const imported = await api.importText(JSON.stringify(flowDoc('client-import', [])));
    expect(imported.id).toBe('client-import');
    await expect(api.deploy('client-flow')).resolves.toMatchObject({ deployed: true });
    await expect(api.stop('client-flow')).resolves.toMatchObject({ stopped: true, flowId: 'client-flow' });
    await expect(api.deleteFlow('client-import')).resolves.toMatchObject({ deleted: true });
    expect((await api.validate(flow as never)).problems).toEqual([]);
  });
});
