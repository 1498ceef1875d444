/**
 * `sluice run` stops even when a client hangs: PostgreSQL behind a proxy that stops answering mid-run (connections
 * open, no bytes). The drain deadline nacks what is in flight, each node's stop and each connection's close get
 * settings.stopTimeoutMs, and the process exits, naming what did not stop. Messages left unsettled at the deadline
 * make the exit code 5 (issue 10, fault 8: it used to exit 0), and the log says so.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { requireService } from '../support/services.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const run = await requireService('postgres');
const dir = mkdtempSync(join(tmpdir(), 'sluice-stop-timeout-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.runIf(run)('sluice run with a database that stopped answering', () => {
  it('exits after the drain and stop timeouts and names what did not stop', async () => {
    const proxy = new TcpProxy(5432);
    await proxy.up();
    const table = `sluice_stop_timeout_${randomUUID().slice(0, 8)}`;
    const file = join(dir, 'flow.json');
    writeFileSync(
      file,
      JSON.stringify({
        format: 'sluice/flow@1',
        settings: { drainTimeoutMs: 300, stopTimeoutMs: 300 },
        connections: [
          { id: 'pg', kind: 'postgres', config: { host: '127.0.0.1', port: proxy.port, database: 'test' } },
        ],
        nodes: [
          { id: 'gen', type: 'generate', config: { intervalMs: 5, payload: '{"n": $random()}' } },
          {
            id: 'out',
            type: 'postgres-out',
            config: {
              connection: 'pg',
              table,
              createTable: true,
              columns: { id: 'id', n: 'payload.n' },
              types: { id: 'text', n: 'double' },
            },
          },
        ],
        edges: [{ source: 'gen', sourcePort: 'out', target: 'out', targetPort: 'in' }],
      }),
    );
    let stopAt = 0;
    try {
      const r = await runCli(['run', file], {
        timeoutMs: 20_000,
        onStdout: (out, kill) => {
          // Running and writing: the database stops answering, then the runner is asked to stop.
          if (!stopAt && out.includes('"msg":"flow started"')) {
            stopAt = Date.now();
            setTimeout(() => {
              proxy.freeze();
              setTimeout(() => kill('SIGTERM'), 200);
            }, 300);
          }
        },
      });
      const logs = r.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg: string; notStopped?: string[]; nackedAtDeadline?: number });
      const stopped = logs.find((l) => l.msg === 'stopped');
      expect(stopped, r.stdout + r.stderr).toBeDefined();
      expect(stopped!.notStopped!.length).toBeGreaterThan(0);
      for (const what of stopped!.notStopped!) expect(['node out', 'connection pg']).toContain(what);
      expect(logs.some((l) => l.msg === 'exiting without waiting for what did not stop')).toBe(true);
      expect(stopped!.nackedAtDeadline).toBeGreaterThan(0);
      const unsettled = logs.find((l) => /still in flight at the drain deadline/.test(l.msg));
      expect(unsettled, r.stdout).toMatchObject({ nackedAtDeadline: stopped!.nackedAtDeadline, exitCode: 5 });
      expect(r.code).toBe(5);
      expect(Date.now() - stopAt).toBeLessThan(15_000);
    } finally {
      await proxy.down();
      const admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
      await admin.connect();
      await admin.query(`DROP TABLE IF EXISTS ${table}`);
      await admin.end();
    }
  }, 30_000);
});
