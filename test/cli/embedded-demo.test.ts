import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('the out-of-the-box demo (embedded MQTT broker -> SQLite)', () => {
  it('runs with nothing installed: rows land in SQLite and every message is acked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-demo-'));
    const port = await freePort();
    const db = join(dir, 'demo.db');
    const flow = readFileSync(new URL('../../examples/embedded-demo.json', import.meta.url), 'utf8')
      .replace('mqtt://127.0.0.1:18830', `mqtt://127.0.0.1:${port}`)
      .replace('"./sluice-data.db"', JSON.stringify(db))
      .replace('"intervalMs": 250', '"intervalMs": 20');
    const file = join(dir, 'flow.json');
    writeFileSync(file, flow);
    const r = await runCli(['run', file, '--embedded-mqtt', String(port), '--duration', '2500']);
    expect(r.code, r.stderr).toBe(0);
    const stopped = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; counters?: Record<string, Record<string, number>> })
      .find((l) => l.msg === 'stopped')!;
    const c = stopped.counters!;
    expect(c.sensors.nacked).toBe(0);
    expect(c.subscribe.nacked).toBe(0);
    expect(c.subscribe.out).toBeGreaterThan(10);
    const rows = new Database(db, { readonly: true })
      .prepare('SELECT count(*) AS n, min(temp_c) AS lo FROM readings')
      .get() as {
      n: number;
      lo: number;
    };
    expect(rows.n).toBe(c.store.out);
    expect(rows.n).toBe(c.warm.out);
    expect(rows.lo).toBeGreaterThan(15);
  });
});
