import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqlSinkBehaviour } from './behaviour.js';
import { type Running, startSink } from './flow.js';
import { sqliteTarget } from './targets.js';

sqlSinkBehaviour(sqliteTarget);

describe('sqlite-out, the embedded default', () => {
  let dir: string;
  let flow: Running | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-sqlite-default-'));
  });
  afterEach(async () => {
    await flow?.stop();
    flow = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('needs only a file: creates `messages` (STRICT, WAL), one row per message id', async () => {
    const file = join(dir, 'sluice-data.db');
    flow = await startSink('sqlite-out', [], { file });
    await flow.pushAll([{ id: 'm1', temp: 21.5, tags: ['a'] }, { id: 'm2' }]);
    await flow.pushAll([{ id: 'm1', temp: 22 }]); // redelivered with a change
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const ddl = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'messages'").pluck().get();
      expect(ddl).toBe(
        'CREATE TABLE "messages" ("id" ANY NOT NULL, "topic" ANY, "payload" ANY, "received_at" ANY, PRIMARY KEY ("id")) STRICT',
      );
      const rows = db.prepare('SELECT id, topic, payload, received_at FROM messages ORDER BY id').all() as Array<
        Record<string, unknown>
      >;
      expect(rows.map((r) => [r.id, r.topic, JSON.parse(String(r.payload))])).toEqual([
        ['m1', 'test', { id: 'm1', temp: 22 }],
        ['m2', 'test', { id: 'm2' }],
      ]);
      expect(typeof rows[0].received_at).toBe('number');
    } finally {
      db.close();
    }
  });

  it('shares a database through a sqlite connection', async () => {
    const file = join(dir, 'shared.db');
    flow = await startSink('sqlite-out', [{ id: 'lite', kind: 'sqlite', config: { file } }], {
      connection: 'lite',
      table: 'events',
    });
    expect([...(await flow.pushAll([{ id: 'x1' }])).values()]).toEqual([{ ok: true }]);
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT id FROM events').pluck().all()).toEqual(['x1']);
    db.close();
  });

  it.each([
    ['', { attempts: 30, retryDelayMs: 20, retryMaxDelayMs: 50 }],
    [' (old names retryBaseMs, retryMaxMs: renamed on load)', { attempts: 30, retryBaseMs: 20, retryMaxMs: 50 }],
  ])('a database locked by another writer: retried, then written once the lock is gone%s', async (label, retry) => {
    const file = join(dir, `locked${label ? '-old' : ''}.db`);
    flow = await startSink('sqlite-out', [], { file, busyTimeoutMs: 20, ...retry });
    await flow.pushAll([{ id: 'before' }]);
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE'); // holds the write lock
    const pending = flow.pushAll([{ id: 'during' }]);
    await new Promise((r) => setTimeout(r, 300));
    other.exec('COMMIT');
    other.close();
    expect([...(await pending).values()]).toEqual([{ ok: true }]);
    expect(flow.statuses.some((s) => s.state === 'error' && /locked|busy/i.test(s.reason ?? ''))).toBe(true);
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT id FROM messages ORDER BY id').pluck().all()).toEqual(['before', 'during']);
    db.close();
  });
});
