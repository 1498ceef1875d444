/**
 * Config of a database server connection (PostgreSQL, MySQL/MariaDB): address or URL, credentials, pool, TLS.
 * Isomorphic: the connection kind definitions import it.
 */
import { credentialProperties, type LintIssue, type Static, Type } from '../../spec/index.js';
import { tlsProperties as sharedTlsProperties } from '../../spec/tls-schema.js';
import { parseDatabaseUrl } from './url.js';

/** Renamed fields of the PostgreSQL and MySQL connection kinds (see ConnectionKindDefinition.renamed). */
export const SERVER_CONNECTION_RENAMED = { user: 'username' };

/** Flat TLS fields, named like the other connection kinds' (tls, ca, cert, key, verifyServer). */
export const tlsProperties = sharedTlsProperties({
  peer: 'server',
  tlsDescription: 'Connect with TLS.',
  caExample: '/etc/ssl/db-ca.pem',
  verifyDetail: 'Checks the certificate chain and that the certificate names the host.',
});
const tlsObject = Type.Object(tlsProperties);
export type TlsSettings = Static<typeof tlsObject>;

export function serverConnectionProperties(o: {
  scheme: string;
  port: number;
  username: string;
  passwordExample: string;
}) {
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
    ...credentialProperties({ passwordExample: o.passwordExample, usernameDefault: o.username }),
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
    queryTimeoutMs: Type.Integer({
      title: 'Statement timeout (ms)',
      description:
        'A statement with no answer by then fails (and is retried) and its connection is dropped, so a hung server cannot stall the flow. The server may still commit it: an upsert key makes that harmless.',
      minimum: 100,
      maximum: 3_600_000,
      default: 30_000,
      'x-advanced': true,
    }),
    ...tlsProperties,
  };
}

const server = Type.Object(serverConnectionProperties({ scheme: 'x', port: 1, username: 'x', passwordExample: 'x' }));
export type ServerConnectionConfig = Static<typeof server>;

const isReference = (v: string) => v.includes('${');

export const MYSQL_TLS_IP =
  'with TLS verification the host must be the name in the server certificate, not an IP address (the MySQL driver cannot check a certificate against an IP address)';

/** An IPv4 or IPv6 literal (isomorphic: no `node:net`). */
export function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

/** MySQL only: see MYSQL_TLS_IP. */
export function lintMysqlTlsHost(raw: Partial<ServerConnectionConfig>, protocols: readonly string[]): LintIssue[] {
  if (!raw.tls || raw.verifyServer === false) return [];
  let host = raw.host ?? 'localhost';
  let path = '/host';
  if (raw.url && !isReference(raw.url)) {
    try {
      host = parseDatabaseUrl(raw.url, protocols).host ?? host;
      path = '/url';
    } catch {
      return []; // reported by lintServerConnection
    }
  }
  if (isReference(host) || !isIpLiteral(host)) return [];
  return [{ path, message: MYSQL_TLS_IP, hint: 'use the DNS name the certificate names, e.g. "db.example.com"' }];
}

export function lintServerConnection(raw: Partial<ServerConnectionConfig>, protocols: readonly string[]): LintIssue[] {
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
  const given = (['ca', 'cert', 'key'] as const).filter((k) => raw[k] !== undefined && raw[k] !== '');
  if (!raw.tls && given.length > 0) {
    issues.push({
      path: '/tls',
      message: `TLS is off, so ${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} ignored`,
      hint: 'turn TLS on',
      severity: 'warning',
    });
  }
  for (const k of ['ca', 'cert'] as const) {
    const v = raw[k];
    if (v && !isReference(v) && !v.includes('-----BEGIN')) {
      issues.push({
        path: `/${k}`,
        message: `${k} must be PEM text, not a file name`,
        hint: `use a file reference: "\${file:${v.startsWith('/') ? v : '/path/to/file.pem'}}"`,
      });
    }
  }
  if (Boolean(raw.cert) !== Boolean(raw.key)) {
    issues.push({ path: raw.cert ? '/key' : '/cert', message: 'a client certificate needs both cert and key' });
  }
  if (raw.tls && raw.verifyServer === false) {
    issues.push({
      path: '/verifyServer',
      message: 'the server certificate is not verified: anyone between Sluice and the database can read the traffic',
      severity: 'warning',
    });
  }
  return issues;
}
