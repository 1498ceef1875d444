import { describe, expect, it } from 'vitest';
import { mysql } from '../../../src/connectors/sql/dialects/mysql.js';
import { postgres } from '../../../src/connectors/sql/dialects/postgres.js';
import { sqlite } from '../../../src/connectors/sql/dialects/sqlite.js';
import { identifierProblem, tableProblem } from '../../../src/connectors/sql/identifiers.js';
import { createTableSql, InsertBuilder, type TablePlan } from '../../../src/connectors/sql/statement.js';
import { encodeValue } from '../../../src/connectors/sql/values.js';

const plan: TablePlan = {
  table: 'readings',
  columns: ['id', 'device', 'temp'],
  types: { id: 'text', device: 'text', temp: 'double' },
  key: ['id'],
  onConflict: 'update',
};

describe('identifiers', () => {
  it('accepts plain names and schema.table', () => {
    for (const ok of ['readings', '_x', 'Temp_2', 'a'.repeat(63)])
      expect(identifierProblem(ok, 'column')).toBeUndefined();
    expect(tableProblem('telemetry.readings')).toBeUndefined();
  });

  it('refuses anything else with a message naming the rule', () => {
    for (const bad of ['', '1abc', 'a-b', 'a b', 'x"; DROP TABLE t; --', 'naïve', 'a'.repeat(64), 'a`b']) {
      expect(identifierProblem(bad, 'column'), bad).toBeDefined();
    }
    expect(identifierProblem('x; drop', 'column')).toMatch(/not a safe SQL name \(letters, digits and _/);
    expect(tableProblem('a.b.c')).toMatch(/more than one "\."/);
    expect(tableProblem('public.bad-name')).toMatch(/bad-name/);
  });
});

describe('statements', () => {
  it('PostgreSQL: numbered placeholders, ON CONFLICT DO UPDATE with EXCLUDED', () => {
    const b = new InsertBuilder(postgres, plan);
    expect(b.sql(2)).toBe(
      'INSERT INTO "readings" ("id", "device", "temp") VALUES ($1, $2, $3), ($4, $5, $6) ' +
        'ON CONFLICT ("id") DO UPDATE SET "device" = EXCLUDED."device", "temp" = EXCLUDED."temp"',
    );
    expect(new InsertBuilder(postgres, { ...plan, onConflict: 'nothing' }).sql(1)).toMatch(
      /ON CONFLICT \("id"\) DO NOTHING$/,
    );
    expect(new InsertBuilder(postgres, { ...plan, key: [] }).sql(1)).toBe(
      'INSERT INTO "readings" ("id", "device", "temp") VALUES ($1, $2, $3)',
    );
  });

  it('MySQL: ? placeholders, ON DUPLICATE KEY UPDATE, a no-op assignment for "nothing" (never INSERT IGNORE)', () => {
    expect(new InsertBuilder(mysql, plan).sql(1)).toBe(
      'INSERT INTO `readings` (`id`, `device`, `temp`) VALUES (?, ?, ?) ' +
        'ON DUPLICATE KEY UPDATE `device` = VALUES(`device`), `temp` = VALUES(`temp`)',
    );
    const nothing = new InsertBuilder(mysql, { ...plan, onConflict: 'nothing' }).sql(1);
    expect(nothing).toMatch(/ON DUPLICATE KEY UPDATE `id` = `id`$/);
    expect(nothing).not.toMatch(/IGNORE/);
  });

  it('SQLite: ON CONFLICT with excluded, schema-qualified names quoted part by part', () => {
    expect(new InsertBuilder(sqlite, { ...plan, table: 'main.readings' }).sql(1)).toBe(
      'INSERT INTO "main"."readings" ("id", "device", "temp") VALUES (?, ?, ?) ' +
        'ON CONFLICT ("id") DO UPDATE SET "device" = excluded."device", "temp" = excluded."temp"',
    );
  });

  it('a key made of every column updates nothing', () => {
    const all = { ...plan, key: ['id', 'device', 'temp'] };
    expect(new InsertBuilder(postgres, all).sql(1)).toMatch(/DO NOTHING$/);
  });

  it('keeps each statement under the parameter limit', () => {
    const wide: TablePlan = { ...plan, columns: Array.from({ length: 100 }, (_, i) => `c${i}`), key: [], types: {} };
    expect(new InsertBuilder(postgres, wide).maxRows).toBe(655);
    expect(new InsertBuilder(sqlite, wide).maxRows).toBe(327);
    expect(() => new InsertBuilder(postgres, wide).sql(656)).toThrow(RangeError);
  });

  it('refuses unsafe names at run time too (a flow that skipped validation)', () => {
    expect(() => new InsertBuilder(postgres, { ...plan, table: 'x"; DROP TABLE y; --' })).toThrow(
      /not a safe SQL name/,
    );
    expect(() => new InsertBuilder(mysql, { ...plan, columns: ['id', 'a`b'] })).toThrow(/column "a`b"/);
    expect(() => new InsertBuilder(mysql, { ...plan, key: ['nope'] })).toThrow(/not a mapped column/);
  });

  it('CREATE TABLE maps declared types per dialect, key columns NOT NULL and primary key', () => {
    const p: TablePlan = {
      table: 't',
      columns: ['id', 'n', 'x', 'ok', 'doc', 'at'],
      types: { id: 'text', n: 'integer', x: 'double', ok: 'boolean', doc: 'json', at: 'timestamp' },
      key: ['id'],
      onConflict: 'update',
    };
    expect(createTableSql(postgres, p, { strict: false })).toBe(
      'CREATE TABLE IF NOT EXISTS "t" ("id" text NOT NULL, "n" bigint, "x" double precision, "ok" boolean, ' +
        '"doc" jsonb, "at" timestamptz, PRIMARY KEY ("id"))',
    );
    expect(createTableSql(mysql, p, { strict: false })).toBe(
      'CREATE TABLE IF NOT EXISTS `t` (`id` VARCHAR(255) NOT NULL, `n` BIGINT, `x` DOUBLE, `ok` BOOLEAN, `doc` JSON, ' +
        '`at` DATETIME(3), PRIMARY KEY (`id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
    );
    expect(createTableSql(sqlite, p, { strict: true })).toBe(
      'CREATE TABLE IF NOT EXISTS "t" ("id" TEXT NOT NULL, "n" INTEGER, "x" REAL, "ok" INTEGER, "doc" TEXT, ' +
        '"at" TEXT, PRIMARY KEY ("id")) STRICT',
    );
  });

  it('an untyped column is ANY in a STRICT SQLite table, and an error for a server database', () => {
    const p: TablePlan = { table: 't', columns: ['id', 'v'], types: { id: 'text' }, key: [], onConflict: 'update' };
    expect(createTableSql(sqlite, p, { strict: true })).toBe(
      'CREATE TABLE IF NOT EXISTS "t" ("id" TEXT, "v" ANY) STRICT',
    );
    expect(createTableSql(sqlite, p, { strict: false })).toBe('CREATE TABLE IF NOT EXISTS "t" ("id" TEXT, "v")');
    expect(() => createTableSql(postgres, p, { strict: false })).toThrow(/needs a type for column "v"/);
  });
});

describe('values', () => {
  it('objects and arrays become JSON text; a json column gets JSON for strings too', () => {
    expect(encodeValue({ a: 1 }, undefined, 'c', postgres)).toBe('{"a":1}');
    expect(encodeValue([1, 2], undefined, 'c', mysql)).toBe('[1,2]');
    expect(encodeValue('hi', 'json', 'c', postgres)).toBe('"hi"');
    expect(encodeValue(undefined, 'json', 'c', postgres)).toBeNull();
  });

  it('timestamps take epoch ms or ISO text; SQLite stores ISO text, the others a Date', () => {
    const at = Date.UTC(2024, 0, 2, 3, 4, 5, 6);
    expect(encodeValue(at, 'timestamp', 'c', sqlite)).toBe('2024-01-02T03:04:05.006Z');
    expect((encodeValue('2024-01-02T03:04:05.006Z', 'timestamp', 'c', postgres) as Date).getTime()).toBe(at);
    expect(() => encodeValue('yesterday', 'timestamp', 'at', mysql)).toThrow(
      /column "at": "yesterday" is not a timestamp/,
    );
  });

  it('SQLite gets 0/1 for booleans; functions are refused', () => {
    expect(encodeValue(true, 'boolean', 'c', sqlite)).toBe(1);
    expect(encodeValue(true, 'boolean', 'c', postgres)).toBe(true);
    expect(() => encodeValue(() => 1, undefined, 'f', postgres)).toThrow(/a function is not a value/);
  });
});
