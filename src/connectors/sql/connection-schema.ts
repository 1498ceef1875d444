/**
 * Config of a database server connection (PostgreSQL, MySQL/MariaDB): address or URL, credentials, pool, TLS.
 * Isomorphic: the connection kind definitions import it.
 */
import { type LintIssue, Secret, type Static, Type } from '../../spec/index.js';
import { parseDatabaseUrl } from './url.js';

const pem = (title: string, description: string) =>
  Type.Optional(Type.String({ title, description, 'x-widget': 'textarea' }));

export const TlsSettings = Type.Object(
  {
    enabled: Type.Boolean({ title: 'Use TLS', default: false }),
    verify: Type.Boolean({
      title: 'Verify the server',
      description: 'Check the server certificate against the CA and its name against the host. Turn off only for tests.',
      default: true,
    }),
    ca: pem('CA certificate (PEM)', 'The CA that signed the server certificate, e.g. `${file:/etc/ssl/db-ca.pem}`. Empty: the system CAs.'),
    cert: pem('Client certificate (PEM)', 'For client-certificate authentication, e.g. `${file:/etc/ssl/sluice.crt}`.'),
    key: Type.Optional(Secret({ title: 'Client key (PEM)', description: 'e.g. `${file:/run/secrets/sluice.key}`.' })),
    servername: Type.Optional(
      Type.String({
        title: 'Server name',
        description: 'The name expected in the server certificate when it differs from the host.',
        'x-advanced': true,
      }),
    ),
  },
  { title: 'TLS', default: {}, additionalProperties: false },
);
export type TlsSettings = Static<typeof TlsSettings>;

export function serverConnectionProperties(o: { scheme: string; port: number; user: string }) {
  return {
    url: Type.Optional(
      Type.String({
        title: 'URL',
        description: `\`${o.scheme}://user@host:${o.port}/database\`; when set it replaces host, port, database and user. Keep the password in the password field, or make the whole URL a reference.`,
      }),
    ),
    host: Type.String({ title: 'Host', default: 'localhost', minLength: 1 }),
    port: Type.Integer({ title: 'Port', default: o.port, minimum: 1, maximum: 65_535 }),
    database: Type.Optional(Type.String({ title: 'Database' })),
    user: Type.String({ title: 'User', default: o.user }),
    password: Type.Optional(Secret({ title: 'Password', description: 'A reference, e.g. `${env:DB_PASSWORD}`.' })),
    poolSize: Type.Integer({
      title: 'Pool size',
      description: 'Connections kept open at most, shared by the nodes that use this connection.',
      minimum: 1,
      maximum: 200,
      default: 5,
    }),
    connectTimeoutMs: Type.Integer({
      title: 'Connect timeout (ms)',
      minimum: 100,
      maximum: 600_000,
      default: 10_000,
      'x-advanced': true,
    }),
    tls: TlsSettings,
  };
}

const server = Type.Object(serverConnectionProperties({ scheme: 'x', port: 1, user: 'x' }));
export type ServerConnectionConfig = Static<typeof server>;

const isReference = (v: string) => v.includes('${');

export function lintServerConnection(
  raw: Partial<ServerConnectionConfig>,
  protocols: readonly string[],
): LintIssue[] {
  const issues: LintIssue[] = [];
  if (raw.url && !isReference(raw.url)) {
    try {
      const parsed = parseDatabaseUrl(raw.url, protocols);
      if (parsed.password !== undefined) {
        issues.push({
          path: '/url',
          message: 'the URL holds a password, which would be saved in the flow file',
          hint: 'remove it from the URL and set password to a reference such as "${env:DB_PASSWORD}", or make the whole URL "${env:DATABASE_URL}"',
        });
      }
    } catch (err) {
      issues.push({ path: '/url', message: err instanceof Error ? err.message : String(err) });
    }
  }
  const tls = raw.tls ?? {};
  const given = (['ca', 'cert', 'key'] as const).filter((k) => tls[k] !== undefined && tls[k] !== '');
  if (!tls.enabled && given.length > 0) {
    issues.push({
      path: '/tls/enabled',
      message: `TLS is off, so ${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} ignored`,
      hint: 'turn TLS on',
      severity: 'warning',
    });
  }
  for (const k of ['ca', 'cert'] as const) {
    const v = tls[k];
    if (v && !isReference(v) && !v.includes('-----BEGIN')) {
      issues.push({
        path: `/tls/${k}`,
        message: `${k} must be PEM text, not a file name`,
        hint: `use a file reference: "\${file:${v.startsWith('/') ? v : '/path/to/file.pem'}}"`,
      });
    }
  }
  if (Boolean(tls.cert) !== Boolean(tls.key)) {
    issues.push({ path: tls.cert ? '/tls/key' : '/tls/cert', message: 'a client certificate needs both cert and key' });
  }
  if (tls.enabled && tls.verify === false) {
    issues.push({
      path: '/tls/verify',
      message: 'the server certificate is not verified: anyone between Sluice and the database can read the traffic',
      severity: 'warning',
    });
  }
  return issues;
}
