/**
 * Issue 10, fault 6: `${env:}` / `${file:}` resolve only in fields meant for them, files only under the allowed
 * directories (never /proc or /sys, never through a symlink out), `${env:}` optionally allow-listed, and errors that
 * do not tell whether a file exists.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.js';
import { createFlowValidator } from '../../src/flow/validate.js';
import { applyDefaults, createResolveEnv, resolveReferences } from '../../src/runtime/resolve-config.js';
import { Secret, Type } from '../../src/spec/schema.js';

const root = mkdtempSync(join(tmpdir(), 'sluice-refs-'));
const secrets = join(root, 'secrets');
const outside = join(root, 'outside');
mkdirSync(secrets);
mkdirSync(outside);
writeFileSync(join(secrets, 'pw'), 's3cret\n');
writeFileSync(join(outside, 'shadow'), 'root:x:0:0\n');
symlinkSync(join(outside, 'shadow'), join(secrets, 'link-out'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const saved = { ...process.env };
afterEach(() => {
  for (const k of ['SLUICE_SECRET_DIRS', 'SLUICE_ALLOW_ENV', 'SLUICE_TEST_REF']) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

const schema = Type.Object({
  password: Type.Optional(Secret()),
  host: Type.Optional(Type.String({ 'x-reference': true })),
  payload: Type.Optional(Type.String()),
});

function resolve(config: Record<string, unknown>, policy = { secretDirs: [secrets] }) {
  return resolveReferences(applyDefaults(schema, config), 'node "n" (t)', createResolveEnv(policy));
}

describe('where references resolve', () => {
  it('in secret fields and fields marked x-reference, nowhere else', () => {
    process.env.SLUICE_TEST_REF = 'value';
    expect(
      resolve({
        password: `\${file:${secrets}/pw}`,
        host: 'h-${env:SLUICE_TEST_REF}',
        payload: '${env:SLUICE_TEST_REF} ${file:/etc/passwd}',
      }),
    ).toEqual({ password: 's3cret', host: 'h-value', payload: '${env:SLUICE_TEST_REF} ${file:/etc/passwd}' });
  });

  it('every string of a connection config (where and as whom to connect), none of a transform', () => {
    const pg = catalog.connections.find((k) => k.kind === 'postgres')!;
    process.env.SLUICE_TEST_REF = 'db.example';
    const out = resolveReferences(
      applyDefaults(pg.config, { host: '${env:SLUICE_TEST_REF}', database: 'd', user: 'u' }),
      'connection "c"',
      createResolveEnv({ secretDirs: [secrets] }),
    );
    expect(out.host).toBe('db.example');
    const transform = catalog.nodes.find((n) => n.type === 'transform')!;
    const t = resolveReferences(
      applyDefaults(transform.config, { expression: '"${env:SLUICE_TEST_REF}"' }),
      'node "m"',
      createResolveEnv({ secretDirs: [secrets] }),
    );
    expect(t.expression).toBe('"${env:SLUICE_TEST_REF}"');
  });

  it('the validator warns about a reference that will stay text', () => {
    const flow = {
      format: 'sluice/flow@1',
      nodes: [
        { id: 'g', type: 'generate', config: { topic: 't/${env:X}', payload: '"${file:/etc/shadow}"' } },
        { id: 'd', type: 'debug', config: {} },
      ],
      edges: [{ source: 'g', sourcePort: 'out', target: 'd', targetPort: 'in' }],
    };
    const problems = createFlowValidator(catalog).validate(flow).problems;
    expect(problems).toEqual([
      expect.objectContaining({
        severity: 'warning',
        code: 'reference-not-resolved',
        path: '/nodes/0/config/payload',
        nodeId: 'g',
      }),
    ]);
  });
});

describe('${file:} only under the allowed directories', () => {
  const generic = /cannot read secret file .* \(missing, unreadable, or outside the allowed directories\)/;

  it('reads a file inside, refuses outside, /proc, /sys and a symlink leading out, all with one message', () => {
    expect(resolve({ password: `\${file:${secrets}/pw}` }).password).toBe('s3cret');
    const refused = [
      `${outside}/shadow`,
      `${secrets}/link-out`,
      `${secrets}/../outside/shadow`,
      `${secrets}/missing`,
      '/proc/self/environ',
      '/sys/kernel/hostname',
      'relative/pw',
    ];
    const messages = refused.map((p) => {
      try {
        resolve({ password: `\${file:${p}}` });
        return 'resolved';
      } catch (err) {
        return (err as Error).message.replace(p, '<p>');
      }
    });
    for (const m of messages) expect(m).toMatch(generic);
    // The same words whether the file exists or not.
    expect(new Set(messages).size).toBe(1);
    // Even when /proc is configured as allowed.
    expect(() => resolve({ password: '${file:/proc/self/environ}' }, { secretDirs: ['/proc'] })).toThrow(generic);
  });

  it('takes the directories from SLUICE_SECRET_DIRS when no policy is given', () => {
    process.env.SLUICE_SECRET_DIRS = `/nowhere:${secrets}`;
    const out = resolveReferences(
      applyDefaults(schema, { password: `\${file:${secrets}/pw}` }),
      'n',
      createResolveEnv(),
    );
    expect(out.password).toBe('s3cret');
    process.env.SLUICE_SECRET_DIRS = '/nowhere';
    expect(() =>
      resolveReferences(applyDefaults(schema, { password: `\${file:${secrets}/pw}` }), 'n', createResolveEnv()),
    ).toThrow(generic);
  });
});

describe('${env:} allow-list', () => {
  it('resolves only listed names (exact or PREFIX_*) when a list is set', () => {
    process.env.SLUICE_TEST_REF = 'v';
    const env = createResolveEnv({ secretDirs: [], allowEnv: ['PG*', 'SLUICE_TEST_OTHER'] });
    expect(() => resolveReferences(applyDefaults(schema, { host: '${env:SLUICE_TEST_REF}' }), 'n', env)).toThrow(
      /environment variable SLUICE_TEST_REF is not in the allowed list/,
    );
    process.env.SLUICE_ALLOW_ENV = 'SLUICE_TEST_*';
    expect(
      resolveReferences(applyDefaults(schema, { host: '${env:SLUICE_TEST_REF}' }), 'n', createResolveEnv()).host,
    ).toBe('v');
  });
});

describe('SQLite files stay under the data directory', () => {
  it('opens inside, refuses outside, /proc and a symlink leading out, unless the directory is allowed', async () => {
    const { allowedSqliteFile } = await import('../../src/kit/sqlite-path.js');
    const data = join(root, 'data');
    mkdirSync(data);
    symlinkSync(outside, join(data, 'escape'));
    const env = { SLUICE_DATA_DIR: data };
    expect(allowedSqliteFile(join(data, 'x.db'), env)).toBe(join(data, 'x.db'));
    expect(allowedSqliteFile(':memory:', env)).toBe(':memory:');
    for (const bad of [
      join(outside, 'x.db'),
      join(data, 'escape', 'x.db'),
      '/proc/self/x.db',
      `${data}/../outside/x.db`,
    ]) {
      expect(() => allowedSqliteFile(bad, env), bad).toThrow(/outside the data directory/);
    }
    expect(allowedSqliteFile(join(outside, 'x.db'), { ...env, SLUICE_SQLITE_DIRS: outside })).toBe(
      join(outside, 'x.db'),
    );
  });
});
