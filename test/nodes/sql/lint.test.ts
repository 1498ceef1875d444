import { describe, expect, it } from 'vitest';
import { catalog } from '../../../nodes/catalog.js';
import { createFlowValidator } from '../../../src/flow/validate.js';

const validator = createFlowValidator(catalog);

function problemsOf(sink: { type: string; config: Record<string, unknown> }, connections: unknown[] = []) {
  const { problems } = validator.validate({
    format: 'sluice/flow@1',
    connections,
    nodes: [
      { id: 'gen', type: 'generate', config: {} },
      { id: 'db', ...sink },
    ],
    edges: [{ source: 'gen', sourcePort: 'out', target: 'db', targetPort: 'in' }],
  });
  return problems;
}

const pg = [{ id: 'pg', kind: 'postgres', config: { host: 'localhost' } }];
const my = [{ id: 'my', kind: 'mysql', config: { host: 'localhost' } }];

describe('SQL sink validation', () => {
  it('the defaults validate: sqlite-out needs nothing at all', () => {
    expect(problemsOf({ type: 'sqlite-out', config: {} })).toEqual([]);
    expect(problemsOf({ type: 'postgres-out', config: { connection: 'pg' } }, pg)).toEqual([]);
    expect(problemsOf({ type: 'mysql-out', config: { connection: 'my' } }, my)).toEqual([]);
  });

  it('refuses an unsafe table name with a clear message at the right path', () => {
    const problems = problemsOf(
      { type: 'postgres-out', config: { connection: 'pg', table: 'readings; DROP TABLE x' } },
      pg,
    );
    expect(problems).toMatchObject([
      {
        severity: 'error',
        code: 'lint',
        nodeId: 'db',
        path: '/nodes/1/config/table',
        message:
          'table "readings; DROP TABLE x" is not a safe SQL name (letters, digits and _, starting with a letter or _, at most 63 characters)',
      },
    ]);
  });

  it('refuses unsafe column names, one problem per column', () => {
    const problems = problemsOf(
      {
        type: 'mysql-out',
        config: { connection: 'my', columns: { id: 'id', 'temp`)': 'payload.t', 'my col': 'payload.c' }, key: ['id'] },
      },
      my,
    );
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      [
        '/nodes/1/config/columns/temp`)',
        'column "temp`)" is not a safe SQL name (letters, digits and _, starting with a letter or _, at most 63 characters)',
      ],
      [
        '/nodes/1/config/columns/my col',
        'column "my col" is not a safe SQL name (letters, digits and _, starting with a letter or _, at most 63 characters)',
      ],
    ]);
  });

  it('the upsert key must be a mapped column, including the default key', () => {
    const explicit = problemsOf({
      type: 'sqlite-out',
      config: { columns: { device: 'payload.device' }, key: ['device', 'ts'] },
    });
    expect(explicit).toMatchObject([
      { path: '/nodes/1/config/key/1', message: 'upsert key column "ts" is not one of the mapped columns (device)' },
    ]);
    const byDefault = problemsOf({ type: 'sqlite-out', config: { columns: { device: 'payload.device' } } });
    expect(byDefault).toMatchObject([
      { path: '/nodes/1/config/key/0', hint: expect.stringMatching(/defaults to \["id"\]/) },
    ]);
    expect(problemsOf({ type: 'sqlite-out', config: { columns: { device: 'payload.device' }, key: [] } })).toEqual([]);
  });

  it('creating a table on a server database needs every column typed; types must name mapped columns', () => {
    const problems = problemsOf(
      {
        type: 'postgres-out',
        config: {
          connection: 'pg',
          createTable: true,
          columns: { id: 'id', t: 'payload.t' },
          types: { id: 'text', tmp: 'double' },
        },
      },
      pg,
    );
    expect(problems.map((p) => p.message)).toEqual([
      'a type is declared for "tmp", which is not a mapped column',
      'creating the table needs a type for every column; missing: t',
    ]);
  });

  it('an unknown column type is a schema error', () => {
    const problems = problemsOf({ type: 'sqlite-out', config: { types: { id: 'varchar' } } });
    expect(problems.some((p) => p.severity === 'error' && p.path.startsWith('/nodes/1/config/types'))).toBe(true);
  });

  it('a reference as the table name is checked once resolved, not by lint', () => {
    expect(problemsOf({ type: 'sqlite-out', config: { table: '${env:TABLE}' } })).toEqual([]);
  });

  it('sqlite-out: a file next to a connection is flagged as ignored', () => {
    const problems = problemsOf({ type: 'sqlite-out', config: { connection: 'lite', file: './x.db' } }, [
      { id: 'lite', kind: 'sqlite', config: { file: './y.db' } },
    ]);
    expect(problems).toMatchObject([
      { path: '/nodes/1/config/file', message: 'file is ignored: the connection "lite" decides' },
    ]);
  });
});

describe('SQL connection validation', () => {
  const conn = (kind: string, config: Record<string, unknown>) =>
    problemsOf({ type: 'sqlite-out', config: {} }, [{ id: 'c', kind, config }]);

  it('a password written into the URL is refused; a whole-URL reference is fine', () => {
    expect(conn('postgres', { url: 'postgres://app:hunter2@db:5432/x' })).toMatchObject([
      {
        connectionId: 'c',
        path: '/connections/0/config/url',
        message: 'the URL holds a password, which would be saved in the flow file',
      },
    ]);
    expect(conn('postgres', { url: '${env:DATABASE_URL}' })).toEqual([]);
    expect(conn('mysql', { url: 'mysql://app@db/x', password: '${env:PW}' })).toEqual([]);
  });

  it('URL parameters and other schemes are refused with the reason', () => {
    expect(conn('postgres', { url: 'postgres://db/x?sslmode=disable' })[0].message).toMatch(
      /URL parameters \(\?sslmode=disable\) are not supported/,
    );
    expect(conn('mysql', { url: 'postgres://db/x' })[0].message).toMatch(
      /scheme "postgres:" is not one of mysql:, mariadb:/,
    );
  });

  it('a literal password is refused (secrets are references)', () => {
    expect(conn('postgres', { password: 'hunter2' })).toMatchObject([
      { code: 'literal-secret', path: '/connections/0/config/password' },
    ]);
  });

  it('TLS: a file name instead of PEM, half a client certificate, verification off', () => {
    const problems = conn('postgres', {
      tls: true,
      ca: '/etc/ssl/ca.pem',
      cert: '${file:/c.pem}',
      verifyServer: false,
    });
    expect(problems.map((p) => [p.severity, p.path, p.message])).toEqual([
      ['error', '/connections/0/config/ca', 'ca must be PEM text, not a file name'],
      ['error', '/connections/0/config/key', 'a client certificate needs both cert and key'],
      ['warning', '/connections/0/config/verifyServer', expect.stringMatching(/not verified/)],
    ]);
    expect(problems[0].hint).toBe('use a file reference: "${file:/etc/ssl/ca.pem}"');
  });
});

describe('MySQL TLS host', () => {
  const conn = (config: Record<string, unknown>) =>
    createFlowValidator(catalog).validate({
      format: 'sluice/flow@1',
      connections: [{ id: 'c', kind: 'mysql', config }],
      nodes: [
        { id: 'db', type: 'sqlite-out', config: {} },
        { id: 'gen', type: 'generate', config: {} },
      ],
      edges: [{ source: 'gen', sourcePort: 'out', target: 'db', targetPort: 'in' }],
    }).problems;

  it('refuses an IP address with verification on (mysql2 would not check the name)', () => {
    expect(conn({ host: '10.0.0.5', tls: true })).toMatchObject([
      { path: '/connections/0/config/host', message: expect.stringMatching(/not an IP address/) },
    ]);
    expect(conn({ url: 'mysql://app@[::1]:3306/x', tls: true })).toMatchObject([{ path: '/connections/0/config/url' }]);
    expect(conn({ host: 'db.example.com', tls: true })).toEqual([]);
    expect(conn({ host: '10.0.0.5', tls: false })).toEqual([]);
  });
});
