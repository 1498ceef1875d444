/** The `http-server` connection kind: `check` (for `sluice check`) says whether the listener can open. */
import { once } from 'node:events';
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { runtime } from '../../../nodes/connections/http-server/runtime.js';
import { freePort } from './support.js';

const ctx = {
  connectionId: 'web',
  log: { debug() {}, info() {}, warn() {}, error() {} },
};
const config = (over: Record<string, unknown>) =>
  ({
    host: '127.0.0.1',
    port: 0,
    basePath: '',
    tls: false,
    requestTimeoutMs: 30_000,
    keepAliveTimeoutMs: 5_000,
    ...over,
  }) as Parameters<typeof runtime.open>[0];

describe('http-server connection', () => {
  it('check opens and closes the listener on a free port', async () => {
    const port = await freePort();
    await expect(runtime.check!(config({ port }), ctx)).resolves.toBeUndefined();
    // Closed again: the port can be taken by someone else.
    const other = createServer().listen(port, '127.0.0.1');
    await once(other, 'listening');
    other.close();
  });

  it('check and open say when the port is taken, and when TLS lacks its key', async () => {
    const other = createServer().listen(0, '127.0.0.1');
    await once(other, 'listening');
    const port = (other.address() as { port: number }).port;
    try {
      await expect(runtime.check!(config({ port }), ctx)).rejects.toThrow(
        /http-server "web": cannot listen on 127.0.0.1:\d+: port \d+ on 127.0.0.1 is in use by another program/,
      );
    } finally {
      other.close();
    }
    await expect(runtime.open(config({ tls: true }), ctx)).rejects.toThrow(/certificate or key is missing/);
    await expect(
      runtime.check!(config({ tls: true, cert: 'not a certificate', key: 'not a key' }), ctx),
    ).rejects.toThrow(/http-server "web"/);
  });
});
