/** What every SQL sink must do, run against each real database (see targets.ts). */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catalog } from '../../../nodes/catalog.js';
import { loadConnectionRuntime } from '../../../src/runtime/loader.js';
import { silentLogger } from '../../../src/runtime/log.js';
import { applyDefaults } from '../../../src/runtime/resolve-config.js';
import { eventually } from '../../conformance/harness.js';
import { type Running, startSink } from './flow.js';
import type { Row, Target, TargetHandle } from './targets.js';

const TYPED = {
  columns: { id: 'payload.id', n: 'payload.n', x: 'payload.x', ok: 'payload.ok', doc: 'payload.doc', at: 'payload.at' },
  types: { id: 'text', n: 'integer', x: 'double', ok: 'boolean', doc: 'json', at: 'timestamp' },
};

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Values as the plain clients return them, made comparable across databases. */
function canonical(r: Row, target: Target['name']) {
  // pg parses jsonb itself, mysql2 parses MySQL JSON columns (not MariaDB's); SQLite returns the text.
  const doc = target !== 'postgres' && typeof r.doc === 'string' ? parseOr(r.doc) : r.doc;
  const at = r.at instanceof Date ? r.at : new Date(String(r.at));
  return { id: r.id, n: Number(r.n), x: Number(r.x), ok: Boolean(Number(r.ok)), doc, at: at.toISOString() };
}

export function sqlSinkBehaviour(target: Target): void {
  describe(`${target.sinkType} against ${target.name}`, async () => {
    const run = await target.available();
    let db: TargetHandle;
    let flow: Running | undefined;

    beforeEach(async () => {
      if (run) db = await target.open();
    });
    afterEach(async () => {
      await flow?.stop();
      flow = undefined;
      if (run) await db.close();
    });

    const start = (config: Record<string, unknown>, o: { errorRoute?: boolean; proxied?: boolean } = {}) =>
      startSink(
        target.sinkType,
        o.proxied ? db.proxiedConnections! : db.connections,
        { ...db.sinkBase, batchSize: 100, lingerMs: 20, ...config },
        o,
      ).then((f) => {
        flow = f;
        return f;
      });

    it.runIf(run)('creates the table with the declared types, and values round-trip', async () => {
      const table = db.table('types');
      const f = await start({ table, createTable: true, key: ['id'], ...TYPED });
      const at = Date.UTC(2024, 1, 29, 23, 59, 58, 123);
      const outcomes = await f.pushAll([
        { id: 't1', n: 42, x: 1.5, ok: true, doc: { a: [1, 'two'], b: null }, at },
        { id: 't2', n: -7, x: 0.25, ok: false, doc: 'just text', at: new Date(at).toISOString() },
      ]);
      expect([...outcomes.values()]).toEqual([{ ok: true }, { ok: true }]);
      const rows = (await db.query(`SELECT * FROM ${table} ORDER BY id`)).map((r) => canonical(r, target.name));
      expect(rows).toEqual([
        { id: 't1', n: 42, x: 1.5, ok: true, doc: { a: [1, 'two'], b: null }, at: '2024-02-29T23:59:58.123Z' },
        { id: 't2', n: -7, x: 0.25, ok: false, doc: 'just text', at: '2024-02-29T23:59:58.123Z' },
      ]);
    });

    it.runIf(run)('SQL injection attempts in values land as data', async () => {
      const table = db.table('inject');
      const evil = [
        `'); DROP TABLE ${table}; --`,
        `\\'); DROP TABLE ${table}; --`,
        '" OR 1=1 --',
        '`; SELECT 1; --',
        '$1 ? ?1 :name @p',
        "Robert'); DELETE FROM students;--",
        'back\\slash\\ and \\\\ two',
        '%_* and \u2028 and 🚀 ünïcödé',
      ];
      const f = await start({
        table,
        createTable: true,
        key: ['id'],
        columns: { id: 'payload.id', text: 'payload.text' },
        types: { id: 'text', text: 'text' },
      });
      const payloads = evil.map((text, i) => ({ id: `e${i}`, text }));
      const outcomes = await f.pushAll(payloads);
      expect([...outcomes.values()].every((o) => o.ok)).toBe(true);
      const rows = await db.query(`SELECT id, text FROM ${table} ORDER BY id`);
      expect(rows.map((r) => ({ id: r.id, text: r.text }))).toEqual(payloads);
    });

    it.runIf(run)(
      'upsert: a redelivered id keeps one row (update takes the new values, nothing keeps the old)',
      async () => {
        const update = db.table('upd');
        const nothing = db.table('keep');
        const config = {
          createTable: true,
          key: ['id'],
          columns: { id: 'payload.id', v: 'payload.v' },
          types: { id: 'text', v: 'integer' },
        };
        let f = await start({ ...config, table: update });
        await f.pushAll([
          { id: 'a', v: 1 },
          { id: 'b', v: 1 },
        ]);
        // A redelivery after a restart, then duplicates inside one batch.
        await f.src.push({ id: 'a', v: 2 }, 'a');
        await Promise.all([f.src.push({ id: 'b', v: 2 }, 'b'), f.src.push({ id: 'b', v: 3 }, 'b')]);
        await f.engine.whenIdle();
        expect([...f.src.outcomes.values()].flat().every((o) => o.ok)).toBe(true);
        expect((await db.query(`SELECT id, v FROM ${update} ORDER BY id`)).map((r) => [r.id, Number(r.v)])).toEqual([
          ['a', 2],
          ['b', 3],
        ]);
        await f.stop();

        f = await start({ ...config, table: nothing, onConflict: 'nothing' });
        await f.pushAll([{ id: 'a', v: 1 }]);
        await Promise.all([
          f.src.push({ id: 'a', v: 2 }, 'a'),
          f.src.push({ id: 'c', v: 1 }, 'c'),
          f.src.push({ id: 'c', v: 2 }, 'c'),
        ]);
        await f.engine.whenIdle();
        expect((await db.query(`SELECT id, v FROM ${nothing} ORDER BY id`)).map((r) => [r.id, Number(r.v)])).toEqual([
          ['a', 1],
          ['c', 1],
        ]);
      },
    );

    it.runIf(run)('bad rows fail alone: the rest of their batch is written', async () => {
      const table = db.table('bad');
      await db.exec(
        target.name === 'sqlite'
          ? `CREATE TABLE ${table} (id TEXT PRIMARY KEY, n INTEGER NOT NULL) STRICT`
          : target.name === 'mysql'
            ? `CREATE TABLE ${table} (id VARCHAR(32) PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB`
            : `CREATE TABLE ${table} (id text PRIMARY KEY, n integer NOT NULL CHECK (n >= 0))`,
      );
      const f = await start({
        table,
        key: ['id'],
        columns: { id: 'payload.id', n: 'payload.n' },
        batchSize: 100,
        lingerMs: 200,
      });
      const bad = new Map<string, unknown>([
        ['r7', 'not a number'],
        ['r23', null],
        ['r30', 'also bad'],
      ]);
      const payloads = Array.from({ length: 40 }, (_, i) => ({
        id: `r${i}`,
        n: bad.has(`r${i}`) ? bad.get(`r${i}`) : i,
      }));
      const outcomes = await f.pushAll(payloads);
      // The error route takes the bad ones, so every message is settled ok.
      expect([...outcomes.values()].every((o) => o.ok)).toBe(true);
      const dead = f.dead().delivered;
      expect(dead.map((m) => m.id).sort()).toEqual(['r23', 'r30', 'r7']);
      for (const m of dead) expect(m.headers['sluice-error']).toMatch(/the database refused the row: ./);
      const ids = (await db.query(`SELECT id FROM ${table}`)).map((r) => String(r.id));
      expect(ids.sort()).toEqual(
        payloads
          .filter((p) => !bad.has(p.id))
          .map((p) => p.id)
          .sort(),
      );
    });

    it.runIf(run)(
      'a value that cannot be converted fails its message before the database, naming the column',
      async () => {
        const table = db.table('conv');
        const f = await start({
          table,
          createTable: true,
          key: ['id'],
          columns: { id: 'id', at: 'payload.at' },
          types: { id: 'text', at: 'timestamp' },
        });
        await f.pushAll([
          { id: 'ok1', at: 0 },
          { id: 'no1', at: 'yesterday' },
        ]);
        expect(f.dead().delivered.map((m) => [m.id, m.headers['sluice-error']])).toEqual([
          // In the one error pattern: the sink, then what happened (naming the column), then what to do.
          [
            'no1',
            expect.stringMatching(
              /^[a-z]+-out "[^"]+": column "at": "yesterday" is not a timestamp \(epoch ms or ISO 8601\); check the message/,
            ),
          ],
        ]);
        expect((await db.query(`SELECT id FROM ${table}`)).map((r) => r.id)).toEqual(['ok1']);
      },
    );

    it.runIf(run)('a missing table: status error with the reason, messages fail with a hint', async () => {
      const table = db.table('missing');
      const f = await start({ table, createTable: false, key: [], columns: { id: 'id' }, attempts: 1 });
      await f.pushAll([{ id: 'm1' }]);
      expect(f.dead().delivered[0]?.headers['sluice-error']).toMatch(
        /refused the write: .*create the table or turn on/,
      );
      const last = f.statuses.at(-1);
      expect(last?.state).toBe('error');
      expect(last?.reason).toMatch(/create the table or turn on/);
    });

    it.runIf(run)('check() succeeds against the database and explains a failure', async () => {
      const conn = db.connections[0];
      if (conn) {
        const kind = catalog.connections.find((k) => k.kind === conn.kind)!;
        const rt = await loadConnectionRuntime(conn.kind);
        const ctx = { log: silentLogger(), connectionId: 'db' };
        await rt.check!(applyDefaults(kind.config, conn.config), ctx);
        const dead = applyDefaults(kind.config, { ...conn.config, port: 1, connectTimeoutMs: 1000 });
        await expect(rt.check!(dead, ctx)).rejects.toThrow(/ECONNREFUSED|connect/);
      } else {
        const kind = catalog.connections.find((k) => k.kind === 'sqlite')!;
        const rt = await loadConnectionRuntime('sqlite');
        const ctx = { log: silentLogger(), connectionId: 'db' };
        await rt.check!(applyDefaults(kind.config, { file: db.sinkBase.file }), ctx);
        const missingDir = join(tmpdir(), 'sluice-no-such-dir', 'x.db');
        await expect(rt.check!(applyDefaults(kind.config, { file: missingDir }), ctx)).rejects.toThrow(
          /does not exist and its directory is not writable/,
        );
        // Outside the data directory (and the directories the tests allow): refused before anything is opened.
        await expect(rt.check!(applyDefaults(kind.config, { file: '/nonexistent/dir/x.db' }), ctx)).rejects.toThrow(
          /outside the data directory/,
        );
      }
    });

    it.runIf(run && target.name !== 'sqlite')(
      'while the database is down, writes fail after the retry budget; it reconnects and nothing is lost',
      async () => {
        const table = db.table('outage');
        const f = await start(
          {
            table,
            createTable: true,
            key: ['id'],
            columns: { id: 'payload.id' },
            types: { id: 'text' },
            attempts: 3,
            retryDelayMs: 20,
            retryMaxDelayMs: 100,
          },
          { errorRoute: false, proxied: true },
        );
        const before = Array.from({ length: 20 }, (_, i) => ({ id: `a${i}` }));
        expect([...(await f.pushAll(before)).values()].every((o) => o.ok)).toBe(true);

        await db.proxy!.down();
        const during = Array.from({ length: 20 }, (_, i) => ({ id: `d${i}` }));
        const failed = await f.pushAll(during);
        // Failed, not buffered: nacked back to the source with the reason.
        for (const o of failed.values()) {
          expect(o).toMatchObject({ ok: false, reason: expect.stringMatching(/unreachable after 3 attempts/) });
        }
        expect(f.statuses.some((s) => s.state === 'error' && /unreachable/.test(s.reason ?? ''))).toBe(true);

        await db.proxy!.up();
        await eventually(
          () => f.statuses.at(-1)?.state,
          (s) => s === 'connected',
          20_000,
          'reconnected',
        );
        // The source redelivers what was nacked.
        expect([...(await f.pushAll(during)).values()].every((o) => o.ok)).toBe(true);
        const ids = (await db.query(`SELECT id FROM ${table}`)).map((r) => String(r.id)).sort();
        expect(ids).toEqual([...before, ...during].map((p) => p.id).sort());
      },
    );

    it.runIf(run && target.name !== 'sqlite')('connections killed mid-stream lose nothing', async () => {
      const table = db.table('kill');
      const f = await start(
        {
          table,
          createTable: true,
          key: ['id'],
          columns: { id: 'payload.id', n: 'payload.n' },
          types: { id: 'text', n: 'integer' },
          batchSize: 50,
          lingerMs: 5,
          retryDelayMs: 20,
        },
        { errorRoute: false },
      );
      const all = Array.from({ length: 3000 }, (_, i) => ({ id: `k${i}`, n: i }));
      let killed = 0;
      for (let i = 0; i < all.length; i++) {
        await f.src.push(all[i], all[i].id);
        if (i % 500 === 250) killed += await db.killSinkConnections(table);
      }
      await f.engine.whenIdle();
      expect(killed).toBeGreaterThan(0);
      const failed = [...f.src.outcomes.entries()].filter(([, o]) => !o[0].ok);
      expect(failed).toEqual([]);
      const rows = await db.query(`SELECT COUNT(*) AS c, COUNT(DISTINCT id) AS d FROM ${table}`);
      expect([Number(rows[0].c), Number(rows[0].d)]).toEqual([3000, 3000]);
    });
  });
}
