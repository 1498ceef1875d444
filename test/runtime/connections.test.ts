/** The connection pool's close at stop: every client gets at most the stop timeout, and a hung one is named. */
import { describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.js';
import type { FlowDocument } from '../../src/flow/document.js';
import { ConnectionPool } from '../../src/runtime/connections.js';
import { silentLogger } from '../../src/runtime/log.js';
import type { ConnectionRuntime } from '../../src/spec/runtime-contract.js';

const flow: FlowDocument = {
  format: 'sluice/flow@1',
  nodes: [],
  connections: [
    { id: 'hung', kind: 'sqlite', config: { file: 'hung.db' } },
    { id: 'fine', kind: 'sqlite', config: { file: 'fine.db' } },
  ],
};

const noReferences = {
  env: {},
  readFile: () => {
    throw new Error('no files in this test');
  },
};

/** Clients that record their close; the one of `hung.db` never finishes closing. */
function fakeRuntime(closed: string[]): ConnectionRuntime<{ file: string }, { file: string }> {
  return {
    open: async (config) => ({ file: config.file }),
    close: (client) => {
      if (client.file === 'hung.db') return new Promise<void>(() => undefined);
      closed.push(client.file);
      return Promise.resolve();
    },
  };
}

describe('ConnectionPool.closeAll', () => {
  it('closes every client, goes on without one that does not close in time, and names it', async () => {
    const closed: string[] = [];
    const runtime = fakeRuntime(closed) as ConnectionRuntime<unknown, unknown>;
    const pool = new ConnectionPool(flow, catalog, noReferences, silentLogger(), async () => runtime);
    await pool.acquire('hung', 'a');
    await pool.acquire('fine', 'b');
    const started = Date.now();
    expect(await pool.closeAll(100)).toEqual(['hung']);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(closed).toEqual(['fine.db']);
  });

  it('names nothing when every client closes', async () => {
    const closed: string[] = [];
    const runtime = fakeRuntime(closed) as ConnectionRuntime<unknown, unknown>;
    const pool = new ConnectionPool(flow, catalog, noReferences, silentLogger(), async () => runtime);
    await pool.acquire('fine', 'b');
    expect(await pool.closeAll(100)).toEqual([]);
    expect(closed).toEqual(['fine.db']);
  });
});
