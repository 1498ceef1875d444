import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.js';
import { createAjv } from '../../src/flow/ajv.js';
import { createFlowValidator } from '../../src/flow/validate.js';
import { compileCached, schemaCacheDir, schemaCacheKey } from '../../src/runtime/schema-cache.js';

const schema = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1 },
    qos: { type: 'integer', enum: [0, 1, 2], default: 1 },
    tags: { type: 'array', items: { type: 'string' }, default: [] },
  },
  required: ['name'],
  additionalProperties: false,
};

describe('the compiled-schema cache', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-schema-cache-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes standalone code on the first compile and validates the same from the file on the next', () => {
    const first = compileCached(structuredClone(schema), { useDefaults: true }, dir);
    expect(readdirSync(dir)).toEqual([`ajv-${schemaCacheKey(schema, { useDefaults: true })}.cjs`]);
    const second = compileCached(structuredClone(schema), { useDefaults: true }, dir);
    expect(second).not.toBe(first);
    const reference = createAjv({ useDefaults: true }).compile(structuredClone(schema));
    for (const input of [{ name: 'a' }, { name: '' }, { qos: 3 }, { name: 'b', extra: 1 }, 'not an object']) {
      const [a, b, c] = [first, second, reference].map((fn) => {
        const copy = structuredClone(input);
        const ok = fn(copy);
        return { ok, copy, errors: fn.errors ?? null };
      });
      expect(b).toEqual(c);
      expect(a).toEqual(c);
    }
  });

  it('keys on the schema and the options: a changed schema never reuses a stale validator', () => {
    const changed = { ...schema, required: [] };
    expect(schemaCacheKey(changed, {})).not.toBe(schemaCacheKey(schema, {}));
    expect(schemaCacheKey(schema, { useDefaults: true })).not.toBe(schemaCacheKey(schema, {}));
    compileCached(structuredClone(schema), {}, dir);
    expect(compileCached(structuredClone(changed), {}, dir)({})).toBe(true);
    expect(readdirSync(dir)).toHaveLength(2);
  });

  it('recompiles over a damaged file, and works without a writable directory', () => {
    const file = join(dir, `ajv-${schemaCacheKey(schema, {})}.cjs`);
    writeFileSync(file, 'module.exports = (');
    expect(compileCached(structuredClone(schema), {}, dir)({ name: 'x' })).toBe(true);
    expect(compileCached(structuredClone(schema), {}, dir)({})).toBe(false); // rewritten, now loads
    const notADir = join(dir, 'file');
    writeFileSync(notADir, '');
    expect(compileCached(structuredClone(schema), {}, join(notADir, 'cache'))({ name: 'x' })).toBe(true);
  });

  it('serves the whole flow schema: a cached validator finds the same problems as a fresh one', () => {
    const flow = {
      format: 'sluice/flow@1',
      connections: [{ id: 'b', kind: 'mqtt', config: { url: 'mqtt://127.0.0.1:1883' } }],
      nodes: [
        { id: 'in', type: 'mqtt-in', config: { connection: 'b', topics: ['t/#'], qos: 7 } },
        { id: 'out', type: 'sqlite-out', config: { file: 'x.db' } },
      ],
      edges: [{ source: 'in', sourcePort: 'out', target: 'out', targetPort: 'in' }],
    };
    const fresh = createFlowValidator({ ...catalog }).validate(structuredClone(flow));
    const viaCache = () =>
      createFlowValidator({ ...catalog }, { compileSchema: (s) => compileCached(s, { useDefaults: true }, dir) });
    expect(viaCache().validate(structuredClone(flow))).toEqual(fresh); // compiles and writes
    expect(viaCache().validate(structuredClone(flow))).toEqual(fresh); // loads the file
    expect(fresh.problems.some((p) => p.nodeId === 'in')).toBe(true);
  });

  it('lives under $SLUICE_CACHE_DIR, else the XDG cache directory', () => {
    expect(schemaCacheDir({ SLUICE_CACHE_DIR: '/x/y' })).toBe('/x/y');
    expect(schemaCacheDir({ XDG_CACHE_HOME: '/c' })).toBe('/c/sluice');
  });
});
